"""Rules of the audit trail at their edges, each found by a mutant that survived the other tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from tik.audit import chain
from tik.audit.models import AuditEvent
from tik.audit.service import AuditChainBroken, record, redact_case_events, seal, verify
from tik.extensions import db


def _sql(statement: str, **params) -> None:
    db.session.execute(text(statement), params)
    db.session.commit()


def test_redaction_refused_for_an_altered_row_names_that_row(make_case):
    case = make_case()
    seal()
    altered = db.session.scalar(select(AuditEvent.id).where(AuditEvent.case_id == case.id))
    _sql("UPDATE audit_event SET detail = 'rewritten' WHERE id = :id", id=altered)
    with pytest.raises(AuditChainBroken) as error:
        redact_case_events(case.id)
    assert error.value.event_id == altered
    assert str(error.value) == f"audit event {altered} was altered; run `tik audit verify`"


def test_redacting_a_case_again_leaves_what_is_redacted_alone_and_each_redaction_is_audited(make_case, make_user):
    case, admin = make_case(), make_user()
    seal()
    assert redact_case_events(case.id, by=admin) == 1
    db.session.commit()
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.redact")).all()
    assert (event.user_id, event.case_id, event.case_ref, event.detail) == (admin.id, case.id, "", "1 events")
    seal()
    assert redact_case_events(case.id) == 1  # retention may run again: only the first run's own record is new
    db.session.commit()
    assert verify() == []


def test_a_rebase_anchors_the_current_head_so_later_truncation_is_still_found(app, make_case):
    make_case()
    make_case()
    seal()
    chain.rebase_anchor()
    head = db.session.execute(select(AuditEvent.seq, AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.seq.desc()).limit(1)).one()
    last = Path(app.config["TIK_AUDIT_ANCHOR"]).read_text().splitlines()[-1].split()
    assert last[:4] == ["rebase", str(head.seq), str(head.id), head.hash]
    _sql("DELETE FROM audit_event WHERE id = :id", id=head.id)
    assert any("newest rows were removed" in b.problem for b in verify())


def test_a_rebase_of_an_empty_chain_anchors_the_start(app):
    chain.rebase_anchor()
    last = Path(app.config["TIK_AUDIT_ANCHOR"]).read_text().splitlines()[-1].split()
    assert last[:4] == ["rebase", "0", "0", chain.GENESIS]
    assert verify() == []


def test_the_sequencer_is_one_daemon_thread_per_process_that_never_keeps_it_alive(app):
    import threading

    def sequencers() -> set[threading.Thread]:  # named, so that ps and py-spy show what it is
        return {t for t in threading.enumerate() if t.name == "tik-audit-sequencer"}

    before = sequencers()
    sequencer = chain.Sequencer(app)
    sequencer.poke()
    sequencer.poke()
    [started] = sequencers() - before
    assert started.daemon  # it never keeps the process from exiting


def test_at_exit_the_sequencer_seals_what_is_still_pending(app, make_user):
    """A worker that stops between a request and its seal seals on the way out; with nothing pending it
    leaves the chain alone."""
    from sqlalchemy import func

    def unsealed() -> int:
        db.session.expire_all()
        count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None)))
        db.session.commit()  # on SQLite the test's open transaction would hold the lock the seal needs
        return count

    sequencer = chain.Sequencer(app)
    record(make_user(), "case.list")
    db.session.commit()
    waiting = unsealed()
    assert waiting >= 1
    sequencer._at_exit()  # nothing was poked: nothing to do
    assert unsealed() == waiting
    sequencer.pending.set()
    sequencer._at_exit()
    assert unsealed() == 0


def _chain_ids() -> list[int]:
    return list(db.session.scalars(select(AuditEvent.id).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)))


def test_verify_says_exactly_which_row_breaks_the_chain_and_whether_rows_are_missing(make_case):
    """A row whose link is rewritten does not follow; a gap says after which row rows are missing, from the
    first row on."""
    for _ in range(4):
        make_case()
    seal()
    ids = _chain_ids()
    _sql("UPDATE audit_event SET prev_hash = :h WHERE id = :id", h="0" * 64, id=ids[2])
    assert [(b.event_id, b.problem) for b in verify()] == [
        (ids[2], "does not follow the previous row"), (ids[2], "was altered after it was written")]
    _sql("DELETE FROM audit_event WHERE id IN (:a, :b)", a=ids[0], b=ids[2])
    assert [(b.event_id, b.problem) for b in verify()] == [
        (ids[1], "does not follow the previous row (rows after 0 are missing)"),
        (ids[3], f"does not follow the previous row (rows after {ids[1]} are missing)")]


def test_verify_names_events_the_sequencer_could_not_seal_in_order_a_hundred_at_most(make_user, monkeypatch):
    """When sealing fails (the sequencer down, the lock never free), verify says so for each waiting event:
    the first hundred by id, so that a long outage gives a readable answer."""
    from tik.audit import service

    user = make_user()
    seal()
    monkeypatch.setattr(service, "seal", lambda: 0)
    for n in range(101):
        record(user, "case.list", detail=f"{n} treff")
    db.session.commit()
    waiting = list(db.session.scalars(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)))
    breaks = service.verify()
    assert [(b.event_id, b.problem) for b in breaks] == [(i, "was written but could not be sealed")
                                                         for i in waiting[:100]]


@pytest.mark.parametrize("column", ["hash", "prev_hash", "body_digest"])
def test_a_chain_field_emptied_is_named_as_an_alteration(make_case, column):
    """Someone with database access empties one of a sealed row's chain fields: verify names the row (and does
    not stumble over the empty field)."""
    for _ in range(3):
        make_case()
    seal()
    ids = _chain_ids()
    _sql(f"UPDATE audit_event SET {column} = NULL WHERE id = :id", id=ids[1])  # noqa: S608 - a fixed column name
    assert (ids[1], "was altered after it was written") in [(b.event_id, b.problem) for b in verify()]


def test_the_chain_format_is_stable_across_versions():
    """A municipality's chain written by this version must verify under the next: the keyed digests of a
    fixed row with a fixed key are these (change them only with a migration of every stored hash)."""
    from datetime import datetime
    from types import SimpleNamespace

    key = bytes(range(32))
    row = SimpleNamespace(seq=7, id=42, prev_hash="ab" * 32, at=datetime(2026, 12, 1, 9, 30), user_id=3,
                          username="holder", service_key="school", action="case.view", case_id=5,
                          remote_addr="127.0.0.1", body_digest=chain.body_digest(key, "TIK-2026-0005", "as:holder"))
    assert row.body_digest == "be40fea7e1158ffd195031bbdfc2b24c002b284239a190e59ff4a8722958547b"
    assert chain.row_hash(key, row) == "423ab56748316a2244b531f64afb01c94b4994196906dc5bf25d0a1fc8aa96a0"
    assert chain.tombstone(key, 42, row.body_digest) == \
        "71e14561bda8b8a20801c5ee6f8056dce0e44808863b4771bd68bc3d89589808"
    system = SimpleNamespace(seq=1, id=1, prev_hash=chain.GENESIS, at=datetime(2026, 12, 1, 2, 0), user_id=None,
                             username="", service_key="", action="retention.run", case_id=None, remote_addr="",
                             body_digest=chain.body_digest(key, "", ""))  # a system event: no user, no case
    assert system.body_digest == "bc52b6836005e5954e90953cb482efc5036c3ad55a096194d9302e8cae299543"
    assert chain.row_hash(key, system) == "93064f942dfdbdfe11089ffead4fc7be9a2e8222ecf47691bc0615788a5333da"


@pytest.mark.parametrize("change", ["at = '2020-01-01 00:00:00'", "user_id = 999", "username = 'someone-else'",
                                    "service_key = 'nav'", "action = 'case.list'", "case_id = NULL",
                                    "remote_addr = '10.0.0.9'", "seq = seq + 1000"])
def test_every_kept_field_of_a_sealed_row_is_bound_by_its_hash(make_case, change):
    for _ in range(3):
        make_case()
    seal()
    ids = _chain_ids()
    _sql(f"UPDATE audit_event SET {change} WHERE id = :id", id=ids[1])  # noqa: S608 - fixed test values
    assert (ids[1], "was altered after it was written") in [(b.event_id, b.problem) for b in verify()]


def test_each_seal_is_anchored_in_a_new_folder_and_in_the_system_log_when_asked(app, make_case, tmp_path,
                                                                                monkeypatch):
    import syslog

    sent = []
    monkeypatch.setattr(syslog, "syslog", lambda priority, message: sent.append((priority, message)))
    app.config.update(TIK_AUDIT_ANCHOR=str(tmp_path / "new" / "folder" / "anchor"), TIK_AUDIT_SYSLOG=True)
    make_case()
    seal()
    head = db.session.execute(select(AuditEvent.seq, AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (tmp_path / "new" / "folder" / "anchor").read_text().split()[:4] == \
        ["seal", str(head.seq), str(head.id), head.hash]
    assert sent == [(syslog.LOG_AUTH | syslog.LOG_INFO, f"tik-audit seal seq={head.seq} id={head.id} hash={head.hash}")]
    app.config["TIK_AUDIT_SYSLOG"] = False
    make_case()
    seal()
    assert len(sent) == 1


def _seal_each(make_case, n: int) -> None:
    """`n` cases, each sealed on its own: one anchored head per case."""
    for _ in range(n):
        make_case()
        seal()


def test_history_rewritten_with_the_key_is_named_at_every_anchored_head_it_passes(make_case):
    """An insider with the key rewrites an early row and recomputes every later hash: each row is whole and
    the links hold, but every head anchored outside the database since that row differs, each named once."""
    from test_audit import _rechain_from

    _seal_each(make_case, 3)
    ids = _chain_ids()
    heads = [a for a in chain.read_anchors() if isinstance(a, chain.Anchor)]
    assert len(heads) == 3
    _sql("UPDATE audit_event SET username = 'someone-else' WHERE id = :id", id=ids[0])
    _rechain_from(ids[0], key=chain.audit_key())
    assert [(b.event_id, b.problem) for b in verify()] == [
        (a.event_id, "differs from the chain head anchored outside the database") for a in heads]


def test_unreadable_anchor_lines_are_named_by_number_and_the_lines_after_them_still_count(app, make_case,
                                                                                         make_user):
    """Garbage in the anchor file is reported by line; heads anchored after it still catch a truncation.
    The events' ids differ from their chain positions here, as they do in a real installation."""
    user = make_user()
    record(user, "case.list")
    db.session.commit()
    _sql("UPDATE audit_event SET id = id + 1000")  # unsealed yet: ids from now on run far from seq
    _seal_each(make_case, 1)
    path = Path(app.config["TIK_AUDIT_ANCHOR"])
    lines = len(path.read_bytes().splitlines())
    with path.open("ab") as file:
        file.write(b"seal \xff\xfe not-a-number\n")
        file.write(b"forged 3 3 " + b"0" * 64 + b"\n")
    _seal_each(make_case, 2)
    ids = _chain_ids()
    assert any(event_id != seq for seq, event_id in enumerate(ids, 1))  # ids are not chain positions
    _sql("DELETE FROM audit_event WHERE id = :id", id=ids[-1])
    problems = [(b.event_id, b.problem) for b in verify()]
    assert problems[:2] == [(0, f"anchor file line {lines + 1} is unreadable"),
                            (0, f"anchor file line {lines + 2} is unreadable")]
    assert problems[2:] == [(ids[-1], f"is missing: the anchored head is position {len(ids)}, the chain ends "
                                      f"at {len(ids) - 1} (the newest rows were removed)")]


def test_a_backlog_longer_than_a_batch_is_sealed_whole_in_id_order(make_user):
    """After an outage the sequencer finds more than one batch waiting: one seal call seals all of it, in the
    order the events were written, and says how many."""
    user = make_user()
    seal()
    for n in range(chain.BATCH + 3):
        record(user, "case.list", detail=f"{n} treff")
    db.session.commit()
    assert seal() == chain.BATCH + 3
    rows = db.session.execute(select(AuditEvent.id, AuditEvent.seq).order_by(AuditEvent.id)).all()
    assert all(row.seq is not None for row in rows)
    assert [row.seq for row in rows] == sorted(row.seq for row in rows)
    assert seal() == 0 and verify() == []
