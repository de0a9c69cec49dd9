"""The youth door's forms: the young person's (write, code, rating, consent) and the staff's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tik import identity
from tik.forms import REQUIRED, MultiCheckboxField, no_control_characters, sane_date
from tik.identity.nin import InvalidNationalId

BODY = [InputRequired(message=_l("Skriv noe før du sender.")), Length(max=4000), no_control_characters]


class WriteForm(FlaskForm):
    body = TextAreaField(_l("Hva tenker du på?"), validators=BODY)
    age_band = SelectField(_l("Alder (hvis du vil)"), choices=[], validators=[Optional()])
    area = StringField(_l("Skole eller sted (hvis du vil)"), validators=[Optional(), Length(max=200),
                                                                         no_control_characters])
    answer_by = RadioField(_l("Hvordan vil du få svar?"), default="here", validators=[InputRequired()],
                           choices=[("here", _l("Her, med svarkoden")), ("call", _l("Vi ringer deg")),
                                    ("talk", _l("En prat på drop-in"))])
    not_safe = BooleanField(_l("Jeg er ikke trygg nå"))


class CodeForm(FlaskForm):
    code = StringField(_l("Svarkoden din"), validators=[InputRequired(message=REQUIRED), Length(max=100)])


class AgainForm(FlaskForm):
    code = HiddenField(validators=[InputRequired(), Length(max=100)])
    body = TextAreaField(_l("Skriv igjen"), validators=BODY)
    not_safe = BooleanField(_l("Jeg er ikke trygg nå"))


class RatingForm(FlaskForm):
    code = HiddenField(validators=[InputRequired(), Length(max=100)])
    rating = RadioField(_l("Hjalp svaret deg? (1 = ikke i det hele tatt, 5 = veldig)"), validators=[InputRequired()],
                        choices=[(str(n), str(n)) for n in range(1, 6)])
    words = TextAreaField(_l("Vil du si mer? (hvis du vil)"), validators=[Optional(), Length(max=2000),
                                                                         no_control_characters])


class ConsentForm(FlaskForm):
    code = HiddenField(validators=[InputRequired(), Length(max=100)])
    messages = MultiCheckboxField(_l("Hva av det du skrev kan tjenestene se?"), coerce=int,
                                  validators=[InputRequired(message=_l("Velg minst én melding."))])
    services = MultiCheckboxField(_l("Hvilke tjenester kan se saken?"),
                                  validators=[InputRequired(message=_l("Velg minst én tjeneste."))])
    first_name = StringField(_l("Fornavn"), validators=[InputRequired(message=REQUIRED), Length(max=100),
                                                        no_control_characters])
    last_name = StringField(_l("Etternavn"), validators=[InputRequired(message=REQUIRED), Length(max=100),
                                                         no_control_characters])
    birth_date = DateField(_l("Fødselsdato"), validators=[InputRequired(message=REQUIRED), sane_date])
    # Optional: with it the young person finds the case on "Min familie" when they sign in with ID-porten.
    nin = StringField(_l("Fødselsnummer (hvis du vil se saken på Min familie)"),
                      validators=[Optional(), Length(max=14)])
    agreed = BooleanField(_l("Jeg sier ja til at dette blir en sak, og at bare tjenestene jeg har valgt kan se den"))


    def validate_nin(self, field) -> None:
        """A valid national id of the guidebook's country, born on the birth date given."""
        if not field.data:
            return
        rules = identity.current()
        try:
            encoded = rules.birth_date_of(field.data)
            field.data = rules.normalise(field.data)
        except InvalidNationalId:
            raise ValidationError(rules.INVALID) from None
        if self.birth_date.data and encoded != self.birth_date.data:
            raise ValidationError(rules.MISMATCH)


class AnswerForm(FlaskForm):
    template = SelectField(_l("Start fra en mal"), choices=[], validators=[Optional()])
    body = TextAreaField(_l("Svar"), validators=[Optional(), Length(max=4000), no_control_characters])


class TopicForm(FlaskForm):
    topic = SelectField(_l("Tema (for statistikken)"), choices=[], validators=[InputRequired()])


class OutcomeForm(FlaskForm):
    outcome = RadioField(_l("Hva blir samtalen til?"), validators=[InputRequired(message=REQUIRED)],
                         choices=[("answered", _l("Besvart og avsluttet")), ("talk", _l("Tilbud om en samtale")),
                                  ("referral", _l("Henvist til en tjeneste")),
                                  ("concern", _l("Tilby å gjøre den til en sak (ungdommen samtykker)")),
                                  ("report", _l("Meldeplikt: grunnlaget føres"))])
    talk = StringField(_l("Samtalen som tilbys (tid og sted)"), validators=[Optional(), Length(max=500),
                                                                             no_control_characters])
    referral = SelectField(_l("Tjeneste"), choices=[], validators=[Optional()])
    ground = SelectField(_l("Grunnlag for meldeplikten"), choices=[], validators=[Optional()])


class CertificateForm(FlaskForm):
    user_id = SelectField(_l("Ungdomsveileder"), coerce=int, choices=[], validators=[InputRequired()])
    course = StringField(_l("Kurs"), validators=[InputRequired(message=REQUIRED), Length(max=200),
                                                 no_control_characters])
    certified_on = DateField(_l("Sertifisert dato"), validators=[InputRequired(message=REQUIRED), sane_date])
