"""The statistics filters (a GET form: bookmarkable, no CSRF needed) and the survey upload."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date | None:
    match = MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _month(form, field) -> None:
    if field.data and parse_month(field.data) is None:
        raise ValidationError(_l("Skriv måneden som åååå-mm, for eksempel 2026-01."))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    fra = StringField(_l("Fra måned"), validators=[Optional(), _month], description=_l("åååå-mm"))
    til = StringField(_l("Til og med måned"), validators=[Optional(), _month], description=_l("åååå-mm"))
    tjeneste = SelectField(_l("Tjeneste"), validators=[Optional()])
    enhet = SelectField(_l("Enhet"), validators=[Optional()])
    aldersgruppe = SelectField(_l("Aldersgruppe"), validators=[Optional()])
    niva = SelectField(_l("Nivå"), validators=[Optional()])

    def validate_til(self, field) -> None:
        start, end = parse_month(self.fra.data or ""), parse_month(field.data or "")
        if start and end and end < start:
            raise ValidationError(_l("Til-måneden kan ikke være før fra-måneden."))
        if start and end and not whole_period(start, end):
            raise ValidationError(_l("Velg en hel måned, et kvartal eller et år (for eksempel 2026-07 til "
                                     "2026-09)."))


def whole_period(start: date, end: date) -> bool:
    """Whether start … end (first days of months) is one month, one calendar quarter or one calendar year:
    the only periods published, so that no two of them differ by a few months."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return (months == 1 or (months == 3 and start.month in (1, 4, 7, 10))
            or (months == 12 and start.month == 1))


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    ar = IntegerField(_l("År"), validators=[NumberRange(min=2000, max=2100)])


class SurveyForm(FlaskForm):
    fil = FileField(_l("CSV-fil fra ungdomsundersøkelsen"), validators=[FileRequired(_l("Velg en fil."))])
