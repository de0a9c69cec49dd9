"""What someone with the database but without the audit key cannot do: insert an event that verifies, or hide
the newest rows by deleting or shortening the anchor file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import IntegrityError

from tik.audit import chain
from tik.audit.models import AuditEvent
from tik.audit.service import seal, verify
from tik.extensions import db


def _sql(statement: str, **params) -> None:
    """What someone with database access (and without the key) does."""
    db.session.execute(text(statement), params)
    db.session.commit()


def _sealed_one_by_one(make_case, n: int) -> list[int]:
    """`n` cases, each sealed on its own (one anchor line per seal, as after separate requests)."""
    for _ in range(n):
        make_case()
        seal()
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)).all()


def _forge(like: int, **changes) -> None:
    """Insert a row by SQL, copied from a genuine one with `changes` (a made-up nonce and MAC by default)."""
    row = dict(db.session.execute(select(AuditEvent.__table__).where(AuditEvent.id == like)).mappings().one())
    row.update(seq=None, prev_hash=None, hash=None, body_digest=None, redacted=None, nonce="0" * 32, mac="f" * 64)
    row.update(changes)
    row.pop("id")
    columns = ", ".join(row)
    db.session.execute(text(f"INSERT INTO audit_event ({columns}) VALUES ({', '.join(':' + c for c in row)})"),
                       row)
    db.session.commit()


def _anchor(app) -> Path:
    return Path(app.config["TIK_AUDIT_ANCHOR"])


def test_every_event_carries_a_mac_over_its_content_from_the_moment_it_is_written(make_case):
    case = make_case()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id))
    assert event.seq is None  # not yet sealed ...
    assert event.mac == chain.event_mac(chain.audit_key(), event)  # ... but already vouched for by the key
    assert len(event.nonce) == 32


def test_a_row_inserted_by_sql_is_never_sealed_and_verify_names_it_forged(app, runner, make_case):
    [genuine] = _sealed_one_by_one(make_case, 1)
    _forge(genuine, action="case.view", detail="admin viewed TIK-2026-0001")
    forged = db.session.scalar(select(AuditEvent.id).where(AuditEvent.detail == "admin viewed TIK-2026-0001"))
    assert seal() == 0
    assert db.session.scalar(select(AuditEvent.seq).where(AuditEvent.id == forged)) is None
    assert [(b.event_id, b.problem) for b in verify()] == [
        (forged, "is forged: its MAC does not hold (not written by TIK)")]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"audit event {forged}: is forged" in result.output


def test_a_row_forged_with_the_databases_own_client_is_named_by_tik_audit_verify(app, runner, make_case):
    """As an administrator would: `sqlite3` (or psycopg) on the database itself, outside TIK, then the CLI."""
    [genuine] = _sealed_one_by_one(make_case, 1)
    db.session.close()
    forged = {"action": "case.view", "detail": "admin viewed TIK-2026-0001", "seq": None, "prev_hash": None,
              "hash": None, "body_digest": None, "redacted": None, "nonce": "1" * 32, "mac": "e" * 64}
    columns = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        connect, mark = sqlite3.connect(url.database), "?"
    else:
        connect, mark = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)), "%s"
    copied = ", ".join(mark if c in forged else c for c in columns)
    insert = f"INSERT INTO audit_event ({', '.join(columns)}) SELECT {copied} FROM audit_event WHERE id = {mark}"
    with closing(connect) as conn:
        conn.execute(insert, [forged[c] for c in columns if c in forged] + [genuine])
        conn.commit()
    result = runner.invoke(args=["audit", "verify"])
    forged_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.detail == forged["detail"]))
    assert result.exit_code == 1 and f"audit event {forged_id}: is forged" in result.output


def test_a_row_inserted_without_a_mac_or_with_a_genuine_rows_mac_is_forged(make_case):
    ids = _sealed_one_by_one(make_case, 1)
    mac, nonce = db.session.execute(select(AuditEvent.mac, AuditEvent.nonce).where(AuditEvent.id == ids[0])).one()
    _forge(ids[0], nonce=None, mac=None)
    with pytest.raises(IntegrityError):  # a copy of a genuine event: its MAC may be written once only
        _forge(ids[0], nonce=nonce, mac=mac)
    db.session.rollback()
    _forge(ids[0], nonce=nonce, mac=mac[:-1] + ("0" if mac[-1] != "0" else "1"), detail="other")
    problems = [b.problem for b in verify()]
    assert problems == ["is forged: its MAC does not hold (not written by TIK)"] * 2


def test_genuine_events_after_a_forged_one_are_still_sealed_in_order(make_case):
    ids = _sealed_one_by_one(make_case, 1)
    _forge(ids[0])
    make_case()
    assert seal() == 1
    assert [b.problem for b in verify()] == ["is forged: its MAC does not hold (not written by TIK)"]


def test_a_sealed_row_whose_mac_is_changed_is_named(make_case):
    ids = _sealed_one_by_one(make_case, 2)
    _sql("UPDATE audit_event SET mac = :m WHERE id = :id", m="a" * 64, id=ids[0])
    assert [(b.event_id, b.problem) for b in verify()] == [(ids[0], "was altered after it was written")]


def test_rows_sealed_before_the_mac_existed_are_vouched_for_by_their_chain_hash(make_case):
    """The migration cannot compute a MAC without the key: a sealed row without one is legacy and verifies
    by its keyed chain hash alone, which still names it when it is altered."""
    ids = _sealed_one_by_one(make_case, 2)
    _sql("UPDATE audit_event SET mac = NULL, nonce = NULL")
    assert verify() == []
    _sql("UPDATE audit_event SET username = 'someone-else' WHERE id = :id", id=ids[0])
    assert [(b.event_id, b.problem) for b in verify()] == [(ids[0], "was altered after it was written")]


def test_a_deleted_anchor_fails_verify(app, runner, make_case):
    _sealed_one_by_one(make_case, 2)
    _anchor(app).unlink()
    assert [b.problem for b in verify()] == [f"the anchor file {_anchor(app)} is missing"]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "is missing" in result.output


def test_an_empty_chain_needs_no_anchor(app, runner):
    assert not _anchor(app).exists()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_shortened_anchor_fails_verify(app, runner, make_case):
    ids = _sealed_one_by_one(make_case, 3)
    lines = _anchor(app).read_text().splitlines(keepends=True)
    _anchor(app).write_text("".join(lines[:-1]))
    assert [(b.event_id, b.problem) for b in verify()] == [
        (ids[-1], "is not in the anchor file: positions 3 to 3 are sealed but not anchored (the anchor was "
                  "shortened, or rows were removed with it)")]
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_a_trimmed_anchor_with_the_newest_rows_trimmed_fails_verify(app, runner, make_case):
    """The newest seal sealed two events; both the anchor's last line and the newest one of them are removed."""
    _sealed_one_by_one(make_case, 2)
    make_case()
    make_case()
    seal()
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)).all()
    lines = _anchor(app).read_text().splitlines(keepends=True)
    _anchor(app).write_text("".join(lines[:-1]))
    _sql("DELETE FROM audit_event WHERE id = :id", id=ids[-1])
    assert [b.event_id for b in verify()] == [ids[-2]]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "not anchored" in result.output


