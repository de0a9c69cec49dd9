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
        "held_in_future": _("Datoen er fram i tid. Det som er gjennomført, har dagens dato eller en tidligere."),
        "case_closed": _("Saken er avsluttet."),
        "team_name_taken": _("Kommunen har allerede et team med dette navnet."),
        "waiting_for_child_welfare": _("Saken venter på svar fra barnevernet. Ingenting som vender seg mot "
                                       "familien, kan gjøres før svaret er registrert."),
        "paused": _("Saken står stille nå. Spør stafettholderen."),
        "family_not_to_be_told": _("Gå videre først når barnevernet har sagt at familien kan få vite om saken."),
        "family_not_yet": _("Familien kan ikke få vite om saken før datoen barnevernet har gitt."),
        "no_services": _("Velg minst én tjeneste samtykket gjelder."),
        "unknown_service": _("Ukjent tjeneste."),
        "no_kinds": _("Velg minst én type opplysninger samtykket gjelder."),
        "unknown_kind": _("Ukjent type opplysninger."),
        "expires_before_given": _("Utløpsdatoen må være etter datoen samtykket ble gitt."),
        "young_person_must_consent": _("Ungdommen er over samtykkealderen og må selv samtykke."),
        "maturity_not_judged": _("Veilederen ber ikke om en vurdering av modenhet for dette barnet."),
        "maturity_reason": _("Skriv begrunnelsen for vurderingen."),
        "maturity_answer": _("Svar på om barnet er modent nok til å samtykke selv."),
        "already_holder": _("Personen er allerede stafettholder."),
        "cannot_hold": _("Personen kan ikke være stafettholder: bare en koordinator i din enhet, eller i en "
                         "tjeneste et gyldig samtykke gjelder, kan holde saken."),
        "not_yours": _("Denne forespørselen er ikke til deg."),
        "reason_required": _("Skriv en begrunnelse når du takker nei."),
        "measure_closed": _("Tiltaket ble avsluttet da samtykket det bygde på, ble trukket tilbake eller gikk ut. "
                            "Det kan ikke endres eller evalueres. Legg til et nytt tiltak om det trengs."),
        "leader_required": _("Velg hvilken leder du drøftet med."),
        "measure_required": _("Planen må ha minst ett tiltak med ansvarlig og evalueringsdato før du går videre."),
        "consent_or_reason_required": _("Registrer samtykke, eller skriv hvorfor saken går videre uten samtykke."),
        "feedback_message": _("Velg en av tilbakemeldingene."),
        "evaluation_before_start": _("Evalueringsdatoen kan ikke være før startdatoen."),
        "service_not_consented": _("Ingen gyldig samtykke gjelder denne tjenesten. Et tiltak kan bare gis til egen "
                                   "tjeneste eller en tjeneste samtykket gjelder."),
        "responsible_not_participant": _("Den ansvarlige må være stafettholderen eller en deltaker i saken."),
        "responsible_required": _("Velg hvem i saken som er ansvarlig, eller skriv navnet på en person utenfor TIK."),
        "not_holder": _("Bare stafettholderen kan invitere og fjerne deltakere."),
        "already_in_case": _("Personen er allerede med i saken."),
        "not_covered": _("Personen arbeider utenfor din enhet, og ingen gyldig samtykke gjelder tjenesten "
                         "personen arbeider i. Registrer samtykke først."),
        "not_in_case": _("Personen er ikke deltaker i saken."),
        "sent_how": _("Velg hvordan meldingen ble sendt."),
        "sent_on": _("Skriv datoen meldingen ble sendt."),
        "sent_in_future": _("Sendedatoen kan ikke være fram i tid."),
        "guardian_missing": _("Svar for hver foresatt om de er informert."),
        "why_not_required": _("Skriv hvorfor en foresatt ikke er informert."),
        "child_reason_required": _("Skriv hvorfor barnet ikke er informert."),
        "feedback_text": _("Skriv en kort tilbakemelding uten sensitive opplysninger (høyst 600 tegn)."),
        "national_id_invalid": _("Fødselsnummeret er ikke gyldig. Sjekk sifrene."),
        "not_leader": _("Bare lederen for enheten kan registrere tilbakemelding til melderen."),
    }
    return messages.get(code, code)
