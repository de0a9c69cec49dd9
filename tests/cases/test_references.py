"""Opening a case: the register step done in the registrar's name; references TIK-YYYY-NNNN, unique under
concurrent registration, past 9999; a new concern after a closed case links back to the child's latest one;
search finds them."""

from __future__ import annotations

import threading
from datetime import timedelta

from flows import DECIDE, TO_LEVEL0_DECISION

from tik import clock
from tik.auth.models import Role, User
from tik.cases.models import Case, CaseCounter, CaseEvent, EventKind
from tik.cases.queries import search_cases
from tik.cases.steps import decide, next_reference
from tik.clock import today
from tik.extensions import db


def test_a_new_case_starts_with_the_register_step_done_in_the_registrars_name(app, make_user, make_case):
    teacher = make_user()
    case = make_case(by=teacher)
    first = db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.kind == EventKind.STEP)).all()
    assert [(e.by_id, e.step_id, e.decision) for e in first] == [(teacher.id, "l0-register", "registered")]
    assert (case.level, case.step_id) == (0, "l0-concretise")


def test_references_count_on_past_9999(app, make_case):
    year = today().year
    make_case()
    db.session.execute(db.update(CaseCounter).where(CaseCounter.year == year).values(last=9999))
    assert next_reference(year) == f"TIK-{year}-10000"
    assert next_reference(year) == f"TIK-{year}-10001"


def test_each_year_has_its_own_series_from_0001_in_steps_of_one(app, make_case):
    make_case()  # this year's series has begun
    year = today().year + 1
    assert [next_reference(year) for _ in range(3)] == [f"TIK-{year}-0001", f"TIK-{year}-0002", f"TIK-{year}-0003"]


def test_the_counter_starts_after_references_already_in_the_database(app, make_case):
    year = today().year
    make_case()
    db.session.execute(db.delete(CaseCounter))
    db.session.execute(db.update(Case).values(ref=f"TIK-{year}-10042"))
    db.session.commit()
    assert next_reference(year) == f"TIK-{year}-10043"


def test_a_new_concern_links_back_to_the_childs_latest_closed_case_and_no_other(app, make_user, make_case):
    teacher = make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))

    def closed_after(case, days: int):
        clock.travel(clock.today() + timedelta(days=days))
        for decision, values in TO_LEVEL0_DECISION + [("close", DECIDE | {"close_reason": "Avklart.",
                                                                          "family_informed": "yes"})]:
            decide(case, decision, values, by=teacher)
        assert not case.is_open
        return case

    first = make_case(by=teacher, last_name="Berg")
    assert first.previous_ref == ""  # a first concern links to nothing
    closed_after(first, 1)
    second = make_case(by=teacher, last_name="Berg")
    assert second.previous_ref == first.ref
    closed_after(second, 1)
    closed_after(make_case(by=teacher, last_name="Dahl"), 1)  # another child's case, closed last of all
    third = make_case(by=teacher, last_name="Berg")
    assert third.previous_ref == second.ref  # the child's latest closed case: not the earlier, not another child's


def test_concurrent_registrations_get_different_references(app, make_user):
    from tik.concerns.service import ChildInput, ConcernInput, register_concern

    user_id = make_user().id
    db.session.commit()  # this thread's session must not hold SQLite's write lock while the others register
    refs: list[str] = []
    errors: list[BaseException] = []

    def register(i: int) -> None:
        with app.app_context():
            try:
                by = db.session.get(User, user_id)
                result = register_concern(ChildInput(first_name=f"Barn{i}", last_name="Samtidig",
                                                     birth_date=today().replace(year=today().year - 9)),
                                          ConcernInput(observation="Samtidig registrert"), by=by)
                refs.append(result.case.ref)
            except BaseException as error:  # noqa: BLE001 - collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(refs) == 8 and len(set(refs)) == 8


def test_search_by_name_start_and_by_reference(app, make_user, make_case):
    user = make_user()
    astrid = make_case(by=user, first_name="Astrid", last_name="Kvalvik")
    asbjorn = make_case(by=user, first_name="Asbjørn", last_name="Berg")
    assert [r.ref for r in search_cases(user, "astr")] == [astrid.ref]
    assert [r.ref for r in search_cases(user, "Kvalvik astrid")] == [astrid.ref]
    assert [r.ref for r in search_cases(user, "berg")] == [asbjorn.ref]  # the last name's start alone
    assert [r.ref for r in search_cases(user, "as")] == [asbjorn.ref, astrid.ref]  # the newest reference first
    assert [r.ref for r in search_cases(user, astrid.ref.lower())] == [astrid.ref]
    assert search_cases(user, "   ") == []


def test_a_search_says_a_case_waits_for_child_welfare_only_to_those_who_may_know(make_unit, make_user, give_consent):
    """A case waiting for child welfare, found by a search: the holder's row says it waits (the waiting step);
    a participant who may not know of the report reads only that the case stands still (the need-to-know rule,
    as in "Mine saker")."""
    from support import nora_waiting

    case, people = nora_waiting(make_unit, make_user, give_consent)
    [held] = search_cases(people["holder"], "nora")
    [joined] = search_cases(people["ppt"], "nora")
    assert (held.ref, held.waiting, held.paused) == (case.ref, True, False)
    assert (joined.ref, joined.waiting, joined.paused) == (case.ref, False, True)
