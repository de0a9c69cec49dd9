"""Form pieces shared by the blueprints."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
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

from tik.extensions import interface_language
from tik.letter_texts import language_choices

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


# -- the same rules for a form read field by field (request.form) ------------------------------------------

CONTROL_REFUSED = _l("Teksten inneholder usynlige kontrolltegn. Fjern dem og lagre igjen.")


class TextRefused(ValueError):
    """A text breaks the field rules: `field` names it, `message` says why in the user's language."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field)
        self.field, self.message = field, message


def column_length(column) -> int:
    """The longest text `column` holds: its declared length, else TEXT_MAX."""
    return getattr(column.type, "length", None) or TEXT_MAX


def check_text(model, values: dict) -> None:
    """Refuse (TextRefused) a text in `values` that `model`'s column of that name cannot hold as typed: longer
    than the column, or with control characters (NUL among them). What TikForm does, for forms that read
    request.form themselves; the service functions that write those columns call it too."""
    columns = model.__table__.c
    for name, value in values.items():
        if not isinstance(value, str) or name not in columns:
            continue
        if CONTROL.search(value):
            raise TextRefused(name, str(CONTROL_REFUSED))
        limit = column_length(columns[name])
        if len(value) > limit:
            raise TextRefused(name, str(_l("Teksten er for lang: høyst %(max)d tegn.", max=limit)))


def query_int(text: str) -> int:
    """`type=` for a number in a query string: ASCII digits within the database's integer range, else
    ValueError (request.args.get then gives its default), never a number the database cannot hold."""
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > MAX_INT:
        raise ValueError(text)
    return int(text)


def _translations(language: str):
    """WTForms' own messages in the user's language; nynorsk readers get bokmål (WTForms has no nynorsk)."""
    from wtforms.i18n import get_translations

    return get_translations(["nb" if language in ("nb", "nn") else language, "en"])


class TikForm(FlaskForm):
    """Every form's base: text without control characters and with a length limit, dates in sane bounds."""

    class Meta:
        def get_translations(self, form):
            return _translations(interface_language())

        def bind_field(self, form, unbound_field, options):
            validators = house_validators(unbound_field)
            if validators is not None:  # the field's own list stays as declared: each bound field gets a copy
                options = {**options, "validators": list(validators)}
            return super().bind_field(form, unbound_field, options)


def house_validators(unbound_field) -> tuple | None:
    """The field's validators with the house rules added (a length limit and no control characters on text,
    sane bounds on dates), worked out once per declared field; None when nothing is added.

    Never written back into the declared field: that would add the rules again at every form built from
    it, so that a long-running worker checked each text field thousands of times per request.
    """
    try:
        return unbound_field._tik_validators
    except AttributeError:
        pass
    validators = list(unbound_field.kwargs.get("validators") or [])
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
    unbound_field._tik_validators = tuple(validators) if validators else None
    return unbound_field._tik_validators


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


# -- a form as a page first shows it, without building it ------------------------------------------------------

_INPUT_TYPES = {"HiddenInput": "hidden", "TextInput": "text", "DateInput": "date", "CheckboxInput": "checkbox"}


def html_attributes(params: dict) -> str:
    """WTForms' `html_params`, byte for byte (sorted keys, `class_` → `class`, `True` alone, `False` left
    out), without its per-attribute Markup formatting."""
    out = []
    for key, value in sorted(params.items()):
        key = widgets.core.clean_key(key)
        if value is True:
            out.append(key)
        elif value is not False:
            out.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(out)


class _Label:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


@dataclass(frozen=True)
class _Spec:
    """What one declared field is, as WTForms binds it in one language: read once from a real instance."""

    name: str
    type: str
    kind: str  # an input type (text, date, hidden, checkbox), "textarea", "select" or "checkboxes"
    label: str
    description: str
    flags: tuple[tuple[str, Any], ...]  # the validation attributes its widget renders (required, maxlength …)
    default: Any
    choices: tuple[tuple[str, str], ...]
    date_format: str


class BlankField:
    """One field of a BlankForm: the names the templates read of a WTForms field (id, name, type, label,
    description, errors, data, flags), called to render itself as WTForms' widget would."""

    __slots__ = ("spec", "id", "name", "type", "label", "description", "errors", "data", "choices")

    def __init__(self, spec: _Spec, data: Any, choices: tuple | list | None) -> None:
        self.spec, self.id, self.name, self.type = spec, spec.name, spec.name, spec.type
        self.label, self.description, self.errors = _Label(spec.label), spec.description, ()
        self.data = data
        self.choices = spec.choices if choices is None else [(str(v), str(t)) for v, t in choices]

    def _value(self) -> str:
        data, kind = self.data, self.spec.kind
        if kind == "checkbox":
            return "y"
        if kind == "date":
            return data.strftime(self.spec.date_format) if data else ""
        return "" if data is None else str(data)

    def __call__(self, **params) -> Markup:
        spec = self.spec
        params.setdefault("id", self.id)
        for key, value in spec.flags:
            params.setdefault(key, value)
        if spec.kind == "textarea":
            # attributes through WTForms' html_attributes, text through escape(): safe to mark (B704)
            return Markup(f"<textarea {html_attributes({'name': self.name, **params})}>\r\n"  # nosec B704
                          f"{escape(self._value())}</textarea>")
        if spec.kind == "select":
            options = "".join(
                f"<option {html_attributes({'value': v, 'selected': v == self.data})}>{escape(t or v)}</option>"
                for v, t in self.choices)
            return Markup(f"<select {html_attributes({'name': self.name, **params})}>{options}</select>")  # nosec B704
        if spec.kind == "checkboxes":
            raise TypeError("a group of checkboxes renders option by option (iterate it)")
        params.setdefault("type", spec.kind)
        params.setdefault("value", self._value())
        if spec.kind == "checkbox" and self.data:
            params.setdefault("checked", True)
        return Markup(f"<input {html_attributes({'name': self.name, **params})}>")  # nosec B704 - escaped attributes

    __str__ = __html__ = __call__

    def __iter__(self):
        """The options of a group of checkboxes, each rendered as WTForms renders them."""
        chosen = set(self.data or ())
        for i, (value, text) in enumerate(self.choices):
            yield _BlankOption(self, f"{self.id}-{i}", value, text or value, value in chosen)


