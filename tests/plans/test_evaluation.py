"""The evaluation cycle: each evaluation makes a revision; revisions compare and print."""

from __future__ import annotations

from datetime import date

import pytest
from support import pdf_text

from tik.cases.models import EventKind
from tik.extensions import db
from tik.plans import service as plans
from tik.plans.models import MeasureStatus
from tik.timeline.service import timeline


@pytest.fixture
def planned(make_user, make_case, give_consent):
    holder = make_user(name="Helle Holder")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse", "ppt"])  # measures for other services need their consent
    plans.update_plan(case, holder, goals="Trygg skolehverdag", child_voice="Jeg vil ha venner",
                      parents_voice="Vi vil samarbeide")
    keep = plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Bedre karakterer",
                                                              date(2026, 9, 1), date(2026, 11, 1)))
    stop = plans.add_measure(case, holder, plans.MeasureInput("health-nurse", "Helsesykepleier", "Samtaler",
                                                              "Bedre søvn", date(2026, 9, 1), date(2026, 11, 1)))
    return holder, case, keep, stop


def _evaluate(case, measure, holder, action, next_on=None):
    return plans.evaluate_measure(case, measure, holder, plans.EvaluationInput(
        evaluated_on=date(2026, 11, 2), goal_reached=plans.GoalReached.PARTLY,
        child_experience="Det har blitt litt bedre", next_action=action, parents_said="Vi ser framgang",
        next_evaluate_on=next_on))


def test_an_evaluation_creates_a_revision_and_the_diff_is_right(planned):
    holder, case, keep, stop = planned
    assert plans.plan_of(case).revision == 1
    _evaluate(case, keep, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))
    plan = plans.plan_of(case)
    assert plan.revision == 2
    _evaluate(case, stop, holder, plans.NextAction.END)
    plan = plans.plan_of(case)
    assert plan.revision == 3 and stop.status == MeasureStatus.ENDED
    assert [(r.number, r.created_by_id) for r in plans.revisions(plan)] == [(1, holder.id), (2, holder.id)]
    added = plans.add_measure(case, holder, plans.MeasureInput("ppt", "PPT", "Kartlegging", "Vite mer",
                                                               date(2026, 11, 5), date(2027, 2, 1)))
    assert [r.number for r in plans.revisions(plan)] == [1, 2]

    diff_1_2 = plans.compare(plans.revision_snapshot(plan, 1), plans.revision_snapshot(plan, 2))
    assert [m["what"] for m, _ in diff_1_2.changed] == ["Leksehjelp"]
    assert diff_1_2.changed[0][1]["evaluate_on"] == ("2026-11-01", "2027-01-10")
    assert diff_1_2.changed[0][1]["status"] == ("planned", "active")
    assert not diff_1_2.added and not diff_1_2.ended

    diff_1_3 = plans.compare(plans.revision_snapshot(plan, 1), plans.revision_snapshot(plan, 3))
    assert [m["what"] for m in diff_1_3.ended] == ["Samtaler"]
    assert [m["what"] for m in diff_1_3.added] == ["Kartlegging"]
    assert added.id in {m["id"] for m in diff_1_3.added}


