"""`tik seed-scale`: realistic proportions, a whole audit chain, and pages that work on the data."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from devkit.scale import BENCH_USER, PASSWORD, ScaleError, seed, seed_scale_command
from tik.auth.models import User
from tik.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    Consent,
    ConsentService,
    EventKind,
    Handover,
    HandoverStatus,
)
from tik.clock import today
from tik.extensions import db
from tik.guidebook import current_guide
from tik.plans.models import Measure, Plan
from tik.stats.models import StatCell
from tik.stats.refresh import refresh

CHILDREN = 300


@pytest.fixture
def seeded(app, runner):
    result = runner.invoke(seed_scale_command, ["--children", str(CHILDREN), "--seed", "7"])
    assert result.exit_code == 0, result.output
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _cases() -> list[Case]:
    return list(db.session.scalars(select(Case)))


def test_every_child_has_a_case_most_are_closed_and_open_ones_stand_at_every_level(seeded):
    cases = _cases()
    assert len({c.child_id for c in cases}) == CHILDREN
    closed = sum(c.status == CaseStatus.CLOSED for c in cases) / len(cases)
    assert 0.75 < closed < 0.95
    reached = Counter(c.level for c in cases)
    assert reached[0] > reached[1] > reached[2] > reached[3] > 0
    assert {c.level for c in cases if c.is_open} == {0, 1, 2, 3}
    assert seeded["audit_event"] > 10 * len(cases) and seeded["case_event"] > 5 * len(cases)


def test_no_child_has_two_open_cases(seeded):
    per_child = Counter(c.child_id for c in _cases() if c.is_open)
    assert max(per_child.values()) == 1


def test_every_case_stands_on_a_step_of_its_level_in_the_guide(seeded):
    guide = current_guide()
    for case in _cases():
        step = guide.step(case.step_id)
        assert step.level in (case.level, None)
        assert case.guide_digest == guide.digest


def test_plans_with_measures_and_timelines_belong_to_cases_above_level_zero(seeded):
    levels = db.session.execute(select(Case.level).join(Plan, Plan.case_id == Case.id)).scalars().all()
    assert levels and min(levels) >= 1
    assert db.session.scalar(select(func.count()).select_from(Measure)) >= len(levels)
    assert db.session.scalar(select(func.count(func.distinct(CaseEvent.case_id)))) == len(_cases())


def test_the_audit_trail_is_whole(seeded, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_bench_user_sees_their_pages(seeded, client):
    response = client.post("/login", data={"username": BENCH_USER, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/min-side").status_code == 200
    listing = client.get("/saker")
    user = db.session.scalar(select(User).where(User.username == BENCH_USER))
    mine = db.session.scalars(select(Case).where(Case.status == CaseStatus.OPEN, Case.coordinator_id == user.id)
                              .order_by(Case.level.desc())).all()
    assert len(mine) == 15
    assert all(c.ref in listing.get_data(as_text=True) for c in mine)
    assert client.get(f"/saker/{mine[0].ref}").status_code == 200
    assert client.get(f"/saker/{mine[0].ref}/plan").status_code == 200
    assert client.post("/saker", data={"q": mine[0].child.last_name}).status_code == 200


def test_new_cases_are_numbered_after_the_seeded_ones(seeded, make_case):
    case = make_case(first_name="Ny")
    assert case.id == max(c.id for c in _cases())


def test_scale_data_goes_into_an_empty_database_only(seeded, runner):
    with pytest.raises(ScaleError):
        seed(10, echo=lambda *_: None)
    result = runner.invoke(seed_scale_command, ["--children", "10"])
    assert result.exit_code != 0 and "empty database" in result.output


def _sign_in(client, user: User) -> None:
    client.get("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def _holder_shown(page: str, case: Case) -> bool:
    return f"Stafettholder</h2>\n    <p class=\"ds-paragraph\">{case.coordinator.name}" in page


def test_a_handed_over_case_is_held_by_the_new_holder_and_the_old_one_takes_part(seeded, client):
    handovers = db.session.scalars(select(Handover).join(Case, Case.id == Handover.case_id).where(
        Handover.status == HandoverStatus.ACCEPTED, Case.status == CaseStatus.OPEN)).all()
    assert handovers
    for handover in handovers:
        case = handover.case
        assert case.coordinator_id == handover.to_id
        # tik.cases.handover: the one who handed it over stays in the case as a participant
        assert [(p.user_id, p.active) for p in case.participants if p.user_id == handover.from_id] == [
            (handover.from_id, True)]
        _sign_in(client, case.coordinator)
        page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
        assert _holder_shown(page, case)
        assert case.ref in client.get("/saker").get_data(as_text=True)
        _sign_in(client, db.session.get(User, handover.from_id))
        assert client.get(f"/saker/{case.ref}").status_code == 200
        assert case.ref in client.get("/saker").get_data(as_text=True)


def test_invited_participants_of_covered_services_see_the_case_and_removed_ones_do_not(seeded, client):
    covered_now = (select(ConsentService.consent_id).join(Consent).where(
        Consent.withdrawn_at.is_(None), Consent.expires_on >= today(), Consent.case_id == Case.id,
        ConsentService.service_key == User.service_key))
    invited = db.session.execute(
        select(CaseParticipant, Case, User, covered_now.exists()).join(Case, Case.id == CaseParticipant.case_id)
        .join(User, User.id == CaseParticipant.user_id)
        .where(Case.status == CaseStatus.OPEN, User.service_key != Case.owning_service, User.active)).all()
    active = [(c, u) for p, c, u, covered in invited if p.removed_at is None and covered]
    removed = [(c, u) for p, c, u, _ in invited if p.removed_at is not None]
    assert active and removed
    for case, user in active + removed:
        events = [data for data in db.session.scalars(select(CaseEvent.data).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.PARTICIPANT).order_by(CaseEvent.at))
            if data.get("user") == user.name]
        assert [e["action"] for e in events] == ["invited"] + (["removed"] if (case, user) in removed else [])
    for case, user in active[:5]:
        _sign_in(client, user)
        assert case.ref in client.get("/saker").get_data(as_text=True)
        page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
        assert _holder_shown(page, case)
    for case, user in removed[:5]:
        _sign_in(client, user)
        assert case.ref not in client.get("/saker").get_data(as_text=True)
        assert client.get(f"/saker/{case.ref}").status_code in (403, 404)


def test_each_years_reference_counter_stands_at_its_last_reference(seeded, make_case):
    last: dict[int, int] = {}
    for case in _cases():
        year, number = case.ref.split("-")[1:]
        last[int(year)] = max(last.get(int(year), 0), int(number))
    assert {c.year: c.last for c in db.session.scalars(select(CaseCounter))} == last
    year = today().year
    assert make_case(first_name="Ny").ref == f"TIK-{year}-{last.get(year, 0) + 1:04d}"


def test_the_statistics_are_those_a_refresh_makes_of_the_seeded_cases(seeded):
    def cells() -> Counter:
        return Counter(db.session.execute(select(StatCell.metric, StatCell.key, StatCell.month, StatCell.months,
                                                 StatCell.unit_id, StatCell.service_key, StatCell.age_group,
                                                 StatCell.level, StatCell.count)).all())

    seeded_cells = cells()
    assert seeded_cells
    refresh()
    assert cells() == seeded_cells
