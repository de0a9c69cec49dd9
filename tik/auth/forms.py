from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tik.forms import TikForm


class LoginForm(TikForm):
    username = StringField(_l("Brukernavn"), validators=[DataRequired(_l("Skriv brukernavnet ditt.")),
                                                         Length(max=80)])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt.")),
                                                     Length(max=200)])
