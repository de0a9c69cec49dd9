"""The nightly summary (counts without identities), the refresh log, and imported youth-survey figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class StatCell(InMunicipality, db.Model):
    """How many things of one kind (`metric`, `key`) fell in one month, unit, service, age group and level.

    Holds counts only: no case, child or user id, no dates finer than the month. The statistics page reads
    nothing else. Beside the detailed cells (grain "") the refresh writes the same counts summed over units,
    services, age groups and levels (grain "whole"), keeping only the age group ("age") or only the level
    ("level"): the unfiltered page of the whole municipality reads those, a few hundred rows whatever the
    municipality's size (refresh.GRAINS).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(8), default="", server_default="")
    metric: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(80), default="")
    month: Mapped[date] = mapped_column(Date)  # the first day of the month (of the year, when months is 12)
    months: Mapped[int] = mapped_column(Integer, default=1)  # 1: one month; 12: the whole year, summed
    unit_id: Mapped[int | None] = mapped_column(Integer)  # the owning unit, once units exist
    service_key: Mapped[str] = mapped_column(String(64))  # the owning service
    age_group: Mapped[str] = mapped_column(String(32))  # a key of the guidebook's age groups
    level: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)

    # Every sum the page makes is read from this index alone: it leads with what the page filters on
    # (the municipality, the grain, the metric, then the period) and holds every other column, so no table row
    # is visited.
    __table_args__ = (Index("ix_stat_cell_covering", "municipality_id", "grain", "metric", "months", "month", "key",
                            "service_key", "unit_id", "age_group", "level", "count"),)


class StatRun(InMunicipality, db.Model):
    """One refresh of the summary: when it ran and how many cells it wrote."""

    id: Mapped[int] = mapped_column(primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    cells: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class SurveyValue(InMunicipality, db.Model):
    """One aggregated indicator of a youth survey (e.g. Ungdata) for one year, in per cent."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    respondents: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    __table_args__ = (UniqueConstraint("municipality_id", "year", "indicator"),)
