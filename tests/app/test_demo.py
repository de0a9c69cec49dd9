"""The demo municipality: loaded once through the real services, and usable by every demo login."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from devkit import demo
from devkit.youth_demo import YOUTH_DEMO_USERS
from tik import clock
from tik.audit.models import AuditEvent
from tik.audit.service import verify
from tik.auth.models import User
from tik.auth.policy import consented_services
from tik.cases.models import Case, CaseEvent, CaseStatus, EventKind, Handover, HandoverStatus
from tik.concerns.models import Concern, Guardian
from tik.extensions import db
from tik.plans.service import plan_of


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _cases(**where) -> list[Case]:
    query = select(Case).order_by(Case.ref)
    for key, value in where.items():
        query = query.where(getattr(Case, key) == value)
    return list(db.session.scalars(query))


@contextmanager
def _logged_in(app, username: str):
    """A browser of its own for `username`. Its own app context too: the fixture's pushed context would
    otherwise share `g` (and so Flask-Login's current user) between every test client."""
    db.session.commit()  # end the test's own transaction: SQLite begins IMMEDIATE, so it holds the lock
    with app.app_context():
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} could not log in"
        assert response.location == "/min-side", username
        yield client


@pytest.fixture
def loaded(app):
    assert demo.load() is True
    return app


def test_load_creates_the_users_and_cases_at_every_level(loaded):
    usernames = set(db.session.scalars(select(User.username)))
    assert usernames == {u[0] for u in demo.DEMO_USERS} | {u[0] for u in YOUTH_DEMO_USERS}
    assert {"laerer", "barnehage", "helsesykepleier", "ppt", "barnevern", "nav", "ungdom", "leder",
            "koordinator", "psykhelse", "admin"} <= usernames

    open_cases = _cases(status=CaseStatus.OPEN)
    for level in (0, 1, 2, 3):
        assert len([c for c in open_cases if c.level == level]) >= 2, f"too few open cases at level {level}"
    closed = _cases(status=CaseStatus.CLOSED)
    assert len(closed) >= 1 and all(c.end_key == "closed" for c in closed)
    assert 10 <= len(open_cases) + len(closed) <= 14

    measure_services = {m.service_key for c in _cases() if plan_of(c) for m in plan_of(c).measures}
    assert {"school", "kindergarten", "health-nurse", "ppt", "family-team", "mental-health",
            "nav"} <= measure_services
    assert {"nb", "en", "pl"} <= set(db.session.scalars(select(Guardian.language)))
    # The clock travelled while loading; afterwards it is back at the real time.
    assert abs(clock.now() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_a_second_load_returns_false_and_adds_nothing(loaded):
    before = [_count(m) for m in (User, Case, CaseEvent, Concern, AuditEvent)]
    assert demo.load() is False
    assert [_count(m) for m in (User, Case, CaseEvent, Concern, AuditEvent)] == before


def test_load_does_nothing_when_any_user_exists(app, make_unit):
    from tik.auth.service import create_user

    create_user("eneste", "Eneste Bruker", make_unit("skole", "school"), "et-langt-passord")
    db.session.commit()
    assert demo.load() is False
    assert _count(User) == 1 and _count(Case) == 0


def test_every_demo_user_can_log_in_and_see_their_page(loaded):
    for username, name, *_ in demo.DEMO_USERS:
        with _logged_in(loaded, username) as client:
            response = client.get("/min-side")
            assert response.status_code == 200, username
            assert name.split(" ")[0] in response.get_data(as_text=True)


def test_every_holder_can_open_their_cases_and_plans(loaded):
    for ref, holder in [(c.ref, c.coordinator.username) for c in _cases(status=CaseStatus.OPEN)]:
        with _logged_in(loaded, holder) as client:
            assert client.get(f"/saker/{ref}").status_code == 200, ref
            assert client.get(f"/saker/{ref}/plan").status_code == 200, ref
            assert ref in client.get("/min-side").get_data(as_text=True), f"{ref} missing on {holder}'s page"


def test_level_2_and_3_have_consent_and_plan_and_the_level_3_baton_went_to_the_coordinator(loaded):
    high = [c for c in _cases(status=CaseStatus.OPEN) if c.level >= 2]
    assert high
    for case in high:
        assert consented_services(case, clock.today()), f"{case.ref} has no active consent"
        plan = plan_of(case)
        assert plan is not None and 2 <= len(plan.measures) <= 6 and plan.goals, case.ref

    koordinator = db.session.scalar(select(User).where(User.username == "koordinator"))
    laerer = db.session.scalar(select(User).where(User.username == "laerer"))
    handovers = list(db.session.scalars(select(Handover).where(Handover.status == HandoverStatus.ACCEPTED)))
    assert len(handovers) == 1
    handover = handovers[0]
    assert handover.case.level == 3 and handover.case.is_open
    assert handover.case.coordinator_id == koordinator.id
    assert handover.from_id == laerer.id and handover.to_id == koordinator.id
    actions = [e.data.get("action") for e in db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == handover.case_id, CaseEvent.kind == EventKind.HANDOVER))]
    assert actions == ["proposed", "accepted"]


def test_deadlines_and_timelines_look_real_and_the_audit_trail_is_whole(loaded):
    now, today = clock.now(), clock.today()
    deadlines = [c.deadline for c in _cases(status=CaseStatus.OPEN, level=0)]
    assert all(deadlines)
    assert any(d < today for d in deadlines), "no level-0 case is overdue"
    assert any(today <= d <= today + timedelta(days=7) for d in deadlines), "no level-0 case is due soon"

    times = list(db.session.scalars(select(CaseEvent.at)))
    assert max(times) <= now
    assert now - min(times) > timedelta(days=90)
    for case in _cases():
        events = list(db.session.scalars(select(CaseEvent.at).where(CaseEvent.case_id == case.id)
                                         .order_by(CaseEvent.id)))
        assert events == sorted(events), f"{case.ref} timeline out of order"
    assert verify() == []


def test_logins_text_names_every_user_and_the_password(app):
    text = demo.logins_text()
    assert demo.DEMO_PASSWORD in text
    for username, name, *_ in demo.DEMO_USERS:
        assert username in text and name in text


def test_every_demo_guardian_has_a_valid_synthetic_national_id(loaded):
    from devkit.devidp import DEMO_GUARDIAN_PID, is_synthetic
    from tik import crypto

    guardians = db.session.scalars(select(Guardian)).all()
    ids = {g.name: crypto.decrypt(g.nin_encrypted) for g in guardians if g.nin_encrypted}
    assert set(ids) == {g.name for g in guardians}  # every one of them
    assert all(is_synthetic(pid) for pid in ids.values())
    assert ids["Lene Johansen"] == DEMO_GUARDIAN_PID and len(set(ids.values())) == len(ids)


def test_the_demo_holds_an_evaluated_measure_and_a_revised_plan(loaded):
    from tik.concerns.models import Child
    from tik.plans.models import Evaluation, PlanRevision

    emil = db.session.scalar(select(Case).join(Child, Child.id == Case.child_id).where(Child.first_name == "Emil"))
    evaluations = db.session.scalars(select(Evaluation)).all()
    assert any(e.measure.plan.case_id == emil.id and e.child_experience for e in evaluations)
    assert plan_of(emil).revision >= 2
    assert db.session.scalar(select(func.count(PlanRevision.id)).where(PlanRevision.plan_id == plan_of(emil).id)) >= 1
