"""One entry point for the audit trail, and the check that it is whole."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, text

from tik.audit.models import AuditEvent
from tik.clock import now
from tik.extensions import db

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    parts = [event.prev_hash, event.at.isoformat(), str(event.user_id or ""), event.username,
             event.service_key, event.action, str(event.case_id or ""), event.case_ref,
             event.remote_addr, event.detail]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def record(user, action: str, case=None, detail: str = "", remote_addr: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction; it commits (or rolls back) with the action."""
    if remote_addr is None:
        remote_addr = _remote_addr()
    if db.engine.dialect.name == "postgresql":
        # Serialise writers of the chain so two transactions never link to the same predecessor.
        db.session.execute(text("SELECT pg_advisory_xact_lock(7316)"))
    last = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=now(), user_id=getattr(user, "id", None), username=getattr(user, "username", "") or "",
        service_key=getattr(user, "service_key", "") or "", action=action,
        case_id=getattr(case, "id", None), case_ref=getattr(case, "ref", "") or "",
        remote_addr=remote_addr, detail=detail, prev_hash=last or GENESIS,
    )
    event.hash = _digest(event)
    db.session.add(event)
    return event


def _remote_addr() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else "cli"


@dataclass(frozen=True)
class AuditBreak:
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.problem}"


def verify() -> list[AuditBreak]:
    """Walk the chain; name every row that was altered, and every gap where a row was removed."""
    breaks: list[AuditBreak] = []
    prev = GENESIS
    prev_id = 0
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_hash != prev:
            missing = f" (rows after {prev_id} are missing)" if event.id != prev_id + 1 else ""
            breaks.append(AuditBreak(event.id, f"does not follow the previous row{missing}"))
        if _digest(event) != event.hash:
            breaks.append(AuditBreak(event.id, "was altered after it was written"))
        prev, prev_id = event.hash, event.id
    return breaks


READ_ACTIONS = ("case.view", "plan.view", "plan.pdf", "case.export")


def viewers_of(case_id: int) -> list[tuple[str, str, object, int]]:
    """Who has opened a case: (name, service, last time, times) per person, most recent first."""
    from sqlalchemy import func

    from tik.auth.models import User

    rows = db.session.execute(
        select(func.coalesce(User.name, AuditEvent.username), AuditEvent.service_key, func.max(AuditEvent.at),
               func.count())
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.case_id == case_id, AuditEvent.action.in_(READ_ACTIONS))
        .group_by(func.coalesce(User.name, AuditEvent.username), AuditEvent.service_key)
        .order_by(func.max(AuditEvent.at).desc())
    )
    return [tuple(r) for r in rows]
