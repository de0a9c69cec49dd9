from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tik.forms import IdempotentForm, VersionedForm

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
STATUS_CHOICES = [("planned", _l("Planlagt")), ("active", _l("Pågår")), ("done", _l("Fullført")),
                  ("ended", _l("Avsluttet"))]


class PlanForm(VersionedForm):
    goals = TextAreaField(_l("Mål for barnet, med enkle ord"), validators=[Optional(), Length(max=10000)])
    child_voice = TextAreaField(_l("Barnets stemme: hva er viktig for meg, hva sier jeg om planen"),
                                validators=[Optional(), Length(max=10000)])
    parents_voice = TextAreaField(_l("Foreldrenes stemme: hva er viktig for oss, hva sier vi om planen"),
                                  validators=[Optional(), Length(max=10000)])
    internal_notes = TextAreaField(_l("Interne notater (kommer ikke med i familiens utskrift)"),
                                   validators=[Optional(), Length(max=10000)])


class _MeasureFields:
    service_key = SelectField(_l("Tjeneste"), choices=[], validators=[DataRequired(_l("Velg tjeneste."))])
    responsible = StringField(_l("Ansvarlig person"), validators=[DataRequired(_l("Skriv hvem som er ansvarlig.")),
                                                                   Length(max=200)])
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