def test_evaluation_records_the_child_and_the_parents(client, login, planned):
    holder, case, keep, _stop = planned
    login(holder)
    response = client.post(f"/saker/{case.ref}/plan/tiltak/{keep.id}/evaluering", data={
        "evaluated_on": "2026-11-02", "goal_reached": "yes", "child_experience": "Jeg får hjelp når jeg trenger det",
        "parents_said": "Leksene går lettere", "next_action": "continue", "next_evaluate_on": "2027-01-20",
        "idempotency_key": "ev1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Tiltak evaluert" in page
    db.session.expire_all()
    assert keep.evaluate_on == date(2027, 1, 20)


def test_continue_needs_a_next_evaluation_date_and_the_child_is_heard(client, login, planned):
    holder, case, keep, _stop = planned
    login(holder)
    response = client.post(f"/saker/{case.ref}/plan/tiltak/{keep.id}/evaluering", data={
        "evaluated_on": "2026-11-02", "goal_reached": "yes", "child_experience": "",
        "next_action": "continue", "next_evaluate_on": "", "idempotency_key": "ev2"})
    assert response.status_code == 422 and "Skriv hva barnet opplevde." in response.get_data(as_text=True)
    with pytest.raises(plans.PlanError):
        _evaluate(case, keep, holder, plans.NextAction.CONTINUE, None)


def test_old_revisions_print_as_they_were(client, login, planned):
    holder, case, keep, _stop = planned
    _evaluate(case, keep, holder, plans.NextAction.END)
    plans.update_plan(case, holder, goals="Nytt mål etter evaluering", child_voice="", parents_voice="")
    login(holder)
    old = client.get(f"/saker/{case.ref}/plan/revisjon/1.pdf")
    assert old.status_code == 200 and "rev1.pdf" in old.headers["Content-Disposition"]
    text = pdf_text(old.data)
    assert "Trygg skolehverdag" in text and "Nytt mål etter evaluering" not in text
    current = pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data)
    assert "Nytt mål etter evaluering" in current
    assert client.get(f"/saker/{case.ref}/plan/revisjon/9.pdf").status_code == 404


def test_compare_page_shows_what_changed(client, login, planned):
    holder, case, keep, stop = planned
    _evaluate(case, stop, holder, plans.NextAction.END)
    login(holder)
    page = client.get(f"/saker/{case.ref}/plan/sammenlign?fra=1&til=2").get_data(as_text=True)
    assert "Avsluttede tiltak" in page and "Samtaler" in page


@pytest.fixture
def at_the_individual_plan_step(make_user, make_case, give_consent, move_case, make_measure):
    """Helle Holder's case at level 3, at the step that asks about an individual plan and a child coordinator."""
    from flows import TO_LEVEL2

    holder = make_user(name="Helle Holder")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse", "ppt", "child-welfare"])
    move_case(case, holder, TO_LEVEL2 + [  # the consent given above does the consent step (asked once)
        ("done", {"meeting_date": "2026-11-20", "participants": "x", "shared_understanding": "x"})])
    make_measure(case, holder)  # the plan steps need a dated measure with an owner
    move_case(case, holder, [
        ("done", {"plan_summary": "x"}),
        ("level3", {"evaluation": "x", "child_experience": "x"}),
        ("done", {"meeting_date": "2026-11-20", "participants": "TIK-team", "shared_understanding": "x"}),
        ("done", {}), ("done", {"plan_summary": "Koordinert plan"}),
    ])
    assert case.step_id == "l3-ip"
    return holder, case


def test_level_3_individual_plan_is_the_same_plan(client, login, at_the_individual_plan_step):
    from tik.cases.steps import decide

    holder, case = at_the_individual_plan_step
    plan_before = plans.ensure_plan(case)
    decide(case, "done", {"ip_right": "yes", "child_coordinator_right": "yes",
                                "ip_assessment": "Langvarige og koordinerte tjenester"}, by=holder)
    plan = plans.plan_of(case)
    assert plan.id == plan_before.id and plan.individual_plan and plan.child_coordinator == "Helle Holder"
    # The log records, in the holder's name, that the plan grew and by which of the step's answers.
    grown = [(e.by_id, e.data) for e in timeline(case) if e.kind == EventKind.PLAN
             and e.data.get("action") == "plan.individual"]
    assert grown == [(holder.id, {"action": "plan.individual", "effects": ["individual_plan", "child_coordinator"]})]

    # A revision frozen after that is the individual plan too, with its child coordinator, when printed later.
    frozen = plan.revision
    _evaluate(case, plan.measures[0], holder, plans.NextAction.CONTINUE, date(2027, 1, 10))
    login(holder)
    text = " ".join(pdf_text(client.get(f"/saker/{case.ref}/plan/revisjon/{frozen}.pdf").data).split())
    assert "Handlingsplan – individuell plan" in text and "Barnekoordinator: Helle Holder" in text


def test_a_yes_to_a_question_without_an_effect_grows_no_plan(make_user, make_case, move_case):
    from flows import DECIDE, TO_LEVEL0_DECISION

    holder = make_user(name="Helle Holder")
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL0_DECISION + [("close", DECIDE | {"close_reason": "Avklart.",
                                                                       "family_informed": "yes"})])
    assert not case.is_open and plans.plan_of(case) is None
    assert [e for e in timeline(case) if e.kind == EventKind.PLAN] == []


