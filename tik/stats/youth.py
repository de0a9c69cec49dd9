"""The youth door's answer times (tik/youth), per month, from its anonymous statistics rows: how many
conversations, how many answered, the median and the 90th percentile of the time to the first answer the young
person could read, and the share answered within the promise, each hidden below the statistics threshold. One
computation for the staff statistics page (a section of its own) and the youth door's public page (/ung/svartider).

The rows are not cases: they carry no unit, age group or level, so the section is shown only for the whole
municipality without such a filter (an analyst's page), for the months of the period asked for."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from tik.extensions import db
from tik.stats.service import Cell, Row, Section, Table, counted_cell
from tik.stats.suppression import suppress_share
from tik.youth.models import YouthStat


@dataclass(frozen=True)
class AnswerTimes:
    """One month's answer times; None where hidden (a base under the threshold)."""

    conversations: int | None
    answered: int | None
    median_minutes: int | None
    p90_minutes: int | None
    within_promise_percent: int | None


def p90(values: list[int]) -> int:
    """The 90th percentile by nearest rank: the smallest value at least 90 % of the values are not above."""
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def answer_times(rows: list, t: int) -> AnswerTimes:
    """The answer times of one month's rows (with answer_minutes and within_promise), each hidden under `t`;
    the share also when the late count is small (tik/stats/suppression.py)."""
    answered = [r.answer_minutes for r in rows if r.answer_minutes is not None]
    within = sum(1 for r in rows if r.answer_minutes is not None and r.within_promise)
    enough = len(answered) >= t
    share_hidden = not enough or suppress_share(within, len(answered), t).hidden
    return AnswerTimes(
        conversations=len(rows) if len(rows) >= t else None,
        answered=len(answered) if enough else None,
        median_minutes=round(statistics.median(answered)) if enough else None,
        p90_minutes=p90(answered) if enough else None,
        within_promise_percent=None if share_hidden else round(100 * within / len(answered)),
    )


def by_month(first: str, last: str) -> dict[str, list]:
    """The statistics rows of the months `first`..`last` (YYYY-MM), by month."""
    rows = db.session.execute(select(YouthStat.month, YouthStat.answer_minutes, YouthStat.within_promise,
                                     YouthStat.rating).where(YouthStat.month >= first, YouthStat.month <= last)
                              ).all()
    out: dict[str, list] = {}
    for row in rows:
        out.setdefault(row.month, []).append(row)
    return out


def youth_section(filters, scope, threshold: int):
    """The section "Ungdomsdøra: svartider" of the staff statistics page, or None (no rows in the period, a
    leader's page, or a filter the rows cannot answer)."""
    if not scope.whole or any(v is not None for v in (filters.service, filters.unit_id, filters.age_group,
                                                      filters.level)):
        return None
    months = by_month(f"{filters.start:%Y-%m}", f"{filters.end:%Y-%m}")
    if not months:
        return None
    hidden = Cell(None, f"< {threshold}", "primary")

    def hours(minutes: int | None) -> Cell:
        return hidden if minutes is None else Cell(round(minutes / 60, 1), f"{minutes / 60:.1f}".replace(".", ","))

    rows = []
    for month in sorted(months):
        figures = answer_times(months[month], threshold)
        rows.append(Row(f"{month[5:]}.{month[:4]}", (
            hidden if figures.conversations is None else counted_cell(figures.conversations),
            hidden if figures.answered is None else counted_cell(figures.answered),
            hours(figures.median_minutes), hours(figures.p90_minutes),
            hidden if figures.within_promise_percent is None
            else Cell(figures.within_promise_percent, f"{figures.within_promise_percent}\u00a0%"))))
    table = Table("youth_answer_times", _("Svartid i ungdomsdøra per måned"),
                  (_("Samtaler"), _("Besvart"), _("Median (timer)"), _("90 prosent innen (timer)"),
                   _("Innen løftet")), tuple(rows),
                  _("Tid til første svar ungdommen kunne lese, i timer: medianen, og tiden 90 % av samtalene ble "
                    "besvart innen. Andelen besvart innen løftet regnes som på /ung/svartider."), "none")
    return Section("youth", _("Ungdomsdøra: svartider"),
                   _("Samtaler i ungdomsdøra, ikke saker: de telles for hele kommunen, uten filter for enhet, "
                     "tjeneste, alder eller nivå."), (table,))
