"""Appending to a case's timeline and reading it back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tik.auth.models import User
from tik.auth.policy import ensure_writable
from tik.cases.models import Case, CaseEvent, EventKind
from tik.clock import now
from tik.extensions import db

# Entries a closed or restricted case still takes: its life, and a new concern (which only ever reaches an open
# case: after closing a concern opens a new case; a restricted case stores it and changes nothing else).
LIFE_KINDS = frozenset({EventKind.CLOSED, EventKind.REPORT, EventKind.EMERGENCY, EventKind.REOPENED,
                        EventKind.ARCHIVED, EventKind.RESTRICTED, EventKind.LEGAL_HOLD, EventKind.CONCERN})


def log(case: Case, kind: EventKind, by: User | None, step_id: str = "", decision: str = "",
        level: int | None = None, **data) -> CaseEvent:
    """Append an entry to the case's timeline (stafettlogg) in the current transaction.

    Raises CaseLocked for a closed or restricted case: every change leaves an entry, so none gets past this
    (only the case's life itself — closing, reopening, archive print, restriction, legal hold — may)."""
    ensure_writable(case, life=kind in LIFE_KINDS)
    event = CaseEvent(case_id=case.id, at=now(), by_id=getattr(by, "id", None), kind=kind, step_id=step_id,
                      decision=decision, level=level, data=data)
    db.session.add(event)
    return event


def timeline(case: Case, limit: int | None = None, until: datetime | None = None) -> list[CaseEvent]:
    """The stafettlogg, newest first, with who did it loaded in the same query; `until`: as it stood then."""
    query = (select(CaseEvent).where(CaseEvent.case_id == case.id)
             .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc()))
    if until is not None:
        query = query.where(CaseEvent.at <= until)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