@pytest.mark.parametrize("ip_right, coordinator_right, grown", [
    ("yes", "no", (True, "")), ("no", "yes", (False, "Helle Holder"))])
def test_each_yes_grows_the_plan_by_its_own_effect_only(at_the_individual_plan_step, ip_right, coordinator_right,
                                                      grown):
    """A yes to the individual plan makes it the individual plan without naming a child coordinator; a yes to the
    child coordinator names the holder without making the plan an individual plan."""
    from tik.cases.steps import decide

    holder, case = at_the_individual_plan_step
    decide(case, "done", {"ip_right": ip_right, "child_coordinator_right": coordinator_right,
                          "ip_assessment": "Vurdert med familien"}, by=holder)
    plan = plans.plan_of(case)
    assert (plan.individual_plan, plan.child_coordinator) == grown


def test_growing_into_an_individual_plan_leaves_the_plan_the_family_was_given_as_they_got_it(
        at_the_individual_plan_step):
    """The family got revision n; the step's "yes" to an individual plan is revision n + 1, so the copy the family
    holds is not later re-frozen as an individual plan with a child coordinator it never named."""
    from tik.cases.steps import decide

    holder, case = at_the_individual_plan_step
    given = plans.share_with_family(case, holder).number
    decide(case, "done", {"ip_right": "yes", "child_coordinator_right": "yes",
                          "ip_assessment": "Langvarige og koordinerte tjenester"}, by=holder)
    plan = plans.plan_of(case)
    assert plan.revision == given + 1 and plan.individual_plan and not plan.shared
    # Any later freeze (an evaluation freezes the current revision) leaves the family's copy alone.
    _evaluate(case, plan.measures[0], holder, plans.NextAction.CONTINUE, date(2027, 1, 10))
    kept = {r.number: r.snapshot for r in plans.revisions(plan)}
    assert (kept[given]["individual_plan"], kept[given]["child_coordinator"]) == (False, "")
    assert (kept[given + 1]["individual_plan"], kept[given + 1]["child_coordinator"]) == (True, "Helle Holder")


def test_a_frozen_revision_prints_the_words_and_log_as_they_were_when_it_was_frozen(client, login, planned,
                                                                                      move_case, clock):
    """Revision 1 was what the family got: words the child or the parents said after it was frozen belong to
    later revisions, in the staff print, the family letter and the log alike."""
    from datetime import timedelta

    from flows import CONCRETISE, DISCUSS, TALK_CHILD, TALK_PARENTS

    holder, case, keep, _stop = planned
    move_case(case, holder, [("done", CONCRETISE), ("done", DISCUSS), ("done", TALK_CHILD)])
    _evaluate(case, keep, holder, plans.NextAction.CONTINUE, next_on=date(2027, 1, 10))  # freezes revision 1
    clock.travel(clock.now() + timedelta(days=1))
    later = "Nå går det bedre hjemme, sier vi etter frysingen."
    move_case(case, holder, [("done", {**TALK_PARENTS, "parents_words": later})])
    login(holder)
    staff = pdf_text(client.get(f"/saker/{case.ref}/plan/revisjon/1.pdf").data)
    family = pdf_text(client.get(f"/saker/{case.ref}/plan/revisjon/1.pdf?versjon=familie").data)
    for text in (staff, family):
        assert TALK_CHILD["child_words"] in text and later not in " ".join(text.split())
    current = " ".join(pdf_text(client.get(f"/saker/{case.ref}/plan.pdf").data).split())
    assert later in current and "Snakk med foreldrene" in current
    assert "Snakk med foreldrene" not in staff  # the log as it stood: the later step is not in it


def _measure(mid: int, status: str = "active", **changed) -> dict:
    """One measure as a revision stores it (plans.snapshot)."""
    return {"id": mid, "service_key": "school", "responsible": "Lærer", "what": f"Tiltak {mid}", "goal": "Mål",
            "start_on": "2026-09-01", "evaluate_on": "2026-11-01", "status": status} | changed


