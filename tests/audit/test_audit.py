"""The audit trail: one event per read, write and print, written with the action, sealed into a keyed
chain by the sequencer, its head anchored outside the database."""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from tik.audit import chain
from tik.audit.models import AuditEvent
from tik.audit.service import AuditChainBroken, record, redact_case_events, seal, verify
from tik.cases.models import Case
from tik.config import ConfigError, settings_from_env
from tik.extensions import db


def _events(action: str, case_id: int) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action,
                                                                     AuditEvent.case_id == case_id))


def _ids() -> list[int]:
    return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)).all()


def _sealed_cases(make_case, n: int = 3) -> list[int]:
    """`n` cases registered, their events sealed as the request hook would have: the ids in chain order."""
    for _ in range(n):
        make_case()
    seal()
    return _ids()


def _sql(statement: str, **params) -> None:
    """What someone with database access (and without the key) does."""
    db.session.execute(text(statement), params)
    db.session.commit()


def _problems() -> list[tuple[int, str]]:
    return [(b.event_id, b.problem) for b in verify()]


# -- what is recorded ----------------------------------------------------------------------------------------


def test_every_case_view_and_print_writes_one_event(client, login, make_user, make_case):
    user = login(make_user(username="reader"))
    case = make_case(by=user)
    client.get(f"/saker/{case.ref}")
    client.get(f"/saker/{case.ref}")
    client.get(f"/saker/{case.ref}/plan.pdf")
    client.get(f"/saker/{case.ref}/plan")
    assert _events("case.view", case.id) == 2
    assert _events("plan.pdf", case.id) == 1
    assert _events("plan.view", case.id) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.pdf"))
    assert event.username == "reader" and event.service_key == "school" and event.case_ref == case.ref
    assert event.remote_addr == "127.0.0.1"


def test_an_event_records_who_which_case_and_what_and_leaves_empty_what_was_not_there(client, make_user,
                                                                                      make_case):
    """The actor's id, name and service and the case's id and reference as they were; no actor (a login as an
    unknown name), no case or no detail leave those fields empty, never a stand-in."""
    from support import PASSWORD

    user = make_user(username="reader")
    case = make_case(by=user)
    client.post("/login", data={"username": "no-such-name", "password": PASSWORD})
    client.post("/login", data={"username": "reader", "password": PASSWORD})
    client.get(f"/saker/{case.ref}")
    client.post("/logout")
    fields = [(e.action, e.user_id, e.username, e.service_key, e.case_id, e.case_ref, e.detail)
              for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
                  ("auth.login_failed", "auth.login", "case.view", "auth.logout"))).order_by(AuditEvent.id))]
    assert fields == [("auth.login_failed", None, "", "", None, "", "unknown username"),
                      ("auth.login", user.id, "reader", "school", None, "", "password"),
                      ("case.view", user.id, "reader", "school", case.id, case.ref, "as:holder"),
                      ("auth.logout", user.id, "reader", "school", None, "", "")]


def test_a_refused_view_is_not_recorded_as_a_view(client, login, make_user, make_case):
    case = make_case()
    login(make_user(service="nav"))
    assert client.get(f"/saker/{case.ref}").status_code == 404
    assert _events("case.view", case.id) == 0


def test_writes_are_audited_in_the_same_transaction(app, make_user, make_case, monkeypatch):
    from tik.concerns import service as concerns

    case = make_case()
    assert _events("concern.register", case.id) == 1

    def record_then_fail(*args, **kwargs):
        record(*args, **kwargs)
        db.session.flush()  # the event and the case are written …
        raise RuntimeError("the disk is full")  # … and the action fails before it completes

    monkeypatch.setattr(concerns, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        make_case(first_name="Ingrid")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == 1  # neither the new case …
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1  # … nor its event was kept


def test_search_is_audited_without_the_search_text(client, login, make_user, make_case):
    user = login(make_user())
    make_case(by=user, first_name="Ingeborg")
    client.post("/saker", data={"q": "Ingeborg"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.search"))
    assert event is not None and "Ingeborg" not in event.detail


# -- the sequencer ---------------------------------------------------------------------------------------------


def test_a_request_neither_locks_nor_reads_the_chain(client, login, make_user, make_case, count_queries):
    from sqlalchemy import event as sa_event

    user = login(make_user())
    case = make_case(by=user)
    seen: list[str] = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()).lower())

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(f"/saker/{case.ref}").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)
    touching = [s for s in seen if "audit_event" in s]
    assert touching and all(s.startswith("insert into audit_event") for s in touching), touching
    assert not [s for s in seen if "advisory" in s]


