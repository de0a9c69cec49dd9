"""The published answer times of the youth door, per month, from the anonymous statistics rows: the median
time to the first answer, the share answered within the promise, and the young people's own rating.
A figure whose base is under the statistics threshold is hidden (tik/stats/suppression.py)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from tik.extensions import db
from tik.stats.suppression import suppress_share
from tik.youth.models import YouthStat


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    conversations: int | None  # None: hidden (under the threshold)
    median_minutes: int | None
    within_promise_percent: int | None
    rating: float | None
    ratings: int | None


def threshold() -> int:
    return current_app.config["TIK_STATS_MIN_CELL"]


def monthly_figures(months: int = 12) -> list[MonthFigures]:
    """The last `months` months that have conversations, newest first, suppressed."""
    rows = db.session.execute(select(YouthStat.month, YouthStat.answer_minutes, YouthStat.within_promise,
                                     YouthStat.rating)).all()
    by_month: dict[str, list] = {}
    for row in rows:
        by_month.setdefault(row.month, []).append(row)
    return [figures_of(month, by_month[month], threshold()) for month in sorted(by_month, reverse=True)[:months]]


def figures_of(month: str, rows: list, t: int) -> MonthFigures:
    """One month's figures from its rows (answer_minutes, within_promise, rating), each hidden under `t`."""
    answered = [r.answer_minutes for r in rows if r.answer_minutes is not None]
    within = sum(1 for r in rows if r.within_promise)
    ratings = [r.rating for r in rows if r.rating is not None]
    share_hidden = len(answered) < t or suppress_share(within, len(answered), t).hidden
    return MonthFigures(
        month=month,
        conversations=len(rows) if len(rows) >= t else None,
        median_minutes=round(statistics.median(answered)) if len(answered) >= t else None,
        within_promise_percent=None if share_hidden else round(100 * within / len(answered)),
        rating=round(statistics.mean(ratings), 1) if len(ratings) >= t else None,
        ratings=len(ratings) if len(ratings) >= t else None,
    )
