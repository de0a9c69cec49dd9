"""Import of a youth survey's aggregated indicators (e.g. Ungdata), CSV in the format documented in README.

    år;indikator;prosent;antall_svar
    2024;Trives på skolen;87,5;1210
    2024;Plaget av ensomhet;21;1210

Semicolon or comma separated, UTF-8 (a BOM is fine), the header row first, decimal comma or point,
`antall_svar` may be empty. A file with any error is refused whole, every error naming line and column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tik.audit.service import record
from tik.db import unit_of_work
from tik.extensions import db
from tik.stats.models import SurveyValue

COLUMNS = ("år", "indikator", "prosent", "antall_svar")


@dataclass(frozen=True)
class SurveyRow:
    year: int
    indicator: str
    value: float
    respondents: int | None


@dataclass(frozen=True)
class SurveyProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Linje %(line)s, kolonne «%(column)s»: %(message)s", line=self.line, column=self.column,
                 message=self.message)


class SurveyRefused(Exception):
    def __init__(self, problems: list[SurveyProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse(data: bytes) -> list[SurveyRow]:
    """The rows of a survey file; raises SurveyRefused naming the line and column of every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyRefused([SurveyProblem(1, "-", _("filen er ikke UTF-8-tekst"))]) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:len(COLUMNS)] != list(COLUMNS):
        raise SurveyRefused([SurveyProblem(1, "-", _("første linje må være «%(header)s»",
                                                     header=delimiter.join(COLUMNS)))])
    rows, problems, seen = [], [], set()
    for line, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(COLUMNS):
            problems.append(SurveyProblem(line, "-", _("ventet %(n)s kolonner, fant %(found)s", n=len(COLUMNS),
                                                       found=len(fields))))
            continue
        year_text, indicator, value_text, respondents_text = (f.strip() for f in fields)
        year = _int(year_text)
        if year is None or not 1990 <= year <= 2100:
            problems.append(SurveyProblem(line, "år", _("«%(value)s» er ikke et årstall", value=year_text)))
        if not indicator or len(indicator) > 200:
            problems.append(SurveyProblem(line, "indikator", _("mangler eller er lengre enn 200 tegn")))
        value = _float(value_text)
        if value is None or not 0 <= value <= 100:
            problems.append(SurveyProblem(line, "prosent",
                                          _("«%(value)s» er ikke en prosent mellom 0 og 100", value=value_text)))
        respondents = _int(respondents_text) if respondents_text else None
        if respondents_text and (respondents is None or respondents < 0):
            problems.append(SurveyProblem(line, "antall_svar",
                                          _("«%(value)s» er ikke et helt tall", value=respondents_text)))
        if (year, indicator.lower()) in seen:
            problems.append(SurveyProblem(line, "indikator", _("står to ganger for samme år")))
        seen.add((year, indicator.lower()))
        if not problems:
            rows.append(SurveyRow(year, indicator, value, respondents))
    if problems:
        raise SurveyRefused(problems)
    if not rows:
        raise SurveyRefused([SurveyProblem(2, "-", _("filen har ingen rader med tall"))])
    return rows


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", ".").replace("%", "").strip())
    except ValueError:
        return None


@unit_of_work
def store(rows: list[SurveyRow], by=None) -> int:
    """Save the rows, replacing a year's earlier value of the same indicator (audited as `by`'s import);
    returns how many."""
    existing = {(v.year, v.indicator.lower()): v for v in db.session.scalars(select(SurveyValue))}
    for row in rows:
        value = existing.get((row.year, row.indicator.lower()))
        if value is None:
            db.session.add(SurveyValue(year=row.year, indicator=row.indicator, value=row.value,
                                       respondents=row.respondents))
        else:
            value.value, value.respondents = row.value, row.respondents
    record(by, "stats.survey_import", detail=f"{len(rows)} values")
    return len(rows)


def values() -> list[SurveyValue]:
    return list(db.session.scalars(select(SurveyValue).order_by(SurveyValue.indicator, SurveyValue.year)))