class _BlankOption:
    __slots__ = ("field", "id", "value", "label", "checked")

    def __init__(self, field: BlankField, id_: str, value: str, text: str, checked: bool) -> None:
        self.field, self.id, self.value, self.label, self.checked = field, id_, value, _Label(text), checked

    def __call__(self, **params) -> Markup:
        params.setdefault("id", self.id)
        params.setdefault("type", "checkbox")
        params.setdefault("value", self.value)
        for key, value in self.field.spec.flags:
            params.setdefault(key, value)
        if self.checked:
            params.setdefault("checked", True)
        return Markup(f"<input {html_attributes({'name': self.field.name, **params})}>")  # nosec B704 - escaped

    __str__ = __html__ = __call__


class BlankForm:
    """A form as a page first shows it — nothing typed, no errors — rendered exactly as the WTForms form
    would be, without building one. Building binds every field with its validators, flags and translations,
    and WTForms' widgets then work out each attribute again: on the case page, with three such forms, that
    cost more than the rest of the page. What each field is (id, label, flags, widget, choices) is read once
    per form class and language from a real instance; a blank form only carries its values.

    `BlankForm(HandoverForm, idempotency_key=…)`; `choices` gives a choice field's options when they are
    set per request. A refused POST re-renders the real form, with what was typed and the errors.
    `tests/cases/test_blank_forms.py` holds the two renderings equal, byte for byte.
    """

    _specs: dict[tuple, tuple[tuple[_Spec, ...], str | None]] = {}

    def __init__(self, form_class: type[FlaskForm], choices: dict[str, list] | None = None, **data) -> None:
        specs, self._csrf_name = self._specs_of(form_class)
        choices = choices or {}
        self._fields = [BlankField(s, data.get(s.name, s.default), choices.get(s.name)) for s in specs]
        unknown = set(data) - {f.name for f in self._fields}
        if unknown:
            raise TypeError(f"{form_class.__name__} has no field {', '.join(sorted(unknown))}")
        for field in self._fields:
            setattr(self, field.name, field)

    def __iter__(self):
        return iter(self._fields)

    def hidden_tag(self) -> Markup:
        """The hidden fields and the CSRF token, as FlaskForm.hidden_tag renders them."""
        hidden = [str(f) for f in self._fields if f.spec.kind == "hidden"]
        if self._csrf_name:
            from flask_wtf.csrf import generate_csrf

            csrf = {"name": self._csrf_name, "id": self._csrf_name, "type": "hidden", "value": generate_csrf()}
            hidden.append(f"<input {html_attributes(csrf)}>")
        return Markup("\n".join(hidden))  # nosec B704 - inputs rendered above with escaped attributes

    @classmethod
    def _specs_of(cls, form_class: type[FlaskForm]) -> tuple[tuple[_Spec, ...], str | None]:
        from flask import current_app

        csrf = current_app.config.get("WTF_CSRF_ENABLED", True)
        key = (form_class, interface_language(), csrf)
        if key not in cls._specs:
            form = form_class(formdata=None)
            csrf_name = form.meta.csrf_field_name if form.meta.csrf else None
            cls._specs[key] = (tuple(_spec(f) for f in form if f.name != csrf_name), csrf_name)
        return cls._specs[key]


def _spec(field: Field) -> _Spec:
    widget = field.widget
    if isinstance(widget, widgets.TextArea):
        kind = "textarea"
    elif isinstance(widget, widgets.Select) and not widget.multiple:
        kind = "select"
    elif isinstance(widget, widgets.ListWidget) and isinstance(field.option_widget, widgets.CheckboxInput):
        kind, widget = "checkboxes", field.option_widget
    elif type(widget).__name__ in _INPUT_TYPES and type(widget) in (widgets.HiddenInput, widgets.TextInput,
                                                                    widgets.DateInput, widgets.CheckboxInput):
        kind = _INPUT_TYPES[type(widget).__name__]
    else:
        raise TypeError(f"BlankForm cannot render {field.name} ({type(widget).__name__})")
    if field.render_kw or getattr(field, "_datalist", None) is not None:
        raise TypeError(f"BlankForm cannot render {field.name} (render_kw or a datalist)")
    flags = tuple((k, getattr(field.flags, k)) for k in dir(field.flags) if k in widget.validation_attrs)
    choices = tuple((str(v), str(t)) for v, t, *_ in (getattr(field, "choices", None) or ()))
    return _Spec(name=field.name, type=field.type, kind=kind, label=str(field.label.text),
                 description=str(field.description or ""), flags=flags, default=field.data, choices=choices,
                 date_format=field.format[0] if kind == "date" else "")
