"""Form pieces shared by the blueprints."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, widgets

from tik.plans.letter_texts import language_choices

# A guardian's language is one TIK can print the family letter in: exactly the letter catalogues.
LANGUAGE_CHOICES = language_choices()


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VersionedForm(FlaskForm):
    """A form that edits something others may edit too: it carries the version it was based on."""

    version = IntegerField(widget=widgets.HiddenInput())


class IdempotentForm(FlaskForm):
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
