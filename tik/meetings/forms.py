from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tik.forms import IdempotentForm, TikForm, VersionedForm

NAME_MAX, ROLE_MAX = 200, 120  # Participant.name and .role


class MeetingForm(IdempotentForm):
    team = SelectField(_l("Team"), coerce=int, choices=[])
    title = StringField(_l("Tittel"), validators=[DataRequired(_l("Skriv en tittel.")), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Tidspunkt"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   validators=[DataRequired(_l("Skriv dato og klokkeslett."))])
    place = StringField(_l("Sted"), validators=[Optional(), Length(max=200)])


class NetworkMeetingForm(IdempotentForm):
    title = StringField(_l("Tittel"), default=_l("Ansvarsgruppemøte"),
                        validators=[DataRequired(_l("Skriv en tittel.")), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Tidspunkt"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   validators=[DataRequired(_l("Skriv dato og klokkeslett."))])
    place = StringField(_l("Sted"), validators=[Optional(), Length(max=200)])
    family = TextAreaField(_l("Familien og andre som inviteres (én per linje: navn, rolle)"),
                           validators=[Optional(), Length(max=2000)])

    def validate_family(self, field) -> None:
        for line in (field.data or "").splitlines():
            name, _comma, role = line.partition(",")
            if len(name.strip()) > NAME_MAX or len(role.strip()) > ROLE_MAX:
                raise ValidationError(_l("Hver linje: navn (høyst %(name)d tegn), rolle (høyst %(role)d tegn).",
                                         name=NAME_MAX, role=ROLE_MAX))


class AttendanceForm(TikForm):
    """Who came, and optionally one more participant by name (the checkboxes are read by the view)."""

    name = StringField(_l("Legg til deltaker (navn)"), validators=[Optional(), Length(max=NAME_MAX)])
    role = StringField(_l("Rolle"), validators=[Optional(), Length(max=ROLE_MAX)])


class AgendaForm(IdempotentForm):
    case_ref = StringField(_l("Saksnummer (TIK-ÅÅÅÅ-NNNN)"), validators=[Optional(), Length(max=20)])
    anonymous = BooleanField(_l("Drøft saken anonymt"))
    description = StringField(_l("Eller: anonym drøfting, beskriv uten navn (f.eks. «Jente, 8 år, 3. trinn»)"),
                              validators=[Optional(), Length(max=300)])


class MinutesForm(VersionedForm):
    discussion = TextAreaField(_l("Hva ble drøftet"), validators=[Optional(), Length(max=10000)])
    advice = TextAreaField(_l("Råd"), validators=[Optional(), Length(max=10000)])
    decisions = TextAreaField(_l("Beslutninger"), validators=[Optional(), Length(max=10000)])
