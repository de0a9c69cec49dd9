from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tik.auth.policy import allowed_services
from tik.clock import today
from tik.dates import DATE_FORMATS
from tik.forms import IdempotentForm, VersionedForm
from tik.guidebook import guide_of
from tik.messages import refusal_message
from tik.plans.models import MeasureStatus
from tik.plans.service import MeasureInput, responsible_choices

STATUS_CHOICES = [(status.value, status.label) for status in MeasureStatus]


class PlanForm(VersionedForm):
    prefilled: list[str] | tuple = ()  # ids of the fields that start from what the case holds (not saved yet)
    goals = TextAreaField(_l("Mål for barnet, med enkle ord"), validators=[Optional(), Length(max=10000)])
    child_voice = TextAreaField(_l("Barnets stemme: hva er viktig for meg, hva sier jeg om planen"),
                                validators=[Optional(), Length(max=10000)])
    parents_voice = TextAreaField(_l("Foreldrenes stemme: hva er viktig for oss, hva sier vi om planen"),
                                  validators=[Optional(), Length(max=10000)])
    internal_notes = TextAreaField(_l("Interne notater (kommer ikke med i familiens utskrift)"),
                                   validators=[Optional(), Length(max=10000)])


class _MeasureFields:
    service_key = SelectField(_l("Tjeneste"), choices=[], validators=[DataRequired(_l("Velg tjeneste."))],
                              description=_l("Egen tjeneste, eller en tjeneste et gyldig samtykke gjelder."))
    responsible_id = SelectField(_l("Ansvarlig i saken"), choices=[], validators=[Optional()],
                                 description=_l("Stafettholderen eller en deltaker. Den ansvarlige ser saken under "
                                                "«Mine saker» og får påminnelse om evalueringen."))
    responsible = StringField(_l("Eller ansvarlig utenfor TIK"), validators=[Optional(), Length(max=200)],
                              description=_l("For eksempel fastlegen eller BUP: bare navnet, uten tilgang til "
                                             "saken."))
    what = TextAreaField(_l("Hva skal gjøres"), validators=[DataRequired(_l("Beskriv tiltaket.")),
                                                           Length(max=5000)])
    goal = TextAreaField(_l("Mål med tiltaket"), validators=[DataRequired(_l("Skriv målet med tiltaket.")),
                                                            Length(max=5000)])
    start_on = DateField(_l("Start"), format=DATE_FORMATS, validators=[DataRequired(_l("Skriv startdato."))])
    evaluate_on = DateField(_l("Evalueres"), format=DATE_FORMATS,
                            validators=[DataRequired(_l("Skriv evalueringsdato."))])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="planned")


class NewMeasureForm(_MeasureFields, IdempotentForm):
    pass


class EditMeasureForm(_MeasureFields, VersionedForm):
    pass


class EvaluationForm(IdempotentForm):
    evaluated_on = DateField(_l("Evaluert dato"), format=DATE_FORMATS, validators=[DataRequired(_l("Skriv datoen."))])
    goal_reached = RadioField(_l("Er målet nådd?"), choices=[("yes", _l("Ja")), ("partly", _l("Delvis")),
                                                             ("no", _l("Nei"))],
                              validators=[DataRequired(_l("Svar på om målet er nådd."))])
    child_experience = TextAreaField(_l("Hva opplevde barnet? (barnets egne ord)"),
                                     validators=[DataRequired(_l("Skriv hva barnet opplevde.")), Length(max=5000)])
    parents_said = TextAreaField(_l("Hva sa foreldrene?"), validators=[Optional(), Length(max=5000)])
    next_action = RadioField(_l("Hva skjer nå?"), choices=[("continue", _l("Fortsette tiltaket")),
                                                            ("change", _l("Endre tiltaket")),
                                                            ("end", _l("Avslutte tiltaket")),
                                                            ("change_level", _l("Endre nivå i saken"))],
                             validators=[DataRequired(_l("Velg hva som skjer nå."))])
    next_evaluate_on = DateField(_l("Neste evaluering"), format=DATE_FORMATS, validators=[Optional()])
    note = TextAreaField(_l("Notat"), validators=[Optional(), Length(max=5000)])


def fill_measure_choices(form, case, lang: str) -> None:
    """The services a measure may go to, and who in the case may be responsible for it."""
    allowed = allowed_services(case, today())
    current = form.service_key.data
    form.service_key.choices = [(k, s.name.get(lang)) for k, s in guide_of(case).services.items()
                                if k in allowed or k == current]
    form.responsible_id.choices = [("", _l("Ingen i saken (skriv navnet under)"))] + [
        (str(uid), user.name) for uid, user in responsible_choices(case).items()]


def measure_input(form):
    """A measure form's values as the service takes them (the plan page and meetings both use it)."""
    return MeasureInput(service_key=form.service_key.data, responsible=form.responsible.data or "",
                        responsible_id=int(form.responsible_id.data) if form.responsible_id.data else None,
                        what=form.what.data, goal=form.goal.data, start_on=form.start_on.data,
                        evaluate_on=form.evaluate_on.data, status=MeasureStatus(form.status.data))


MEASURE_ERROR_FIELDS = {"unknown_service": "service_key", "service_not_consented": "service_key",
                        "responsible_not_participant": "responsible_id", "responsible_required": "responsible",
                        "evaluation_before_start": "evaluate_on"}


def show_measure_refusal(form, code: str) -> None:
    """Put a service refusal on the field it is about, so the error summary links to it."""
    getattr(form, MEASURE_ERROR_FIELDS.get(code, "evaluate_on")).errors = [refusal_message(code)]
