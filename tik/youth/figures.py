"""The published answer times of the youth door, per month, from the anonymous statistics rows: the median
time to the first answer, the share answered within the promise, and the young people's own rating.
A figure whose base is under the statistics threshold is hidden (tik/stats/suppression.py); the answer times
are computed in tik/stats/youth.py, for this page and the staff statistics page alike."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from tik.extensions import db
from tik.stats.youth import answer_times
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
    times = answer_times(rows, t)  # the same figures as the staff statistics page (tik/stats/youth.py)
    ratings = [r.rating for r in rows if r.rating is not None]
    return MonthFigures(
        month=month,
        conversations=times.conversations,
        median_minutes=times.median_minutes,
        within_promise_percent=times.within_promise_percent,
        rating=round(statistics.mean(ratings), 1) if len(ratings) >= t else None,
        ratings=len(ratings) if len(ratings) >= t else None,
    )
