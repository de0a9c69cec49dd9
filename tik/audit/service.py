"""One entry point for the audit trail, the check that it is whole, and redaction for retention."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from tik.audit.chain import (
    ANCHOR_CHUNK,
    FORGED,
    GENESIS,
    Anchor,
    anchor_path,
    audit_key,
    body_digest,
    mark_written,
    read_anchors,
    row_problem,
    seal,
    stamp,
    table,
    tombstone,
)
from tik.audit.models import AuditEvent
from tik.clock import now
from tik.extensions import db
from tik.municipalities.rls import open_audit_chain

__all__ = ["GENESIS", "AuditBreak", "commit_reads_after_request", "record", "record_view", "redact_case_events",
           "seal", "verify"]


def record(user, action: str, case=None, detail: str = "", remote_addr: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction; it commits (or rolls back) with the action.

    Takes no lock and reads nothing: the event is sealed into the chain after the transaction, by `seal()`.
    """
    from flask import has_request_context

    from tik.db import stop_reading

    stop_reading()
    event = _event(user, action, case, detail, remote_addr)
    db.session.add(event)
    if has_request_context():
        mark_written()
    return event


def _event(user, action: str, case, detail: str, remote_addr: str | None = None) -> AuditEvent:
    event = AuditEvent(
        at=now(), user_id=getattr(user, "id", None), username=getattr(user, "username", "") or "",
        service_key=getattr(user, "service_key", "") or "", action=action,
        case_id=getattr(case, "id", None), case_ref=getattr(case, "ref", "") or "",
        remote_addr=_remote_addr() if remote_addr is None else remote_addr, detail=detail,
    )
    stamp(audit_key(), event)  # from now on, only someone with the key could have written this event
    return event


def record_view(user, action: str, case=None, detail: str = "") -> AuditEvent:
    """Audit a read in a request (a page, a list, a print, an export): the event is committed once the response
    is rendered, by `commit_reads_after_request` — the one way every read view shares. In a request that has
    only read (SQLite, tik.db.read_request) the event waits beside the session and is written then, in a
    transaction of its own, so that rendering holds no write lock; otherwise it joins the session now.

    Outside a request the event joins the caller's transaction, like `record`.
    """
    from flask import g, has_request_context

    from tik.extensions import reading

    if not has_request_context():
        return record(user, action, case, detail=detail)
    if reading():  # SQLite, a request that has only read: the event waits for the page (see tik.db.read_request)
        event = _event(user, action, case, detail)
        g.setdefault("audit_reads", []).append(event)
        mark_written()
    else:
        event = record(user, action, case, detail=detail)
    g.audit_unsaved_read = True
    return event


def shows_the_page(status: int) -> bool:
    """Whether a response with `status` showed what was read: a page, a file, a redirect, or a form given back
    (409 stale, 422 refused). An error page instead drops the read (nothing of the case reached the user)."""
    return status < 400 or status in (409, 422)


def commit_reads_after_request(app) -> None:
    """Commit the reads `record_view` audited, after the view has rendered (a commit expires what the page
    loaded: before rendering it would load it all again). Writes are committed by their service functions."""
    from flask import g

    from tik.db import stop_reading

    @app.after_request
    def _commit_reads(response):
        waiting = g.pop("audit_reads", [])
        if g.pop("audit_unsaved_read", False):
            if shows_the_page(response.status_code):
                stop_reading()  # a reader's events are written now, in a transaction of their own
                db.session.add_all(waiting)
                db.session.commit()
            else:
                db.session.rollback()
        return response


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
    """Seal what is pending, then walk the chain: name every altered row, every gap where rows were
    removed, rows rechained without the key, every row inserted without the key (forged), a missing anchor
    file, sealed rows the anchor does not reach (it was shortened), and newest rows removed after the head was
    anchored.

    Commits the session's open transaction first (sealing takes the chain's lock in its own transaction).
    """
    seal()
    key = audit_key()
    breaks: list[AuditBreak] = []
    # The anchors are read before the walk: each names a head committed before it, so the walk sees it.
    anchors = list(read_anchors())
    with db.engine.connect().execution_options(read_only=True, yield_per=2000) as conn:
        open_audit_chain(conn)  # the chain spans every municipality (tik/municipalities/rls.py)
        prev, prev_seq, prev_id = GENESIS, 0, 0
        for row in conn.execute(select(table).where(table.c.seq.is_not(None)).order_by(table.c.seq)):
            if row.prev_hash != prev or row.seq != prev_seq + 1:
                missing = f" (rows after {prev_id} are missing)" if row.seq != prev_seq + 1 else ""
                breaks.append(AuditBreak(row.id, f"does not follow the previous row{missing}"))
            problem = row_problem(key, row)
            if problem:
                breaks.append(AuditBreak(row.id, problem))
            prev, prev_seq, prev_id = row.hash, row.seq, row.id
        breaks += _anchor_breaks(conn, anchors, prev_seq)
        for event_id, mark in conn.execute(select(table.c.id, table.c.hash).where(table.c.seq.is_(None))
                                           .order_by(table.c.id).limit(100)):
            breaks.append(AuditBreak(event_id, "is forged: its MAC does not hold (not written by TIK)"
                                     if mark == FORGED else "was written but could not be sealed"))
    return breaks


