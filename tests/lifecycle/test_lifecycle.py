"""Closing makes a case read-only through every route; reopening is a decision within the guidebook's period;
a later concern opens a new case linking back; restriction (Art. 18) narrows access at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lifecycle_support import CLOSE_NOTE, close, rich_case
from sqlalchemy import func, select

from tik import clock
from tik.audit.models import AuditEvent
from tik.auth.policy import CaseLocked, visible_cases
from tik.cases.consent import withdraw_consent
from tik.cases.handover import answer_handover
from tik.cases.models import Case, CaseEvent, EventKind, Handover
from tik.cases.steps import decide
from tik.concerns.models import Child
from tik.extensions import db
from tik.lifecycle import service as life
from tik.meetings.models import AgendaItem, Meeting
from tik.plans import service as plans
from tik.plans.models import Measure
from tik.timeline.service import timeline


def _snapshot(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return (case.version, case.status, case.step_id,
            db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case_id)),
            [(m.what, m.version) for m in db.session.scalars(select(Measure))],
            [(c.id, c.withdrawn_at) for c in case.consents], [(p.id, p.removed_at) for p in case.participants],
            [(h.id, h.status) for h in db.session.scalars(select(Handover))])


@pytest.fixture
def closed(make_case, make_user, give_consent):
    case, holder, participant, colleague = rich_case(make_case, make_user, give_consent)
    close(case, holder)
    return case, holder, participant, colleague


def test_closing_records_the_guidebooks_close_note_fields(closed):
    case, *_ = closed
    assert not case.is_open and case.end_key == "closed"
    assert life.closing_facts(case) == CLOSE_NOTE
    kinds = [e.kind for e in timeline(case)]
    assert kinds[0] == EventKind.CLOSED


def test_a_closed_case_is_read_only_through_every_route(client, login, closed):
    case, holder, participant, colleague = closed
    ref = case.ref
    measure = db.session.scalar(select(Measure))
    consent = case.consents[0]
    person = next(p for p in case.participants if p.active)
    meeting = db.session.scalar(select(Meeting))
    item = db.session.scalar(select(AgendaItem))
    handover = db.session.scalar(select(Handover))
    before = _snapshot(case.id)
    measure_form = {"service_key": "school", "responsible": "X", "what": "Nytt", "goal": "Mål",
                    "start_on": "2026-12-01", "evaluate_on": "2026-12-30", "status": "planned",
                    "idempotency_key": "k1"}
    routes = [
        (f"/saker/{ref}/beslutning", {"decision": "close", "version": case.version}),
        (f"/saker/{ref}/samtykke", {"given_by": "Kari", "services": ["ppt"], "purpose": "x", "form": "paper",
                                    "given_on": "2026-12-01", "expires_on": "2027-12-01", "idempotency_key": "k2"}),
        (f"/saker/{ref}/samtykke/{consent.id}/trekk", {}),
        (f"/saker/{ref}/stafett", {"to_user": colleague.username, "idempotency_key": "k3", "family_wish": "x",
                                   "measures_scope": "y"}),
        (f"/saker/{ref}/deltakere", {"person": colleague.username, "idempotency_key": "k4"}),
        (f"/saker/{ref}/deltakere/{person.id}/fjern", {}),
        (f"/saker/{ref}/plan", {"goals": "Nye mål", "version": 1}),
        (f"/saker/{ref}/plan/tiltak", measure_form),
        (f"/saker/{ref}/plan/tiltak/{measure.id}", measure_form | {"version": measure.version}),
        (f"/saker/{ref}/plan/tiltak/{measure.id}/evaluering", {"evaluated_on": "2026-12-01", "goal_reached": "yes",
                                                              "child_experience": "Bra", "next_action": "end"}),
        (f"/moter/nettverk/{ref}", {"title": "Nytt møte", "starts_at": "2026-12-20T09:00", "idempotency_key": "k5"}),
    ]
    for user in (holder, participant):
        login(user)
        for url, data in routes:
            assert client.post(url, data=data).status_code == 409, (user.name, url)
        # The pages are still there to read.
        for url in (f"/saker/{ref}", f"/saker/{ref}/plan", f"/saker/{ref}/plan.pdf"):
            assert client.get(url).status_code == 200, url
        assert client.get(f"/saker/{ref}/plan/tiltak/{measure.id}").status_code == 409
    login(holder)
    for url in (f"/moter/{meeting.id}/punkt/{item.id}/beslutning", f"/moter/{meeting.id}/punkt/{item.id}/tiltak"):
        assert client.post(url, data={"decision": "close"}).status_code == 404, url
    login(colleague)  # the handover proposed before closing cannot be accepted now
    assert client.post(f"/stafett/{handover.id}", data={"answer": "accept"}).status_code == 409
    assert _snapshot(case.id) == before


def test_the_service_functions_refuse_a_closed_case_too(closed):
    case, holder, participant, colleague = closed
    with pytest.raises(CaseLocked):
        plans.update_plan(case, holder, goals="x", child_voice="", parents_voice="")
    db.session.rollback()
    with pytest.raises(CaseLocked):
        withdraw_consent(case.consents[0], holder)
    db.session.rollback()
    with pytest.raises(CaseLocked):
        answer_handover(db.session.scalar(select(Handover)), colleague, accept=True)
    db.session.rollback()
    assert db.session.get(Case, case.id).status.value == "closed"


def test_reopening_is_a_decision_with_a_reason_within_the_guidebooks_period(closed, make_user):
    case, holder, participant, colleague = closed
    with pytest.raises(life.LifeError, match="reason_required"):
        life.reopen(case, "  ", holder)
    with pytest.raises(life.LifeError, match="not_allowed"):
        life.reopen(case, "Ny bekymring", participant)  # participants work on it; they do not reopen it
    life.reopen(case, "Familien ba om det", holder)
    assert case.is_open and case.step_id == "l1-evaluate" and case.end_key is None
    event = timeline(case)[0]
    assert event.kind == EventKind.REOPENED and event.data["reason"] == "Familien ba om det"
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "case.reopen"
    with pytest.raises(life.LifeError, match="not_closed"):
        life.reopen(case, "igjen", holder)


def test_after_the_period_reopening_is_refused_and_a_new_concern_opens_a_linked_case(closed, make_case):
    case, holder, *_ = closed
    clock.travel(case.closed_at.date() + timedelta(days=91))  # the guide says 90 days
    with pytest.raises(life.LifeError, match="period_passed"):
        life.reopen(case, "For sent", holder)
    child = db.session.get(Child, case.child_id)
    from tik.concerns.service import ChildInput, ConcernInput, register_concern

    again = register_concern(ChildInput(first_name=child.first_name, last_name=child.last_name,
                                        birth_date=child.birth_date), ConcernInput(observation="Igjen trøtt."),
                             by=holder).case
    assert again.id != case.id and again.previous_ref == case.ref


def test_the_reopening_period_is_checked_by_the_guide_loader(tmp_path):
    import shutil
    from pathlib import Path

    from tik.guides.loader import check_guide

    shutil.copytree(Path(__file__).resolve().parents[2] / "guidebook", tmp_path / "g")
    text = (tmp_path / "g" / "guide.yaml").read_text()
    (tmp_path / "g" / "guide.yaml").write_text(text.replace("reopen_within_days: 90", "reopen_within_days: -3"))
    guide, problems = check_guide(tmp_path / "g")
    assert guide is None and any("lifecycle.reopen_within_days" in str(p) for p in problems)


def test_restriction_narrows_access_at_once_and_freezes_the_case(client, login, make_case, make_user,
                                                                  give_consent):
    case, holder, participant, _colleague = rich_case(make_case, make_user, give_consent)
    ref = case.ref
    login(participant)
    assert client.get(f"/saker/{ref}").status_code == 200
    life.set_restricted(case, True, "Klage på behandlingen", holder)
    assert client.get(f"/saker/{ref}").status_code == 404
    assert client.get(f"/saker/{ref}/plan").status_code == 404
    assert db.session.scalar(select(Case.id).where(visible_cases(participant, clock.today()))) is None
    login(holder)
    assert client.get(f"/saker/{ref}").status_code == 200
    assert client.post(f"/saker/{ref}/plan", data={"goals": "x", "version": 1}).status_code == 409
    with pytest.raises(CaseLocked):
        decide(db.session.get(Case, case.id), "close", CLOSE_NOTE, by=holder)
    db.session.rollback()
    assert [e.kind for e in timeline(case)][0] == EventKind.RESTRICTED
    assert client.post(f"/saker/{ref}/begrens", data={"restricted": "0"}).status_code == 302
    login(participant)
    assert client.get(f"/saker/{ref}").status_code == 200
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("case.%restrict"))
                                     .order_by(AuditEvent.id)))
    assert actions == ["case.restrict", "case.unrestrict"]


def test_only_the_holder_or_the_unit_leader_restricts(make_case, make_user, give_consent):
    case, holder, participant, _colleague = rich_case(make_case, make_user, give_consent)
    with pytest.raises(life.LifeError, match="not_allowed"):
        life.set_restricted(case, True, "Klage", participant)
    with pytest.raises(life.LifeError, match="reason_required"):
        life.set_restricted(case, True, "", holder)


def test_a_new_concern_about_a_child_with_a_restricted_case_is_kept_and_nothing_else_changes(
        make_case, make_user, give_consent):
    from tik.concerns.service import ChildInput, ConcernInput, register_concern

    case, holder, *_ = rich_case(make_case, make_user, give_consent)
    life.set_restricted(case, True, "Klage", holder)
    child = db.session.get(Child, case.child_id)
    registered = register_concern(ChildInput(first_name=child.first_name, last_name=child.last_name,
                                             birth_date=child.birth_date), ConcernInput(observation="Ny uro."),
                                  by=make_user())
    assert registered.case.id == case.id and not registered.opened
    assert timeline(case)[0].kind == EventKind.CONCERN
