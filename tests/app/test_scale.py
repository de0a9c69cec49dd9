"""`tik seed-scale`: realistic proportions, a whole audit chain, and pages that work on the data."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from devkit.scale import BENCH_USER, PASSWORD, ScaleError, seed, seed_scale_command
from tik.auth.models import User
from tik.cases.models import Case, CaseEvent, CaseStatus
from tik.extensions import db
from tik.guidebook import current_guide
from tik.plans.models import Measure, Plan

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
