"""The audit trail: one event per read, write and print, written with the action, chained by hashes."""

from __future__ import annotations

from sqlalchemy import func, select, text

from tik.audit.models import AuditEvent
from tik.audit.service import verify
from tik.extensions import db


def _events(action: str, case_id: int) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action,
                                                                     AuditEvent.case_id == case_id))


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


def test_a_refused_view_is_not_recorded_as_a_view(client, login, make_user, make_case):
    case = make_case()
    login(make_user(service="nav"))
    assert client.get(f"/saker/{case.ref}").status_code == 404
    assert _events("case.view", case.id) == 0


def test_writes_are_audited_in_the_same_transaction(app, make_user, make_case):
    case = make_case()
    assert _events("concern.register", case.id) == 1


def test_the_chain_verifies_and_names_an_altered_row(runner, make_user, make_case):
    make_case()
    make_case()
    assert verify() == []
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    victim = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id).limit(1))
    db.session.execute(text("UPDATE audit_event SET username = 'someone-else' WHERE id = :id"), {"id": victim.id})
    db.session.commit()
    breaks = verify()
    assert [(b.event_id, b.problem) for b in breaks] == [(victim.id, "was altered after it was written")]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"audit event {victim.id}: was altered" in result.output


def test_a_deleted_row_is_detected(make_case):
    for _ in range(3):
        make_case()
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    breaks = verify()
    assert len(breaks) == 1 and breaks[0].event_id == ids[2] and "missing" in breaks[0].problem


def test_search_is_audited_without_the_search_text(client, login, make_user, make_case):
    user = login(make_user())
    make_case(by=user, first_name="Ingeborg")
    client.post("/saker", data={"q": "Ingeborg"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.search"))
    assert event is not None and "Ingeborg" not in event.detail