def test_the_repeat_check_reads_the_macs_index_even_beside_events_sealed_before_macs(make_case):
    """An install upgraded from before MACs holds millions of sealed events without one. SQLite's statistics
    count those NULLs as one value of the MAC's unique index, and the planner then read the whole trail for the
    sealer's repeat check: 1.4 s at three million events, holding the write lock that every request's audit
    commit waits for (docs/benchmarks.md, the SQLite bench at 100 000 children). The check names its index."""
    import re

    from support import statements_of

    _sealed_one_by_one(make_case, 1)
    legacy = [c.name for c in AuditEvent.__table__.columns if c.name not in ("id", "seq", "hash", "mac", "nonce")]
    _sql("UPDATE audit_event SET mac = NULL, nonce = NULL")
    for n in range(1, 13):  # 1 → 4 096 times as many rows: a legacy trail, sealed (a seq each) and without MACs
        _sql(f"INSERT INTO audit_event ({', '.join(legacy)}, seq, hash) "  # nosec B608
             f"SELECT {', '.join(legacy)}, id + :offset, 'legacy' FROM audit_event", offset=n * 1_000_000)
    _sql("ANALYZE")
    make_case()
    make_case()  # several new events: the check looks up several MACs at once
    sealed, seen = statements_of(seal)
    assert sealed >= 2
    checks = [(s, p) for s, p in seen if re.search(r"SELECT \S*mac\s+FROM audit_event", s) and "IN (" in s]
    assert checks, seen
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL's statistics keep NULLs apart (null_frac): its planner estimates a MAC as one row
    for statement, params in checks:
        with db.engine.connect() as conn:
            cursor = conn.connection.cursor()
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            plan = " / ".join(row[3] for row in cursor.fetchall())
            assert "ix_audit_event_mac" in plan and "SCAN audit_event" not in plan, plan
