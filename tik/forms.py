"""Form pieces shared by the blueprints."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    Field,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from tik.plans.letter_texts import language_choices

# A guardian's language is one TIK can print the family letter in: exactly the letter catalogues.
LANGUAGE_CHOICES = language_choices()


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # one @ and a dot after it: enough to catch a typing error
EMAIL_INVALID = _l("Skriv en gyldig e-postadresse.")


def valid_email(text: str) -> bool:
    """`text` is empty (an address is optional) or looks like an address of at most 200 characters."""
    text = text.strip()
    return not text or (len(text) <= 200 and EMAIL.match(text) is not None)


def email_field() -> StringField:
    """An optional e-mail address: trimmed, at most 200 characters (the columns' length), one @ and a dot."""
    return StringField(_l("E-post"), filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       validators=[Optional(), Length(max=200),
                                   Regexp(EMAIL, message=EMAIL_INVALID)])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# -- what every form refuses ---------------------------------------------------------------------------------

# C0 and C1 control characters and DEL, except tab and line breaks. PostgreSQL refuses NUL outright; the
# others are invisible in the page and in print. Bidi controls are allowed (names in Arabic script need
# them) and are isolated where user text is shown.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_REMOVED = _l("Teksten inneholdt usynlige kontrolltegn. Vi har fjernet dem; se over teksten og lagre igjen.")
TEXT_MAX = 10_000  # for a text field that states no limit of its own
FIRST_YEAR, LAST_YEAR = 1900, 2100
DATE_OUT_OF_RANGE = _l("Skriv en dato mellom år %(first)s og %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
TOO_LONG = _l("Teksten er for lang: høyst %(max)d tegn.")


def without_controls(text: str) -> str:
    """`text` with control characters removed (tab and line breaks kept) and in NFC."""
    return unicodedata.normalize("NFC", CONTROL.sub("", text))


def no_control_characters(_form, field: Field) -> None:
    """Strip control characters from a text field and say so: the user sees the cleaned text to check."""
    if isinstance(field.data, str) and CONTROL.search(field.data):
        field.data = without_controls(field.data)
        raise ValidationError(CONTROL_REMOVED)


def sane_date(_form, field: Field) -> None:
    """A date (or time) between 1900 and 2100: year 1 or 9999 is a typing error, and breaks time zones."""
    value = field.data
    if isinstance(value, date | datetime) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(DATE_OUT_OF_RANGE)


def _translations(language: str):
    """WTForms' own messages in the user's language; nynorsk readers get bokmål (WTForms has no nynorsk)."""
    from wtforms.i18n import get_translations

    return get_translations(["nb" if language in ("nb", "nn") else language, "en"])


class TikForm(FlaskForm):
    """Every form's base: text without control characters and with a length limit, dates in sane bounds."""

    class Meta:
        def get_translations(self, form):
            return _translations(str(get_locale() or "nb"))

        def bind_field(self, form, unbound_field, options):
            kwargs = unbound_field.kwargs
            validators = list(kwargs.get("validators") or [])
            kind = unbound_field.field_class
            if issubclass(kind, StringField):
                if not any(isinstance(v, Length) for v in validators):
                    validators.append(Length(max=TEXT_MAX, message=TOO_LONG))
                else:
                    for v in validators:
                        if isinstance(v, Length) and v.message is None:
                            v.message = TOO_LONG
                validators.append(no_control_characters)
            elif issubclass(kind, DateField | DateTimeField):
                validators.append(sane_date)
            if validators:
                unbound_field.kwargs = {**kwargs, "validators": validators}
            return super().bind_field(form, unbound_field, options)


# -- the stale-write guard --------------------------------------------------------------------------------

STALE_FORM = _l("Skjemaet mangler versjonen det bygde på, så vi kan ikke se om noen andre har endret det. "
                "Teksten din står under: kopier den, last siden på nytt og lagre igjen.")
MISSING_FIELD = _l("Feltet manglet i skjemaet som ble sendt. Ingenting er endret; fyll ut og lagre igjen.")
MAX_INT = 2**31 - 1


class VersionField(IntegerField):
    """The version a form was based on: required and a plain number, or the form is refused (422)."""

    widget = widgets.HiddenInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("validators", [InputRequired(STALE_FORM)])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_INT:
            self.data = None
            raise ValueError(STALE_FORM)
        self.data = int(text)


# Fields that a browser leaves out of a POST when they are unticked; any other field missing is a partial POST.
_MAY_BE_ABSENT = ("BooleanField", "MultiCheckboxField", "SelectMultipleField", "CSRFTokenField", "SubmitField",
                  "FieldList", "FormField")


class VersionedForm(TikForm):
    """A form that edits something others may edit too: it carries the version it was based on.

    A partial POST (a field of the form missing altogether, not merely empty) is refused, so a save never
    blanks what the user did not send.
    """

    version = VersionField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if field.type in _MAY_BE_ABSENT or field.name == "version":
                continue
            if field.raw_data == [] and not field.errors:
                field.errors = [*field.errors, MISSING_FIELD]
                ok = False
        return ok


class IdempotentForm(TikForm):
    """A form that creates something: a repeated submit with the same key creates it once."""

    idempotency_key = HiddenField()


def error_list(form: FlaskForm) -> list[tuple[str, str]]:
    """(field id, message) for the error summary, in the order the fields appear."""
    out = []
    for field in form:
        for error in field.errors:
            if isinstance(error, dict):  # FormField / FieldList
                for sub in field:
                    out += error_list(sub.form) if hasattr(sub, "form") else []
                break
            out.append((field.id, str(error)))
    return out


REQUIRED = _l("Fyll ut dette feltet.")
