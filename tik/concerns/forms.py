from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from tik import identity
from tik.clock import today
from tik.dates import TYPED_DATE_FORMATS
from tik.forms import LANGUAGE_CHOICES, IdempotentForm, MultiCheckboxField, TikForm, email_field
from tik.guidebook import family_language_default
from tik.identity.nin import InvalidNationalId

YES_NO = [("no", _l("Nei")), ("yes", _l("Ja"))]


class UrgencyForm(TikForm):
    acute = RadioField(_l("Er barnet i akutt fare nå?"), choices=YES_NO,
                       validators=[InputRequired(_l("Svar på om barnet er i akutt fare."))])
    suspicion = RadioField(_l("Mistenker du vold, seksuelle overgrep eller alvorlig omsorgssvikt?"),
                           choices=YES_NO,
                           validators=[InputRequired(_l("Svar på om du mistenker vold, overgrep eller "
                                                        "alvorlig omsorgssvikt."))])


class GuardianForm(TikForm):
    class Meta:
        csrf = False

    name = StringField(_l("Navn"), validators=[Optional(), Length(max=200)])
    relation = StringField(_l("Relasjon (mor, far, verge …)"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    email = email_field()
    language = SelectField(_l("Språk"), choices=LANGUAGE_CHOICES, default=family_language_default,
                           validate_choice=False,
                           validators=[AnyOf([code for code, _name in LANGUAGE_CHOICES],
                                             message=_l("TIK kan ikke skrive ut brev på dette språket. "
                                                        "Velg et språk fra lista, og bestill tolk."))])


class ConcernForm(IdempotentForm):
    urgency = HiddenField(default="none")
    first_name = StringField(_l("Fornavn"), validators=[DataRequired(_l("Skriv barnets fornavn.")),
                                                        Length(max=120)])
    last_name = StringField(_l("Etternavn"), validators=[DataRequired(_l("Skriv barnets etternavn.")),
                                                         Length(max=120)])
    # Not needed when a national id is given: the birth date is read from it (asked once).
    # Typed, not picked: a birth date is known, and a date picker costs a person two more keys to leave. Shown as
    # dd.mm.åååå; typed with or without the dots (04052015), or as ISO (2015-05-04).
    birth_date = DateField(_l("Fødselsdato"), validators=[Optional()], format=TYPED_DATE_FORMATS,
                           render_kw={"inputmode": "numeric", "autocomplete": "off"})
    nin = StringField(_l("Fødselsnummer eller D-nummer (valgfritt)"), validators=[Optional(), Length(max=14)])
    gender = SelectField(_l("Kjønn"), choices=[("", _l("Ikke oppgitt")), ("girl", _l("Jente")),
                                               ("boy", _l("Gutt")), ("other", _l("Annet"))], default="")
    school = StringField(_l("Skole eller barnehage"), validators=[Optional(), Length(max=200)])
    class_name = StringField(_l("Klasse eller avdeling"), validators=[Optional(), Length(max=40)])
    guardians = FieldList(FormField(GuardianForm), min_entries=2, max_entries=4)
    observation = TextAreaField(_l("Hva har du sett eller hørt?"),
                                validators=[DataRequired(_l("Beskriv hva du har sett eller hørt.")),
                                            Length(max=10000)])
    since_when = StringField(_l("Siden når?"), validators=[Optional(), Length(max=200)])
    how_often = StringField(_l("Hvor ofte?"), validators=[Optional(), Length(max=200)])
    signals = MultiCheckboxField(_l("Tegn og signaler"), choices=[], validate_choice=True)
    who_knows = TextAreaField(_l("Hvem andre vet om dette?"), validators=[Optional(), Length(max=2000)])
    report_draft = TextAreaField(_l("Utkast til melding til barnevernet"), validators=[Optional(),
                                                                                       Length(max=10000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.identity = identity.current()  # the guidebook's country: whose numbers, and what they are called
        self.nin.label.text = self.identity.LABEL
        self.nin_hint = self.identity.HINT

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.birth_date.data and not self.birth_date.errors and not self.nin.errors:
            # Neither a birth date nor a national id to read it from.
            self.birth_date.errors = [*self.birth_date.errors,
                                      _l("Skriv fødselsdatoen som dd.mm.åååå, eller fødselsnummeret.")]
            return False
        return valid

    def validate_birth_date(self, field) -> None:
        if field.data and field.data > today():
            raise ValidationError(_l("Fødselsdatoen kan ikke være fram i tid."))
        if field.data and (today().year - field.data.year) > 25:
            raise ValidationError(_l("TIK gjelder barn og unge 0–24 år."))

    def validate_nin(self, field) -> None:
        if not field.data:
            return
        try:
            encoded = self.identity.birth_date_of(field.data)
            field.data = self.identity.normalise(field.data)
        except InvalidNationalId:
            raise ValidationError(self.identity.INVALID) from None
        if self.birth_date.data and encoded != self.birth_date.data:
            raise ValidationError(self.identity.MISMATCH)
        if not self.birth_date.data:
            self.birth_date.data = encoded  # derived, not asked again