def test_a_request_that_wrote_events_seals_them_once_its_response_is_sent(app, client, login, make_user,
                                                                           make_case):
    user = login(make_user())
    case = make_case(by=user)
    client.get(f"/saker/{case.ref}", buffered=True)  # buffered: the test client closes the response
    db.session.rollback()
    unsealed = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None)))
    assert unsealed == 0
    assert verify() == []


def test_outside_tests_the_sequencer_thread_seals_what_requests_wrote(app, client, login, make_user, make_case):
    import time

    user = login(make_user())
    case = make_case(by=user)
    app.testing = False  # as in production: the request only pokes the process's sequencer
    client.get(f"/saker/{case.ref}", buffered=True)
    db.session.rollback()
    anchor = Path(app.config["TIK_AUDIT_ANCHOR"])

    def unsealed() -> int:  # read, then let go at once: on SQLite every transaction takes the write lock
        count = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None)))
        db.session.rollback()
        return count

    def anchored() -> bool:  # the thread appends the new head just after its commit
        return anchor.exists() and anchor.read_text().count("seal ") >= 1

    deadline = time.monotonic() + 30  # the thread waits its interval, then for the write lock
    while (unsealed() or not anchored()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert unsealed() == 0
    assert anchored()


def test_with_sealing_off_requests_leave_events_for_the_sequencer(app, client, login, make_user, make_case):
    user = login(make_user())
    case = make_case(by=user)
    app.config["TIK_AUDIT_SEAL"] = False
    client.get(f"/saker/{case.ref}", buffered=True)
    db.session.rollback()
    view = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.view"))
    assert view.seq is None and view.hash is None
    assert verify() == []  # verify seals what is pending first: nothing written is left out
    db.session.refresh(view)
    assert view.seq == db.session.scalar(select(func.max(AuditEvent.seq)))


def test_concurrent_writers_and_sealers_never_fork_the_chain(app, make_user, make_case):
    from types import SimpleNamespace

    made = make_user()
    found = make_case(by=made)
    # Plain values: the threads must not lazy-load through this thread's session.
    user = SimpleNamespace(id=made.id, username=made.username, service_key=made.service_key)
    case = SimpleNamespace(id=found.id, ref=found.ref)
    db.session.commit()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                for i in range(12):
                    record(user, "case.view", case, detail=f"{n}-{i}", remote_addr="10.0.0.1")
                    db.session.commit()
                    if i % 3 == 2:
                        seal()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify() == []
    rows = db.session.execute(select(AuditEvent.seq, AuditEvent.prev_hash).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) and len(rows) == 1 + 6 * 12
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two rows link to the same predecessor


# -- what verify finds ----------------------------------------------------------------------------------------


def test_the_chain_verifies_and_names_an_altered_row(runner, make_user, make_case):
    ids = _sealed_cases(make_case, 2)
    assert verify() == []
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _sql("UPDATE audit_event SET username = 'someone-else' WHERE id = :id", id=ids[0])
    assert _problems() == [(ids[0], "was altered after it was written")]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"audit event {ids[0]}: was altered" in result.output


def test_an_altered_detail_is_detected(make_case):
    ids = _sealed_cases(make_case)
    _sql("UPDATE audit_event SET detail = 'nothing happened' WHERE id = :id", id=ids[1])
    assert _problems() == [(ids[1], "was altered after it was written")]


def test_a_body_moved_from_another_row_with_its_digest_is_detected(make_case):
    ids = _sealed_cases(make_case)
    donor = db.session.execute(select(AuditEvent.case_ref, AuditEvent.detail, AuditEvent.body_digest)
                               .where(AuditEvent.id == ids[2])).one()
    _sql("UPDATE audit_event SET case_ref = :r, detail = :d, body_digest = :b WHERE id = :id",
         r=donor.case_ref, d=donor.detail, b=donor.body_digest, id=ids[0])
    assert _problems() == [(ids[0], "was altered after it was written")]


def test_a_deleted_row_is_detected(make_case):
    ids = _sealed_cases(make_case)
    _sql("DELETE FROM audit_event WHERE id = :id", id=ids[1])
    breaks = verify()
    assert len(breaks) == 1 and breaks[0].event_id == ids[2] and "missing" in breaks[0].problem


def test_deleting_the_newest_rows_is_detected_by_the_anchor(runner, make_case):
    ids = _sealed_cases(make_case, 4)
    _sql("DELETE FROM audit_event WHERE id IN (:a, :b)", a=ids[-1], b=ids[-2])
    problems = _problems()
    assert len(problems) == 1 and problems[0][0] == ids[-1] and "newest rows were removed" in problems[0][1]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "newest rows were removed" in result.output


def test_deleting_every_row_is_detected_by_the_anchor(make_case):
    ids = _sealed_cases(make_case, 2)
    _sql("DELETE FROM audit_event")
    assert [p[0] for p in _problems()] == [ids[-1]]


def _rechain_from(event_id: int, key: bytes) -> None:
    """Recompute every hash and MAC from `event_id` on, as someone with database access and `key` would."""
    rows = [dict(r) for r in db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.seq)).mappings()]
    prev = chain.GENESIS
    for row in rows:
        if row["id"] >= event_id:
            row["body_digest"] = None
            chain.link(key, row, row["seq"], prev)
            row["mac"] = chain.event_mac(key, SimpleNamespace(**row))  # the event's own MAC, with that key too
            db.session.execute(AuditEvent.__table__.update().where(AuditEvent.id == row["id"]).values(
                prev_hash=row["prev_hash"], hash=row["hash"], body_digest=row["body_digest"], mac=row["mac"]))
        prev = row["hash"]
    db.session.commit()


