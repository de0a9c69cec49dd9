"""The audit chain: keyed digests, the sequencer that seals written events in order, and the anchor file.

Requests write events without chain fields (seq, prev_hash, hash NULL) in their own transaction, so no
request ever waits for the chain; but each event carries, from the moment it is written, a nonce and a MAC
over its content keyed with TIK_AUDIT_KEY, which the database does not hold. `seal()` takes the chain's lock
in a short transaction of its own and links every unsealed event whose MAC holds, in id order, to the head
(each row's hash is an HMAC under the same key); an event whose MAC does not hold (inserted by someone
without the key) or repeats another's is never linked: it is marked forged and `verify` names it.
After each seal the new head is appended to the anchor file (TIK_AUDIT_ANCHOR, outside the database;
optionally the system log too), so that removing the newest rows is detected. The hash covers a keyed
digest of the body (case reference and detail) rather than the body itself, so retention can remove a
case's bodies and leave a keyed tombstone while the chain verifies.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Connection

from tik.audit.models import AuditEvent
from tik.clock import now
from tik.extensions import db
from tik.municipalities.rls import open_audit_chain

GENESIS = "0" * 64
FORGED = "forged"  # the hash of an unsealed row the sequencer refused: its MAC does not hold
BATCH = 500  # events sealed per transaction: the lock is held for milliseconds, whatever the backlog
LOCK_KEY = 7316  # PostgreSQL advisory lock of the sequencer (SQLite: the write lock of BEGIN IMMEDIATE)
ANCHOR_CHUNK = 100_000  # anchor lines compared with the chain per pass (bounds verify's memory)

log = logging.getLogger(__name__)
table = AuditEvent.__table__


# -- keyed digests ------------------------------------------------------------------------------------------


def audit_key() -> bytes:
    """The chain's HMAC key (TIK_AUDIT_KEY), never stored in the database."""
    return base64.b64decode(current_app.config["TIK_AUDIT_KEY"])


# The labels and the separator are the chain's format (tests/audit/test_audit_edges.py: a fixed row's digests are fixed
# values).
def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(("tik-audit-v2", *parts)).encode(), hashlib.sha256).hexdigest()


def body_digest(key: bytes, case_ref: str, detail: str) -> str:
    """Keyed digest of what retention may remove; keyed, so a short detail cannot be guessed back."""
    return _mac(key, "body", case_ref or "", detail or "")


def tombstone(key: bytes, event_id: int, body: str) -> str:
    """Proof, made with the key, that the body of `event_id` was removed on purpose."""
    return _mac(key, "redacted", str(event_id), body)


def row_hash(key: bytes, row: Any) -> str:
    """The row's link in the chain: its position, its predecessor, every kept field and the body digest."""
    return _mac(key, "row", str(row.seq), str(row.id), row.prev_hash or "", row.at.isoformat(),
                str(row.user_id or ""), row.username, row.service_key, row.action, str(row.case_id or ""),
                row.remote_addr, row.body_digest or "")


def event_mac(key: bytes, row: Any) -> str:
    """The MAC an event carries from the moment the app writes it: its nonce, every kept field, the body digest."""
    return _mac(key, "event", row.nonce or "", row.at.isoformat(), str(row.user_id or ""), row.username,
                row.service_key, row.action, str(row.case_id or ""), row.remote_addr, expected_body(key, row))


def stamp(key: bytes, event: Any) -> None:
    """Give a new event its nonce and MAC (tik.audit.service.record does, before the event is written)."""
    event.nonce = secrets.token_hex(16)
    event.mac = event_mac(key, event)


def mac_holds(key: bytes, row: Any) -> bool:
    """Whether the row's MAC was made with the key over what the row holds now."""
    return bool(row.mac) and hmac.compare_digest(row.mac, event_mac(key, row))


def is_redacted(key: bytes, row: Any) -> bool:
    """True when the row carries a valid tombstone (made with the key) for its stored body digest."""
    return bool(row.redacted and row.body_digest
                and hmac.compare_digest(row.redacted, tombstone(key, row.id, row.body_digest)))


def expected_body(key: bytes, row: Any) -> str:
    """The body digest the row must carry: the stored one once validly redacted, else one of its content."""
    if is_redacted(key, row):
        return row.body_digest
    return body_digest(key, row.case_ref, row.detail)