def test_compare_names_each_measure_once_for_what_happened_to_it_and_each_text_that_changed():
    """Between two revisions: a measure only in the later one was added, one only in the earlier was removed,
    one that went to "ended" was ended (and is not also "changed"), one ended in both is neither; a measure
    still going is changed in exactly the fields that differ. The plan's three texts show when they differ; a
    text a revision did not store (an older revision) compares as empty."""
    old = {"goals": "Trygg skolehverdag", "child_voice": "Jeg vil ha venner",
           "measures": [_measure(1), _measure(2), _measure(3), _measure(4, "ended"), _measure(5, "planned")]}
    new = {"goals": "Trygg og god skolehverdag", "child_voice": "Jeg har venner", "parents_voice": "Vi ser framgang",
           "measures": [_measure(1), _measure(2, what="Leksehjelp", evaluate_on="2027-01-10"),
                        _measure(4, "ended"), _measure(5, "ended", what="Avsluttet"), _measure(6)]}
    diff = plans.compare(old, new)
    assert [m["id"] for m in diff.added] == [6]
    assert [m["id"] for m in diff.removed] == [3]
    assert [m["id"] for m in diff.ended] == [5]
    assert [(m["id"], fields) for m, fields in diff.changed] == [
        (2, {"what": ("Tiltak 2", "Leksehjelp"), "evaluate_on": ("2026-11-01", "2027-01-10")})]
    assert diff.texts == {"goals": ("Trygg skolehverdag", "Trygg og god skolehverdag"),
                          "child_voice": ("Jeg vil ha venner", "Jeg har venner"),
                          "parents_voice": ("", "Vi ser framgang")}
    assert not diff.empty
    unchanged = plans.compare(new, {**new, "parents_voice": "Vi ser framgang", "goals": "Trygg og god skolehverdag"})
    assert unchanged.empty and unchanged.texts == {}
    older = {k: v for k, v in new.items() if k not in ("child_voice", "parents_voice")}  # stored no voices
    assert plans.compare(older, {**older, "child_voice": "", "parents_voice": ""}).texts == {}
    assert plans.compare({**older, "child_voice": "", "parents_voice": ""}, older).texts == {}
    assert plans.compare(older, new).texts == {"child_voice": ("", "Jeg har venner"),
                                               "parents_voice": ("", "Vi ser framgang")}
    assert plans.compare(new, older).texts == {"child_voice": ("Jeg har venner", ""),
                                               "parents_voice": ("Vi ser framgang", "")}


def test_the_family_words_offered_are_those_since_this_cases_latest_evaluation_oldest_first(planned, make_case,
                                                                                         clock):
    """What the family wrote before the meeting is offered in the next evaluation: the words of this case since
    its latest evaluation (not since its first, nor since another case's), oldest first, the young person's in
    the child's field and the guardians' in the parents' field, each person's entries one paragraph each."""
    from datetime import timedelta

    from tik.auth.policy import FamilyRelation
    from tik.family.service import before_the_meeting

    holder, case, keep, stop = planned
    other = make_case(by=holder, first_name="Annen")
    other_measure = plans.add_measure(other, holder, plans.MeasureInput(
        "school", "Lærer", "Leksehjelp", "Bedre karakterer", date(2026, 9, 1), date(2026, 11, 1)))
    assert plans.words_for_evaluation(case) == [] and plans.evaluation_prefill([]) == ("", "")
    start = clock.now()

    def at(minutes: int) -> None:
        clock.travel(start + timedelta(minutes=minutes))

    def say(on, who, text: str, minutes: int) -> None:
        at(minutes)
        before_the_meeting(on, who, text)

    guardian, young = FamilyRelation.GUARDIAN, FamilyRelation.YOUNG_PERSON
    say(case, guardian, "Før den første evalueringen", 1)
    at(2)
    _evaluate(case, keep, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))
    say(case, guardian, "Mellom evalueringene", 3)
    at(4)
    _evaluate(case, stop, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))  # this case's latest
    say(case, guardian, "Senere", 10)
    say(case, young, "Ungdommens ord", 11)
    say(other, guardian, "En annen families ord", 12)
    at(13)
    _evaluate(other, other_measure, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))  # another case's, later
    say(case, guardian, "Skrevet sist, datert tidligere", 6)
    words = plans.words_for_evaluation(case)
    assert [e.data["text"] for e in words] == ["Skrevet sist, datert tidligere", "Senere", "Ungdommens ord"]
    assert plans.evaluation_prefill(words) == ("Ungdommens ord", "Skrevet sist, datert tidligere\n\nSenere")


