from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tik.forms import TikForm


class LoginForm(TikForm):
    username = StringField(_l("Brukernavn"), validators=[DataRequired(_l("Skriv brukernavnet ditt.")),
                                                         Length(max=80)])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt.")),
                                                     Length(max=200)])


class SecondFactorForm(TikForm):
    code = StringField(_l("Kode"), validators=[DataRequired(_l("Skriv koden.")), Length(max=40)],
                       description=_l("Sekssifret kode fra autentiseringsappen, eller en gjenopprettingskode."))


class EnrolForm(TikForm):
    code = StringField(_l("Kode fra appen"), validators=[DataRequired(_l("Skriv koden.")), Length(max=10)])


class EnrolmentCodeForm(TikForm):
    enrolment_code = StringField(_l("Engangskode fra administrator"),
                                 validators=[DataRequired(_l("Skriv engangskoden.")), Length(max=40)])
