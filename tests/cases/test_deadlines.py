"""A case's deadline as guidebook/FORMAT.md states it: at level 0 the last time frame is the decision deadline,
counted from the day the case came to level 0 (the concern, or a decision back to wondering); another step's
frame there counts from when the case enters it and never moves the decision deadline later; above level 0 a
step's own frame is the deadline. Through the service, on a guidebook copy that uses each rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flows import CONCRETISE, DECIDE, DISCUSS, TALK_CHILD, TALK_PARENTS, TO_LEVEL1
from support import GuidebookCopy

from tik import clock
from tik.auth.models import Role
from tik.cases.steps import decide

BACK = {"key": "back", "next": "l0-talk-parents",
        "label": {"nb": "Tilbake til undring", "nn": "Tilbake til undring", "en": "Back to wondering"}}


@pytest.fixture
def guidebook(app, tmp_path):
    """The default guidebook with three days for talking with the child, and a way back from level 1 to 0."""
    copy = GuidebookCopy(tmp_path / "guidebook")
    copy.edit(lambda d: copy.step(d, "l0-talk-child").update(time_frame_days=3))
    copy.edit(lambda d: copy.step(d, "l1-clarify")["decisions"].append(BACK))
    app.config.update(TIK_GUIDEBOOK=str(copy.path))
    app.extensions.pop("tik_guide", None)


@pytest.fixture
def holder(make_user):
    return make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))


def _on(day):
    clock.travel(day)
    return clock.today()


def test_a_level_0_step_of_its_own_is_due_sooner_and_then_the_decision_deadline_holds(guidebook, holder,
                                                                                       make_case):
    case = make_case(by=holder)
    opened = clock.today()
    assert case.deadline == opened + timedelta(days=14)
    _on(opened + timedelta(days=2))
    decide(case, "done", CONCRETISE, by=holder)
    assert case.deadline == opened + timedelta(days=14)  # concretising has no frame of its own
    decide(case, "done", DISCUSS, by=holder)
    assert case.step_id == "l0-talk-child" and case.deadline == opened + timedelta(days=5)  # 3 days from entering
    _on(opened + timedelta(days=4))
    decide(case, "done", TALK_CHILD, by=holder)
    assert case.step_id == "l0-talk-parents" and case.deadline == opened + timedelta(days=14)


def test_a_level_0_step_of_its_own_never_moves_the_decision_deadline_later(guidebook, holder, make_case):
    case = make_case(by=holder)
    opened = clock.today()
    _on(opened + timedelta(days=12))
    decide(case, "done", CONCRETISE, by=holder)
    decide(case, "done", DISCUSS, by=holder)
    assert case.step_id == "l0-talk-child" and case.deadline == opened + timedelta(days=14)  # not day 15


def test_back_to_wondering_counts_a_new_decision_deadline_from_that_day(guidebook, holder, make_case, move_case):
    case = make_case(by=holder)
    opened = clock.today()
    move_case(case, holder, TO_LEVEL1)
    assert case.step_id == "l1-clarify" and case.deadline is None  # clarifying at level 1 has no frame
    back = _on(opened + timedelta(days=20))
    decide(case, "back", {"meeting_date": back.isoformat(), "shared_understanding": "Vi vet for lite ennå."},
           by=holder)
    assert (case.level, case.step_id, case.deadline) == (0, "l0-talk-parents", back + timedelta(days=14))
    _on(back + timedelta(days=1))
    move_case(make_case(by=holder, last_name="Annen"), holder, TO_LEVEL1)  # another case's change of level
    decide(case, "done", TALK_PARENTS, by=holder)
    assert case.step_id == "l0-decide" and case.deadline == back + timedelta(days=14)  # not 14 days from the concern
    decide(case, "level1", DECIDE, by=holder)
    assert case.level == 1 and case.deadline is None


def test_a_guidebook_without_a_time_frame_at_level_0_gives_no_deadline_there(app, tmp_path, holder, make_case):
    copy = GuidebookCopy(tmp_path / "guidebook")
    copy.edit(lambda d: copy.step(d, "l0-decide").pop("time_frame_days"))
    for text in [f for f in copy.path.rglob("*") if f.suffix in (".md", ".yaml")]:  # texts that name the deadline
        text.write_text(text.read_text(encoding="utf-8").replace("{deadline_days}", "noen"), encoding="utf-8")
    app.config.update(TIK_GUIDEBOOK=str(copy.path))
    app.extensions.pop("tik_guide", None)
    case = make_case(by=holder)
    assert case.deadline is None
    decide(case, "done", CONCRETISE, by=holder)
    assert case.step_id == "l0-discuss" and case.deadline is None
