"""The coordinated plan (handlingsplan): goals, voices, measures across services, revisions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db


class MeasureStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"
    ENDED = "ended"

    @property
    def label(self) -> str:
        """The status as staff read it (the plan, its print, the measure form)."""
        return STATUS_LABELS[self]


STATUS_LABELS = {MeasureStatus.PLANNED: _l("Planlagt"), MeasureStatus.ACTIVE: _l("Pågår"),
                 MeasureStatus.DONE: _l("Fullført"), MeasureStatus.ENDED: _l("Avsluttet")}
# A measure still to be evaluated: planned or under way (one done or ended is not evaluated again).
OPEN_FOR_EVALUATION = (MeasureStatus.PLANNED, MeasureStatus.ACTIVE)


class Plan(db.Model):
    """One plan per case; it grows with the case and is printed for the family and the team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    goals: Mapped[str] = mapped_column(Text, default="")
    child_voice: Mapped[str] = mapped_column(Text, default="")
    parents_voice: Mapped[str] = mapped_column(Text, default="")
    internal_notes: Mapped[str] = mapped_column(Text, default="")  # staff only, never in the family PDF
    # At level 3 the same plan grows into the statutory individual plan (IP); no second document.
    individual_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    child_coordinator: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # current revision printed for the family
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    version: Mapped[int] = mapped_column(Integer, default=1)

    measures: Mapped[list[Measure]] = relationship(back_populates="plan", order_by="Measure.id",
                                                   cascade="all, delete-orphan")
    __mapper_args__ = {"version_id_col": version}


class Measure(db.Model):
    """One thing one service does for the child, evaluated on a date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    service_key: Mapped[str] = mapped_column(String(64))
    responsible: Mapped[str] = mapped_column(String(200))  # the name shown (an outside person: only this)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # a participant (indexed below)
    what: Mapped[str] = mapped_column(Text)
    goal: Mapped[str] = mapped_column(Text)
    start_on: Mapped[date] = mapped_column(Date)
    evaluate_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[MeasureStatus] = mapped_column(default=MeasureStatus.PLANNED)
    # Why TIK ended it ("consent_withdrawn", "consent_expired"): such a measure is closed for good, neither
    # changed nor evaluated again (tik.plans.service.end_uncovered_measures).
    ended_reason: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    plan: Mapped[Plan] = relationship(back_populates="measures")

    @hybrid_property
    def open_for_evaluation(self) -> bool:
        """Planned or under way: the measure is still to be evaluated (OPEN_FOR_EVALUATION); SQL too."""
        return self.status in OPEN_FOR_EVALUATION

    @open_for_evaluation.inplace.expression
    @classmethod
    def _open_for_evaluation(cls):
        return cls.status.in_(OPEN_FOR_EVALUATION)

    @property
    def closed(self) -> bool:
        """Ended because the consent it hung on ended: it can no longer be changed or evaluated."""
        return bool(self.ended_reason)
    __mapper_args__ = {"version_id_col": version}
    # Only measures someone in TIK answers for: most name an outside person (NULL here), and a full index then
    # looks useless to SQLite's planner, which read every measure to find "my" ones ("Min side").
    __table_args__ = (Index("ix_measure_responsible_id", "responsible_id",
                            sqlite_where=text("responsible_id IS NOT NULL"),
                            postgresql_where=text("responsible_id IS NOT NULL")),)


class PlanRevision(db.Model):
    """A frozen copy of the plan as it was shared; earlier revisions stay readable."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)


class GoalReached(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class NextAction(enum.StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    END = "end"
    CHANGE_LEVEL = "change_level"


class Evaluation(db.Model):
    """Was the measure's goal reached, what did the child and the parents say, and what happens next."""

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"), index=True)
    evaluated_on: Mapped[date] = mapped_column(Date)
    goal_reached: Mapped[GoalReached] = mapped_column()
    child_experience: Mapped[str] = mapped_column(Text)
    parents_said: Mapped[str] = mapped_column(Text, default="")
    next_action: Mapped[NextAction] = mapped_column()
    next_evaluate_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer)  # the plan revision this evaluation started
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    measure: Mapped[Measure] = relationship()