def test_rows_rechained_without_the_key_are_detected(make_case):
    ids = _sealed_cases(make_case)
    _sql("UPDATE audit_event SET username = 'someone-else' WHERE id = :id", id=ids[1])
    _rechain_from(ids[1], key=b"guessed" * 5)
    problems = _problems()
    assert problems and problems[0] == (ids[1], "was altered after it was written")
    assert {p[0] for p in problems} == set(ids[1:])


def test_the_newest_rows_deleted_and_the_rest_rechained_with_the_key_still_fail_the_anchor(app, make_case):
    """Even with the key, rewriting history is caught where it meets a head anchored outside the database."""
    ids = _sealed_cases(make_case, 3)
    _sql("DELETE FROM audit_event WHERE id = :id", id=ids[-1])
    _sql("UPDATE audit_event SET username = 'someone-else' WHERE id = :id", id=ids[-2])
    _rechain_from(ids[-2], key=chain.audit_key())
    assert any("newest rows were removed" in p for _, p in _problems())


def test_unsealed_rows_are_sealed_by_verify_not_lost(make_case):
    make_case()
    make_case()
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None))) == 2
    assert verify() == []
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None))) == 0


def test_seal_command_seals_and_anchors_the_head(app, runner, make_case):
    make_case()
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and "1 hendelser forseglet" in result.output
    path = Path(app.config["TIK_AUDIT_ANCHOR"])
    assert path.stat().st_mode & 0o777 == 0o600
    kind, seq, event_id, head, _at = path.read_text().split()
    event = db.session.scalar(select(AuditEvent))
    assert (kind, int(seq), int(event_id), head) == ("seal", event.seq, event.id, event.hash)


def test_a_restore_rebases_the_anchor_so_the_restored_chain_verifies(app, runner, make_case, tmp_path):
    _sealed_cases(make_case, 2)
    assert runner.invoke(args=["backup", str(tmp_path / "tik.backup")]).exit_code == 0
    _sealed_cases(make_case, 2)  # anchored beyond what the backup holds
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "tik.backup")])
    assert result.exit_code == 0, result.output
    assert verify() == []
    lines = Path(app.config["TIK_AUDIT_ANCHOR"]).read_text().splitlines()
    rebased = max(i for i, line in enumerate(lines) if line.startswith("rebase "))  # the restore rebased ...
    assert all(line.startswith("seal ") for line in lines[rebased + 1:])  # ... and only its own audit followed


# -- retention: redaction keeps the chain whole ------------------------------------------------------------


def test_a_case_s_events_can_be_redacted_and_the_chain_still_verifies(app, make_user, make_case, client, login):
    user = login(make_user())
    kept, gone = make_case(by=user), make_case(by=user)
    client.get(f"/saker/{gone.ref}")
    seal()
    client.get(f"/saker/{gone.ref}")  # one event of the case still unsealed when retention runs
    assert redact_case_events(gone.id) == 3
    db.session.commit()
    assert verify() == []
    bodies = db.session.execute(select(AuditEvent.case_ref, AuditEvent.detail)
                                .where(AuditEvent.case_id == gone.id, AuditEvent.action != "audit.redact")).all()
    assert bodies and all(b == ("", "") for b in bodies)
    assert _events("case.view", kept.id) == 0 and _events("concern.register", kept.id) == 1
    redacted = db.session.scalars(select(AuditEvent.id).where(AuditEvent.redacted.is_not(None))
                                  .order_by(AuditEvent.id)).all()
    _sql("UPDATE audit_event SET action = 'case.print' WHERE id = :id", id=redacted[0])
    assert _problems() == [(redacted[0], "was altered after it was written")]


