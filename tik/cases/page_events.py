"""The events the case page shows, in one query: the latest ones, and every conversation and report event
(for the voices and the report record)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tik.cases.models import Case, CaseEvent, EventKind
from tik.extensions import db
from tik.timeline.voices import Voice, voices


@dataclass(frozen=True)
class PageEvents:
    timeline: list[CaseEvent]  # the latest `limit` events
    voices: list[Voice]
    has_reports: bool
    has_meetings: bool


def page_events(case: Case, limit: int) -> PageEvents:
    """In one query: the latest `limit` events, and every conversation and report event (for the voices and the
    report record). The union holds the latest events, so its first `limit` rows are exactly those."""
    latest = (select(CaseEvent.id).where(CaseEvent.case_id == case.id)
              .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(limit))
    events = list(db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id,
                                CaseEvent.id.in_(latest.scalar_subquery())
                                | CaseEvent.kind.in_((EventKind.CONVERSATION, EventKind.REPORT))
                                | ((CaseEvent.kind == EventKind.STEP) & (CaseEvent.step_id == "")))
        .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc())))
    return PageEvents(events[:limit], voices(case, events),
                      any(e.kind == EventKind.REPORT and e.data.get("report_id") for e in events),
                      any(e.data.get("action") == "meeting.planned" for e in events))