def row_problem(key: bytes, row: Any) -> str | None:
    """Why a sealed row is not as it was sealed (None when it is whole)."""
    if row.hash is None or row.prev_hash is None or row.body_digest is None:
        return "was altered after it was written"
    if is_redacted(key, row) and (row.case_ref or row.detail):
        return "was altered after it was redacted"
    if not hmac.compare_digest(row.body_digest, expected_body(key, row)):
        return "was altered after it was written"
    if not hmac.compare_digest(row.hash, row_hash(key, row)):
        return "was altered after it was written"
    # A row sealed before events carried a MAC has none: its keyed chain hash vouches for it (legacy).
    if row.mac is not None and not mac_holds(key, row):
        return "was altered after it was written"
    return None


def link(key: bytes, row: dict, seq: int, prev_hash: str) -> str:
    """Fill the chain fields of `row` (a dict of an event's columns) as the sequencer does; returns its hash."""
    row.update(seq=seq, prev_hash=prev_hash, body_digest=expected_body(key, SimpleNamespace(**row)))
    row["hash"] = row_hash(key, SimpleNamespace(**row))
    return row["hash"]


# -- the sequencer ------------------------------------------------------------------------------------------


def seal() -> int:
    """Seal every written, unsealed event whose MAC holds into the chain in id order; returns how many were
    sealed. An event whose MAC does not hold, or repeats a MAC already written, is marked forged instead
    (hash FORGED, never linked) and named by `verify`.

    Runs in short transactions of its own (never the caller's), each holding the chain's lock, and appends
    each new head to the anchor file after it commits.
    """
    _end_session_transaction()
    key = audit_key()
    total = 0
    while True:
        with db.engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE, the write lock serialises sequencers
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            open_audit_chain(conn)  # the chain is the install's: every municipality's events (rls.py)
            rows = conn.execute(select(table).where(table.c.seq.is_(None), table.c.hash.is_(None))
                                .order_by(table.c.id).limit(BATCH)).mappings().all()
            if not rows:
                return total
            genuine, forged = _sort_out(conn, key, rows)
            head = _head(conn)
            seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
            changes = []
            for row in genuine:
                values = dict(row)
                prev = link(key, values, seq + 1, prev)
                seq += 1
                changes.append({"b_id": values["id"], "b_seq": seq, "b_prev": values["prev_hash"],
                                "b_hash": prev, "b_body": values["body_digest"]})
            if changes:
                conn.execute(update(table).where(table.c.id == bindparam("b_id")).values(
                    seq=bindparam("b_seq"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"),
                    body_digest=bindparam("b_body")), changes)
            if forged:
                conn.execute(update(table).where(table.c.id.in_(forged)).values(hash=FORGED))
        if genuine:
            anchor(seq, genuine[-1]["id"], prev)
        total += len(genuine)
        if len(rows) < BATCH:
            return total


def _sort_out(conn: Connection, key: bytes, rows: list) -> tuple[list, list[int]]:
    """Split a batch into the events the app wrote (MAC holds, not a copy of another) and the forged ids."""
    seen = _sealed_macs(conn, [row["mac"] for row in rows if row["mac"]])
    genuine, forged = [], []
    for row in rows:
        if row["mac"] in seen or not mac_holds(key, SimpleNamespace(**row)):
            forged.append(row["id"])
        else:
            seen.add(row["mac"])
            genuine.append(row)
    return genuine, forged


# SQLite's statistics count every event sealed before MACs existed (mac NULL) as one value of the MAC's index:
# with them the planner took the index for useless and read the whole trail for the check below (1.4 s at three
# million events, holding the write lock every request's audit commit waits for). Named, the index is used.
_SEALED_MACS_SQLITE = text("SELECT mac FROM audit_event INDEXED BY ix_audit_event_mac "
                           "WHERE mac IN :macs AND seq IS NOT NULL").bindparams(bindparam("macs", expanding=True))


def _sealed_macs(conn: Connection, macs: list[str]) -> set[str]:
    """Which of `macs` a sealed event already carries (read through the MAC's unique index)."""
    if not macs:
        return set()
    if conn.dialect.name == "sqlite":
        return set(conn.execute(_SEALED_MACS_SQLITE, {"macs": macs}).scalars())
    return set(conn.execute(select(table.c.mac).where(table.c.mac.in_(macs), table.c.seq.is_not(None))).scalars())


def _end_session_transaction() -> None:
    """Commit the session's open transaction: on SQLite it holds the write lock the sequencer needs."""
    if db.session().in_transaction():
        db.session.commit()


def _head(conn: Connection):
    return conn.execute(select(table.c.seq, table.c.hash).where(table.c.seq.is_not(None))
                        .order_by(table.c.seq.desc()).limit(1)).first()


def mark_written() -> None:
    """Note that this request wrote an event, so that it is sealed once the response is sent."""
    g.audit_unsealed = True


def seal_after_requests(app: Flask) -> None:
    """After a response that wrote events is sent, have them sealed (unless TIK_AUDIT_SEAL is off, for the
    bench): by the process's sequencer thread, or at once when testing (deterministic tests)."""
    sequencer = Sequencer(app)
    app.extensions["tik_audit_sequencer"] = sequencer

    @app.after_request
    def _seal_when_sent(response):
        if g.pop("audit_unsealed", False) and app.config["TIK_AUDIT_SEAL"]:
            # On close: after the response is sent and the request's transaction has ended.
            response.call_on_close(lambda: _after_response(app, sequencer))
        return response


def _after_response(app: Flask, sequencer: Sequencer) -> None:
    if not app.testing:
        sequencer.poke()
    # A test's requests share the test's session: seal at once, unless that session still holds a
    # transaction (on SQLite the write lock the seal would wait for); verify seals whatever is left.
    elif not has_app_context() or not db.session().in_transaction():
        _seal_quietly(app)


class Sequencer:
    """One per process: a thread that seals what requests wrote, off the request path.

    Requests only poke it. It waits `interval` seconds after a poke so that one short transaction seals
    every event written meanwhile (under load one seal per interval, not one per request), then seals.
    Started lazily in the process that pokes it (a forked worker gets its own); at exit it seals once more.
    """

    def __init__(self, app: Flask, interval: float = 0.05) -> None:
        self.app, self.interval = app, interval
        self.pending = threading.Event()
        self._started_in: int | None = None
        self._start = threading.Lock()

    def poke(self) -> None:
        with self._start:
            if self._started_in != os.getpid():
                self._started_in = os.getpid()
                threading.Thread(target=self._run, name="tik-audit-sequencer", daemon=True).start()
                atexit.register(self._at_exit)
        self.pending.set()

    def _run(self) -> None:
        while True:
            self.pending.wait()
            time.sleep(self.interval)
            self.pending.clear()  # a poke from now on asks for another round
            _seal_quietly(self.app)

    def _at_exit(self) -> None:
        if self.pending.is_set():
            _seal_quietly(self.app)


def _seal_quietly(app: Flask) -> None:
    """Seal outside the request; a failure is logged (no data) and left to the next seal or verify."""
    with app.app_context():
        try:
            seal()
        except Exception as error:  # noqa: BLE001 - the response is sent; the events wait for the next seal
            log.error("audit seal failed (%s); the next seal or `tik audit verify` seals these events",
                      error.__class__.__name__)


# -- the anchor outside the database ------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int
    event_id: int
    hash: str


def anchor_path() -> Path:
    return Path(current_app.config["TIK_AUDIT_ANCHOR"])


def anchor(seq: int, event_id: int, head: str, kind: str = "seal") -> None:
    """Append the chain head to the anchor file (created 0600, only ever appended to) and the system log."""
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{kind} {seq} {event_id} {head} {now().isoformat(timespec='seconds')}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write of one short line: whole lines even with several processes
    finally:
        os.close(fd)
    if current_app.config.get("TIK_AUDIT_SYSLOG"):
        import syslog

        syslog.syslog(syslog.LOG_AUTH | syslog.LOG_INFO, f"tik-audit {kind} seq={seq} id={event_id} hash={head}")


def rebase_anchor() -> None:
    """Start the anchor afresh at the database's current head (after a restore rewinds the chain on purpose)."""
    with db.engine.connect() as conn:
        open_audit_chain(conn)
        head = conn.execute(select(table.c.seq, table.c.id, table.c.hash).where(table.c.seq.is_not(None))
                            .order_by(table.c.seq.desc()).limit(1)).first()
    anchor(head.seq, head.id, head.hash, kind="rebase") if head else anchor(0, 0, GENESIS, kind="rebase")


def read_anchors() -> Iterator[Anchor | int]:
    """The anchored heads since the last rebase, in file order; the line number of each unreadable line."""
    path = anchor_path()
    if not path.exists():
        return
    start = 0
    with path.open("rb") as file:  # first pass: where the last rebase is (a restore rewinds on purpose)
        offset = 0
        for line in file:
            if line.startswith(b"rebase "):
                start = offset
            offset += len(line)
    with path.open("rb") as file:
        file.seek(start)
        for number, line in enumerate(file, 1):
            parts = line.decode("ascii", errors="replace").split()
            try:
                kind, seq, event_id, head = parts[0], int(parts[1]), int(parts[2]), parts[3]
            except (IndexError, ValueError):
                yield number
                continue
            if kind not in ("seal", "rebase"):
                yield number
            elif seq:
                yield Anchor(seq, event_id, head)
