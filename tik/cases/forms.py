from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tik.dates import DATE_FORMATS
from tik.forms import (
    CONTROL,
    CONTROL_REMOVED,
    TOO_LONG,
    IdempotentForm,
    MultiCheckboxField,
    VersionedForm,
    without_controls,
)


class ConsentForm(IdempotentForm):
    given_by = StringField(_l("Gitt av (foresatte)"), validators=[DataRequired(_l("Skriv hvem som ga samtykket.")),
                                                                  Length(max=300)])
    young_person = BooleanField(_l("Ungdommen har selv samtykket eller signert"))
    services = MultiCheckboxField(_l("Tjenester som kan få opplysninger"), choices=[],
                                  validators=[DataRequired(_l("Velg minst én tjeneste."))])
    kinds = MultiCheckboxField(_l("Hvilke opplysninger tjenestene kan få"), choices=[])
    information = TextAreaField(_l("Hvilke opplysninger (f.eks. skolefravær, helse, familiesituasjon)"),
                                validators=[Optional(), Length(max=2000)])
    exclusions = TextAreaField(_l("Hva familien sier nei til (opplysninger eller tjenester som ikke skal ha dem)"),
                               validators=[Optional(), Length(max=2000)])
    purpose = TextAreaField(_l("Formål"), validators=[DataRequired(_l("Skriv formålet med samtykket.")),
                                                      Length(max=2000)])
    form = SelectField(_l("Hvordan samtykket ble gitt"),
                       choices=[("paper", _l("Signert på papir")), ("digital", _l("Digitalt")),
                                ("oral", _l("Muntlig, med vitne"))])
    given_on = DateField(_l("Dato gitt"), format=DATE_FORMATS,
                         validators=[DataRequired(_l("Skriv datoen samtykket ble gitt."))])
    expires_on = DateField(_l("Gyldig til"), format=DATE_FORMATS,
                           validators=[DataRequired(_l("Skriv når samtykket utløper."))])


class AdultConsentForm(ConsentForm):
    """The consent form for a young adult who consents alone, without guardians (guide.yaml:
    consent.adult_alone_from): the same fields, asking for the young adult and not for the guardians."""

    given_by = StringField(_l("Gitt av (den unge voksne selv, uten foresatte)"),
                           validators=[DataRequired(_l("Skriv hvem som ga samtykket.")), Length(max=300)])
    young_person = BooleanField(_l("Ungdommen har selv samtykket eller signert"), default=True)


class DecisionForm(VersionedForm):
    """Carries only the version; the step's own fields are read from the guide, not declared here."""


class HandoverForm(IdempotentForm):
    to_user = StringField(_l("Ny stafettholder (brukernavn eller fullt navn)"),
                          validators=[DataRequired(_l("Skriv brukernavnet eller navnet til den nye stafettholderen.")),
                                      Length(max=200)])
    note = TextAreaField(_l("Melding til den nye stafettholderen"), validators=[Optional(), Length(max=2000)])
    family_wish = TextAreaField(_l("Hva familien ønsker"), validators=[
        DataRequired(_l("Skriv hva familien ønsker ved overgangen.")), Length(max=2000)])
    measures_scope = TextAreaField(_l("Hvilke tiltak den nye stafettholderen tar over"), validators=[
        DataRequired(_l("Skriv hvilke tiltak den nye stafettholderen tar over.")), Length(max=2000)])


class InviteForm(IdempotentForm):
    """Whom to invite: a name (or part of one) or a username searched for, or a person picked from the list."""

    person = StringField(_l("Søk etter navn eller brukernavn"), validators=[Optional(), Length(max=200)],
                         description=_l("Hele eller deler av navnet, for eksempel «Siri»."))
    person_id = SelectField(_l("Eller velg fra listen"), coerce=int, validate_choice=False, validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.person.data or "").strip() and not self.person_id.data:
            self.person.errors = [_l("Skriv et navn eller velg en person.")]
            return False
        return True


class HandoverAnswerForm(IdempotentForm):
    reason = TextAreaField(_l("Begrunnelse (må fylles ut hvis du takker nei)"),
                           validators=[Optional(), Length(max=2000)])


STEP_FIELD_MAX = 5000  # the guide's step fields (f_<key>), shown as maxlength on each


def step_field_errors(values: dict[str, str]) -> dict[str, str]:
    """Errors for step values that are too long or held control characters (removed from `values`)."""
    errors = {}
    for key, value in values.items():
        if CONTROL.search(value):
            values[key] = without_controls(value)
            errors[key] = str(CONTROL_REMOVED)
        elif len(value) > STEP_FIELD_MAX:
            errors[key] = str(TOO_LONG) % {"max": STEP_FIELD_MAX}
    return errors


def step_values(step, formdata) -> dict[str, str]:
    """The values a user entered for a guide step's fields (inputs named f_<key>; services as a list)."""
    values = {f.key: (",".join(formdata.getlist(f"f_{f.key}")) if f.kind == "services"
                      else formdata.get(f"f_{f.key}", "")) for f in step.fields}
    if getattr(step, "leader", False):  # the leader the guidebook names on the step (tik.cases.steps)
        values["leader"] = formdata.get("f_leader", "")
    return values