def test_a_body_put_back_after_redaction_or_a_forged_tombstone_is_detected(make_case):
    victim, other = make_case(), make_case()
    seal()
    redact_case_events(victim.id)
    db.session.commit()
    first = db.session.scalar(select(AuditEvent.id).where(AuditEvent.case_id == victim.id).order_by(AuditEvent.id))
    _sql("UPDATE audit_event SET detail = 'something else' WHERE id = :id", id=first)
    assert _problems() == [(first, "was altered after it was redacted")]
    forged = db.session.scalar(select(AuditEvent.id).where(AuditEvent.case_id == other.id))
    _sql("UPDATE audit_event SET case_ref = '', redacted = :t WHERE id = :id", t="f" * 64, id=forged)
    assert (forged, "was altered after it was written") in _problems()


def test_redaction_refuses_to_hide_an_altered_row(make_case):
    case = make_case()
    seal()
    _sql("UPDATE audit_event SET detail = 'rewritten' WHERE case_id = :id", id=case.id)
    with pytest.raises(AuditChainBroken):
        redact_case_events(case.id)


# -- the key ---------------------------------------------------------------------------------------------------


PRODUCTION = {"TIK_ENV": "production", "TIK_SECRET_KEY": "Zq8-vR2mW_k4Tn7xYb1cLp9eHs3dGf6jUa5oNi0w",
              "TIK_DATA_KEY": base64.b64encode(bytes(range(32))).decode(), "DATABASE_URL": "postgresql://x/y",
              "TIK_REDIS_URL": "redis://cache:6379/0"}


def test_production_requires_a_random_audit_key(tmp_path):
    env = PRODUCTION | {"TIK_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ConfigError, match="TIK_AUDIT_KEY"):
        settings_from_env(env)
    for weak in (bytes(32), b"ab" * 16, b"0123456789abcdef" * 2, bytes(range(8)) * 4):
        with pytest.raises(ConfigError, match="TIK_AUDIT_KEY"):
            settings_from_env(env | {"TIK_AUDIT_KEY": base64.b64encode(weak).decode()})
    with pytest.raises(ConfigError, match="TIK_AUDIT_KEY"):
        settings_from_env(env | {"TIK_AUDIT_KEY": PRODUCTION["TIK_DATA_KEY"]})
    good = base64.b64encode(bytes.fromhex("9f3a11c47e0b52d8e6a1f09c3b7d24e85a6c0f1e2d3b4a59687766554433e2f1")).decode()
    assert settings_from_env(env | {"TIK_AUDIT_KEY": good})["TIK_AUDIT_KEY"] == good


def test_development_keeps_a_generated_audit_key_readable_by_the_owner_only(tmp_path):
    first = settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path)})
    again = settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path)})
    assert len(base64.b64decode(first["TIK_AUDIT_KEY"])) == 32 and first["TIK_AUDIT_KEY"] == again["TIK_AUDIT_KEY"]
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    assert first["TIK_AUDIT_ANCHOR"] == str(tmp_path / "audit-anchor")


def test_a_form_given_back_keeps_its_read_and_only_an_error_page_drops_it(client, login, make_user, make_case):
    """A stale save (409) and a refused one (422) show the case again: the read is audited; a 404 after the
    case was read showed nothing of it: no read is kept."""
    holder = make_user()
    case = make_case(by=holder)
    login(holder)

    def reads() -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.case_id == case.id,
                                                                         AuditEvent.action == "case.view"))

    stale = client.post(f"/saker/{case.ref}/beslutning", data={"decision": "done", "version": str(case.version + 7),
                                                               "step_id": case.step_id})
    assert stale.status_code == 409 and reads() == 1
    refused = client.post(f"/saker/{case.ref}/beslutning", data={"decision": "done", "version": str(case.version),
                                                                 "step_id": case.step_id})
    assert refused.status_code == 422 and reads() == 2
    assert client.get(f"/saker/{case.ref}/plan/revisjon/99").status_code == 404 and reads() == 2


def test_an_event_names_where_it_came_from_the_command_line_or_no_address(app):
    """Outside a request (a `tik` command) an event says "cli"; a request without a client address leaves
    the address empty, never a guess."""
    command = record(None, "backup.create")
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": None}):
        unknown = record(None, "login.failed")
        db.session.flush()
    db.session.commit()
    assert (command.remote_addr, unknown.remote_addr) == ("cli", "")