def test_a_plan_step_counts_only_a_measure_still_in_this_cases_plan(make_user, make_case, give_consent, move_case,
                                                                   make_measure):
    """A plan step needs a measure with an owner and an evaluation date in the case's own plan: another case's
    measure does not count, nor one an evaluation ended; a measure still going does."""
    from flows import TO_LEVEL2

    from tik.cases.steps import decide
    from tik.guides.engine import DecisionRefused

    holder = make_user(name="Helle Holder")
    case = make_case(by=holder)
    give_consent(case, holder, ["health-nurse", "ppt"])
    move_case(case, holder, TO_LEVEL2 + [
        ("done", {"meeting_date": "2026-11-20", "participants": "x", "shared_understanding": "x"})])
    step = case.step_id
    make_measure(make_case(by=holder, first_name="Annen"), holder, what="Den andre sakens tiltak")
    ended = make_measure(case, holder, what="Prøvd og avsluttet")
    _evaluate(case, ended, holder, plans.NextAction.END)
    with pytest.raises(DecisionRefused) as refused:
        decide(case, "done", {"plan_summary": "Koordinert plan"}, by=holder)
    assert refused.value.code == "measure_required"
    db.session.rollback()
    make_measure(case, holder, what="Frokost på skolen")
    decide(case, "done", {"plan_summary": "Koordinert plan"}, by=holder)
    assert case.step_id != step


def test_a_revision_is_frozen_once_in_the_name_of_who_froze_it_and_each_plan_keeps_its_own(planned, make_case,
                                                                                             clock):
    """Sharing the plan freezes its revision, in the sharer's name; an evaluation then freezes the same revision
    again (one revision, not two, stamped with the later moment) before the next begins. Another case's plan
    frozen under the same number leaves this one's as it was."""
    from datetime import datetime, timedelta

    holder, case, keep, _stop = planned
    other = make_case(by=holder, first_name="Annen")
    plans.update_plan(other, holder, goals="Den andre sakens mål", child_voice="", parents_voice="")
    other_measure = plans.add_measure(other, holder, plans.MeasureInput(
        "school", "Lærer", "Lesekurs", "Lese bedre", date(2026, 9, 1), date(2026, 11, 1)))
    plans.share_with_family(case, holder)
    shared_at = clock.now()
    clock.travel(shared_at + timedelta(days=1))
    _evaluate(case, keep, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))
    plans.share_with_family(other, holder)
    _evaluate(other, other_measure, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))

    plan, other_plan = plans.plan_of(case), plans.plan_of(other)
    assert plan.revision == other_plan.revision == 2
    assert [(r.number, r.created_by_id) for r in plans.revisions(plan)] == [(1, holder.id)]
    assert [(r.number, r.created_by_id) for r in plans.revisions(other_plan)] == [(1, holder.id)]
    first = plans.revision_snapshot(plan, 1)
    assert first["goals"] == "Trygg skolehverdag"
    assert datetime.fromisoformat(first["frozen_at"]) >= shared_at + timedelta(days=1)  # the evaluation's moment
    assert [(m["what"], m["status"], m["evaluate_on"]) for m in first["measures"]] == [
        ("Leksehjelp", "planned", "2026-11-01"), ("Samtaler", "planned", "2026-11-01")]
    assert plans.revision_snapshot(other_plan, 1)["goals"] == "Den andre sakens mål"


def test_a_measure_is_refused_for_each_rule_it_breaks_and_may_be_evaluated_on_the_day_it_starts(planned, make_user):
    """A measure goes to a service of the guidebook the case may use (the holder's own, or one a consent covers),
    has someone responsible (a person in the case, or an outside person's name) and is not evaluated before it
    starts: each refusal names its reason, so the form puts it on the field it is about."""
    holder, case, _keep, _stop = planned
    colleague = make_user(name="Kari Kollega")  # the holder's unit, but not in the case

    def refused(**change) -> str:
        data = {"service_key": "school", "responsible": "Lærer", "what": "Leksehjelp", "goal": "Bedre karakterer",
                "start_on": date(2026, 9, 1), "evaluate_on": date(2026, 11, 1)} | change
        with pytest.raises(plans.PlanError) as refusal:
            plans.add_measure(case, holder, plans.MeasureInput(**data))
        db.session.rollback()
        return refusal.value.code

    assert refused(service_key="no-such-service") == "unknown_service"
    assert refused(service_key="bup") == "service_not_consented"
    assert refused(responsible="", responsible_id=colleague.id) == "responsible_not_participant"
    assert refused(responsible="  ") == "responsible_required"
    assert refused(evaluate_on=date(2026, 8, 31)) == "evaluation_before_start"
    same_day = plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Foreldremøte", "Avklare",
                                                                  date(2026, 9, 1), date(2026, 9, 1)))
    assert same_day.evaluate_on == same_day.start_on


