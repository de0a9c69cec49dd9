"""What a case shows, loaded once for every page and print that shows it: the case page (tik.cases.page), the
family's page ("Min familie", tik.family) and the plan's prints (tik.plans.printing).

It sits in the case's-history layer so that each of them, the plan's prints included, can call it; it reads
only models and the timeline's own voices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tik.cases.models import Case, CaseEvent, Consent, EventKind
from tik.extensions import db
from tik.timeline.voices import Voice, voices


@dataclass(frozen=True)
class CaseEvents:
    timeline: list[CaseEvent]  # the latest `limit` events (all of them without a limit), newest first
    voices: list[Voice]  # every conversation's words (tik.timeline.voices)
    has_reports: bool
    has_meetings: bool


def case_events(case: Case, limit: int | None = None, until: datetime | None = None) -> CaseEvents:
    """In one statement: the latest `limit` events (every event when None) with who did them, and every
    conversation and report event (for the voices and the report record); `until`: the case as it stood then
    (a frozen plan revision). The union holds the latest events, so its first `limit` rows are exactly those."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if until is not None:
        query = query.where(CaseEvent.at <= until)
    if limit is not None:
        latest = select(CaseEvent.id).where(CaseEvent.case_id == case.id)
        if until is not None:
            latest = latest.where(CaseEvent.at <= until)
        latest = latest.order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(limit)
        query = query.where(CaseEvent.id.in_(latest.scalar_subquery())
                            | CaseEvent.kind.in_((EventKind.CONVERSATION, EventKind.REPORT))
                            | ((CaseEvent.kind == EventKind.STEP) & (CaseEvent.step_id == "")))
    events = list(db.session.scalars(query.options(joinedload(CaseEvent.by))
                                      .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())))
    return CaseEvents(events[:limit] if limit is not None else events, voices(case, events),
                      any(e.kind == EventKind.REPORT and e.data.get("report_id") for e in events),
                      any(e.data.get("action") == "meeting.planned" for e in events))


def consents_of(case: Case) -> list[Consent]:
    """The case's consents with their services: in two statements, not 1 + n, and none when the case's loader
    (tik.auth.policy.case_for, family_case_for) brought them already."""
    if "consents" not in sa_inspect(case).dict:
        set_committed_value(case, "consents", list(db.session.scalars(
            select(Consent).where(Consent.case_id == case.id).options(selectinload(Consent.service_rows))
            .order_by(Consent.id))))
    return list(case.consents)
