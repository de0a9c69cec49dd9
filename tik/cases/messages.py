"""Domain error codes in the user's language."""

from flask_babel import gettext as _


def refusal_message(code: str, **params) -> str:
    """The message for an engine or service refusal code."""
    messages = {
        "decision_not_allowed": _("Denne beslutningen er ikke mulig på dette steget."),
        "missing_fields": _("Fyll ut feltene steget krever før du går videre."),
        "consent_required": _("Nivå %(level)s krever et samtykke som navngir tjenestene. Registrer samtykke først.",
                              level=params.get("level", "")),
        "services_not_consented": _("Samtykket dekker ikke alle tjenestene du valgte."),
        "unknown_services": _("Ukjent tjeneste."),
        "invalid_choice": _("Velg et av alternativene."),
        "invalid_date": _("Skriv datoen som dd.mm.åååå."),
        "case_closed": _("Saken er avsluttet."),
        "no_services": _("Velg minst én tjeneste samtykket gjelder."),
        "unknown_service": _("Ukjent tjeneste."),
        "expires_before_given": _("Utløpsdatoen må være etter datoen samtykket ble gitt."),
        "young_person_must_consent": _("Ungdommen er over samtykkealderen og må selv samtykke."),
        "already_holder": _("Personen er allerede stafettholder."),
        "cannot_hold": _("Personen har ikke tilgang til saken og kan ikke være stafettholder. "
                         "Sjekk samtykket."),
        "not_yours": _("Denne forespørselen er ikke til deg."),
        "reason_required": _("Skriv en begrunnelse når du takker nei."),
        "evaluation_before_start": _("Evalueringsdatoen må være etter startdatoen."),
    }
    return messages.get(code, code)
