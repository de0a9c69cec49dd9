from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Brukernavn"), validators=[DataRequired(_l("Skriv brukernavnet ditt.")),
                                                         Length(max=80)])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt."))])
