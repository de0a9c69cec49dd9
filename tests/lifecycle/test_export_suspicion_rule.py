"""The suspicion path rule of the family's Art. 15 export (tik.cases.reports.on_suspicion_path, issue 30): a case is
left out of the export while it waits for child welfare; and, the safer side, after it went on, while a report the
guardians were not all told of (or a hard stop's report) has no feedback from child welfare, or while a concern
registered as a suspicion has no report with feedback. Every other case is in the export. Each state is reached
through the services as staff reach them; the export is the caller's, subject_access."""

from __future__ import annotations

import json
from datetime import date

import pytest
from flows import DECIDE, TO_LEVEL0_DECISION

from tik import clock
from tik.auth.models import Role
from tik.cases import steps
from tik.cases.reports import GuardianInformed, complete_report, feedback_received, reports_of
from tik.concerns.models import Child, Urgency
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.lifecycle.access import subject_access

ANSWER = {"cw_answer": "investigating", "family_may_be_told": "yes", "answer_note": "Barnevernet undersøker"}


@pytest.fixture
def holder(make_user):
    return make_user("holder", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR])


def _exported(case, by) -> bool:
    """Whether the family's export of the case's child holds the case (the child has only this case)."""
    refs = [c["ref"] for c in json.loads(subject_access(db.session.get(Child, case.child_id), by).json)["cases"]]
    return case.ref in refs


def _go_on(case, by) -> None:
    steps.decide(case, "go_on", {**ANSWER, "family_told_from": clock.today().isoformat()}, by=by)
    assert case.waiting_since is None


def _complete(report, by, informed: bool) -> None:
    complete_report(report, by, guardians=[GuardianInformed(g["guardian_id"], informed, "" if informed else "Mistanke")
                                           for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False, interpreter_language="",
                    sent_on=clock.today(), sent_how="ks-fiks", text="Meldingen.")


def _reported(make_case, move_case, by, decision: str = "report"):
    case = make_case(by=by)
    move_case(case, by, TO_LEVEL0_DECISION)
    steps.decide(case, decision, DECIDE if decision == "report" else {}, by=by)
    return case, reports_of(case)[0]


def _suspicion_case(by):
    return register_concern(
        ChildInput(first_name="Nora", last_name="Lund", birth_date=date(2014, 2, 3), school="Fjordvik barneskole",
                   class_name="5B", guardians=[GuardianInput("Mona Lund", "mor", "", "nb")]),
        ConcernInput(observation="Blåmerker på armene.", urgency=Urgency.SUSPICION), by=by).case


def test_a_case_off_every_path_is_in_the_export(make_case, holder):
    case = make_case(by=holder)  # a concern that is not a suspicion, no report
    assert _exported(case, holder)


def test_a_report_all_guardians_were_told_of_leaves_the_case_in_the_export(make_case, move_case, holder):
    case, report = _reported(make_case, move_case, holder)
    _complete(report, holder, informed=True)
    assert case.waiting_since is None and report.feedback_received_on is None
    assert _exported(case, holder)


def test_an_ordinary_report_not_yet_answered_on_who_was_told_keeps_the_case_out(make_case, move_case, holder):
    case, report = _reported(make_case, move_case, holder)
    assert case.waiting_since is None and report.guardians[0]["informed"] is None
    assert not _exported(case, holder)


def test_a_report_a_guardian_was_not_told_of_keeps_the_case_out_after_going_on_until_feedback(
        make_case, move_case, holder):
    case, report = _reported(make_case, move_case, holder)
    _complete(report, holder, informed=False)
    assert case.waiting_since is not None
    assert not _exported(case, holder)
    _go_on(case, holder)
    assert not _exported(case, holder)  # went on, but child welfare has not answered the report
    feedback_received(report, holder, clock.today())
    assert _exported(case, holder)


def test_a_hard_stop_report_keeps_the_case_out_after_going_on_even_when_the_guardians_were_told_later(
        make_case, move_case, holder):
    case, report = _reported(make_case, move_case, holder, decision="report_child_welfare")
    assert report.hard_stop
    _complete(report, holder, informed=True)
    _go_on(case, holder)
    assert not _exported(case, holder)
    feedback_received(report, holder, clock.today())
    assert _exported(case, holder)


def test_a_waiting_case_is_out_even_when_its_report_has_feedback(make_case, move_case, holder):
    case, report = _reported(make_case, move_case, holder, decision="report_child_welfare")
    _complete(report, holder, informed=False)
    feedback_received(report, holder, clock.today())
    assert case.waiting_since is not None
    assert not _exported(case, holder)


def test_a_suspicion_concern_keeps_its_own_case_out_after_going_on_and_no_other_case(make_case, move_case, holder):
    other = make_case(by=holder)
    case = _suspicion_case(holder)
    assert case.waiting_since is not None
    _go_on(case, holder)
    assert not _exported(case, holder)  # no report with feedback from child welfare yet
    assert _exported(other, holder)  # another child's suspicion is not this case's
    move_case(case, holder, TO_LEVEL0_DECISION)
    steps.decide(case, "report", DECIDE, by=holder)
    report = reports_of(case)[0]
    _complete(report, holder, informed=True)
    assert not _exported(case, holder)
    feedback_received(report, holder, clock.today())
    assert _exported(case, holder)
