"""The child's and the parents' own words as the timeline holds them: once per conversation, newest first, dated.
The case page, the report and every letter and PDF read them here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tik.cases.models import Case, CaseEvent, EventKind
from tik.clock import local_date
from tik.extensions import db


@dataclass(frozen=True)
class Voice:
    who: str  # child | parents
    text: str
    on: date
    step_id: str


def voices(case: Case, events: list[CaseEvent] | None = None, until: datetime | None = None) -> list[Voice]:
    """Every recorded word of the child and the parents, once per conversation, newest first, dated.
    `events` (newest first, all conversations among them) may be passed when already loaded; `until`: only
    what had been said by then (a frozen plan revision prints what the family had said when it was frozen)."""
    if events is None:
        query = (select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.CONVERSATION)
                 .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()))
        events = list(db.session.scalars(query if until is None else query.where(CaseEvent.at <= until)))
    elif until is not None:
        events = [e for e in events if e.at <= until]
    result = []
    for event in events:
        if event.kind != EventKind.CONVERSATION:
            continue
        fields = event.data.get("fields") or {}
        on = _date(fields.get("conversation_date") or fields.get("meeting_date")) or local_date(event.at)
        for key, who in (event.data.get("voices") or {}).items():
            if fields.get(key):
                result.append(Voice(who, fields[key], on, event.step_id))
    result.sort(key=lambda v: v.on, reverse=True)  # stable: same day keeps the timeline's order
    return result


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