def test_a_measure_keeps_its_service_after_a_handover_but_none_moves_to_a_service_the_case_may_no_longer_use(
        planned, make_user):
    """The school holder hands the case to a health nurse; the consent covers health and PPT, not school. The
    school measure stays as it is and may still be changed on its own service; a measure may not move to school."""
    from tik.auth.models import Role
    from tik.cases.handover import answer_handover, propose_handover

    holder, case, keep, stop = planned
    nurse = make_user(service="health-nurse", roles=(Role.EMPLOYEE, Role.COORDINATOR), name="Nina Nurse")
    answer_handover(propose_handover(case, nurse, holder), nurse, accept=True)
    assert case.owning_service == "health-nurse"

    def change(measure, service_key, what):
        return plans.update_measure(case, measure, nurse, plans.MeasureInput(
            service_key, measure.responsible, what, measure.goal, measure.start_on, measure.evaluate_on))

    assert change(keep, "school", "Leksehjelp to dager i uka").what == "Leksehjelp to dager i uka"
    with pytest.raises(plans.PlanError) as refused:
        change(stop, "school", "Samtaler på skolen")
    assert refused.value.code == "service_not_consented"
    db.session.rollback()
    assert (stop.service_key, stop.what) == ("health-nurse", "Samtaler")


def test_the_responsible_person_is_named_with_their_title_unless_a_name_is_written(planned, make_user):
    """A person in the case chosen as responsible is shown by name and title (by name alone when they have no
    title); a name written in the field is shown as written, even beside a chosen person."""
    from tik.cases.participants import invite_participant

    holder, case, _keep, _stop = planned
    nurse = make_user(service="health-nurse", name="Nina Nurse", title="Helsesykepleier")
    invite_participant(case, nurse, holder)

    def responsible(responsible_id: int | None, written: str = "") -> str:
        return plans.add_measure(case, holder, plans.MeasureInput(
            "health-nurse", written, "Samtaler", "Bedre søvn", date(2026, 9, 1), date(2026, 11, 1),
            responsible_id=responsible_id)).responsible

    assert responsible(nurse.id) == "Nina Nurse, Helsesykepleier"
    assert responsible(holder.id) == "Helle Holder"
    assert responsible(nurse.id, written=" Helsestasjonen ") == "Helsestasjonen"


def test_a_revision_frozen_before_snapshots_carried_their_moment_is_dated_by_its_row(planned):
    """Revisions stored by an older release hold no moment of their own: they read as frozen when their row was
    written, with the rest of what they hold."""
    holder, case, keep, _stop = planned
    _evaluate(case, keep, holder, plans.NextAction.CONTINUE, date(2027, 1, 10))  # freezes revision 1
    plan = plans.plan_of(case)
    [older] = plans.revisions(plan)
    older.snapshot = {key: value for key, value in older.snapshot.items() if key != "frozen_at"}  # as stored then
    db.session.commit()
    first = plans.revision_snapshot(plan, 1)
    assert first["frozen_at"] == older.created_at.isoformat() and first["goals"] == "Trygg skolehverdag"


def test_a_removed_participant_is_no_longer_offered_as_responsible_for_a_measure(planned, make_user):
    from tik.cases.participants import invite_participant, remove_participant

    holder, case, _keep, _stop = planned
    nurse = make_user(service="health-nurse", name="Nina Helse")
    taking_part = invite_participant(case, nurse, holder)
    assert set(plans.responsible_choices(case)) == {holder.id, nurse.id}
    remove_participant(case, taking_part, holder)  # the consent for her service still holds
    assert set(plans.responsible_choices(case)) == {holder.id}
