from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tik.forms import IdempotentForm, MultiCheckboxField, email_field

ROLE_CHOICES = [("employee", _l("Ansatt")), ("coordinator", _l("Koordinator (kan være stafettholder)")),
                ("team", _l("Tverrfaglig team")), ("leader", _l("Leder")), ("admin", _l("Administrator"))]


class NewUserForm(IdempotentForm):
    username = StringField(_l("Brukernavn"), validators=[
        DataRequired(_l("Skriv et brukernavn.")), Length(max=80),
        Regexp(r"^[a-z0-9._-]+$", message=_l("Bruk små bokstaver, tall, punktum, bindestrek eller understrek."))])
    name = StringField(_l("Fullt navn"), validators=[DataRequired(_l("Skriv navnet.")), Length(max=200)])
    title = StringField(_l("Stilling"), validators=[Optional(), Length(max=200)])
    email = email_field()
    phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    unit = SelectField(_l("Enhet"), choices=[], validators=[DataRequired(_l("Velg enhet."))])
    roles = MultiCheckboxField(_l("Roller"), choices=ROLE_CHOICES, default=["employee"],
                               validators=[DataRequired(_l("Velg minst én rolle."))])
    password = PasswordField(_l("Startpassord (minst 10 tegn)"),
                             validators=[DataRequired(_l("Skriv et startpassord.")), Length(min=10, max=200)])