def _anchor_breaks(conn, anchors: list[Anchor | int], last_seq: int) -> list[AuditBreak]:
    """Compare the chain with the heads anchored outside the database: the file must exist once anything is
    sealed, every anchored head must be in the chain as anchored, and the newest must be the chain's head."""
    if not anchor_path().exists():
        return [AuditBreak(0, f"the anchor file {anchor_path()} is missing")] if last_seq else []
    breaks = [AuditBreak(0, f"anchor file line {a} is unreadable") for a in anchors if isinstance(a, int)]
    heads = [a for a in anchors if isinstance(a, Anchor)]
    for start in range(0, len(heads), ANCHOR_CHUNK):
        chunk = {a.seq: a for a in heads[start:start + ANCHOR_CHUNK]}
        rows = conn.execute(select(table.c.seq, table.c.id, table.c.hash)
                            .where(table.c.seq.between(min(chunk), max(chunk)))).all()
        for seq, event_id, head in rows:
            anchored = chunk.get(seq)
            if anchored and (anchored.hash != head or anchored.event_id != event_id):
                breaks.append(AuditBreak(event_id, "differs from the chain head anchored outside the database"))
    newest = max((a.seq for a in heads), default=0)
    if newest > last_seq:
        event_id = max(heads, key=lambda a: a.seq).event_id
        breaks.append(AuditBreak(event_id, f"is missing: the anchored head is position {newest}, "
                                           f"the chain ends at {last_seq} (the newest rows were removed)"))
    elif newest < last_seq:
        # Read again: a sequencer may have sealed and anchored since the anchors were first read.
        newest = max((a.seq for a in read_anchors() if isinstance(a, Anchor)), default=0)
        if newest < last_seq:
            first = conn.execute(select(table.c.id).where(table.c.seq == newest + 1)).scalar()
            breaks.append(AuditBreak(first or 0, f"is not in the anchor file: positions {newest + 1} to "
                                                 f"{last_seq} are sealed but not anchored (the anchor was "
                                                 "shortened, or rows were removed with it)"))
    return breaks


def redact_case_events(case_id: int, by=None) -> int:
    """Remove the bodies (case reference, detail) of a case's events, keeping their keyed digests and a keyed
    tombstone so the chain still verifies; returns how many. In the caller's transaction (not committed).

    Raises AuditChainBroken when an event's body no longer matches its sealed digest (verify first).
    """
    key = audit_key()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                         AuditEvent.redacted.is_(None))).all()
    for event in events:
        digest = body_digest(key, event.case_ref, event.detail)
        if event.body_digest is not None and event.body_digest != digest:
            raise AuditChainBroken(event.id)
        event.body_digest = digest
        event.redacted = tombstone(key, event.id, digest)
        event.case_ref = ""
        event.detail = ""
    if events:
        record(by, "audit.redact", SimpleNamespace(id=case_id, ref=""), detail=f"{len(events)} events")
    return len(events)


class AuditChainBroken(RuntimeError):
    """An event was altered: redaction would hide it, so it refuses (run `tik audit verify`)."""

    def __init__(self, event_id: int) -> None:
        super().__init__(f"audit event {event_id} was altered; run `tik audit verify`")
        self.event_id = event_id


READ_ACTIONS = ("case.view", "plan.view", "plan.pdf", "case.export")
