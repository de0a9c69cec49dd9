"""The guide's rules hold, as data on its steps (`leader`, `requires`) and in its leader feedback: the leader a
step names is recorded, the feedback to the reporter comes from the reporter's own leader and reaches only the
reporter and the holder, a plan step needs a dated measure with an owner, a consent step a consent or a
reason, and the coordinator step records who. Through the services and the web."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flows import CONCRETISE, TO_LEVEL1, TODAY, form_data
from support import GuidebookCopy

from tik.auth.models import Role
from tik.cases.handover import answer_handover, propose_handover
from tik.cases.leader_feedback import FeedbackError, leader_feedback
from tik.cases.models import CaseEvent, EventKind
from tik.cases.participants import invite_participant
from tik.cases.steps import decide
from tik.cli import guide as guide_cli
from tik.extensions import db
from tik.guides.engine import DecisionRefused
from tik.guides.loader import check_guide
from tik.plans.models import MeasureStatus

COORDINATOR = (Role.EMPLOYEE, Role.COORDINATOR)
LEADER = (Role.EMPLOYEE, Role.LEADER)
CLARIFY = {"meeting_date": TODAY, "shared_understanding": "Vi ser det samme.", "child_words": "Jeg er trøtt."}


def _step_event(case, step_id: str) -> CaseEvent:
    return db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.step_id == step_id)
                              .order_by(CaseEvent.id.desc())).first()


# -- the leader at l0-discuss ----------------------------------------------------------------------------------

@pytest.fixture
def two_leaders(make_unit, make_user, make_case):
    """A teacher's case at l0-discuss, in a school with two leaders."""
    rektor = make_user("rektor", service="school", roles=LEADER, name="Rita Rektor")
    inspektor = make_user("inspektor", service="school", roles=LEADER, name="Ivar Inspektør")
    make_unit("school-1", "school", leaders=[rektor, inspektor])
    teacher = make_user("teacher", service="school", roles=COORDINATOR, name="Tina Lærer")
    case = make_case(by=teacher)
    decide(case, "done", CONCRETISE, by=teacher)
    assert case.step_id == "l0-discuss"
    return case, teacher, rektor, inspektor


def test_discussing_with_a_colleague_no_longer_skips_the_leader(two_leaders):
    case, teacher, _rektor, inspektor = two_leaders
    with pytest.raises(DecisionRefused) as refused:
        decide(case, "done", {"discussed_with": "colleague", "advice": "Snakk med barnet."}, by=teacher)
    assert refused.value.code == "leader_required" and refused.value.params == {"field": "leader"}
    db.session.rollback()
    assert case.step_id == "l0-discuss"
    decide(case, "done", {"discussed_with": "colleague", "advice": "Snakk med barnet.", "leader": str(inspektor.id)},
           by=teacher)
    fields = _step_event(case, "l0-discuss").data["fields"]
    assert (fields["leader"], fields["leader_id"]) == ("Ivar Inspektør", str(inspektor.id))


def test_the_leader_must_be_one_of_the_holders_unit_leaders(two_leaders, make_user, make_unit):
    case, teacher, _rektor, _inspektor = two_leaders
    elsewhere = make_user("annen", service="school", roles=LEADER, unit=make_unit("school-2", "school"))
    make_unit("school-2", "school", leaders=[elsewhere])
    with pytest.raises(DecisionRefused):
        decide(case, "done", {"discussed_with": "leader", "advice": "x", "leader": str(elsewhere.id)}, by=teacher)


def test_the_leader_is_chosen_on_the_case_page(client, login, two_leaders):
    case, teacher, rektor, _inspektor = two_leaders
    login(teacher)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert 'name="f_leader"' in page and "Rita Rektor" in page and "Ivar Inspektør" in page
    values = {"discussed_with": "colleague", "advice": "Snakk med barnet."}
    refused = client.post(f"/saker/{case.ref}/beslutning", data=form_data(values, "done", case.version,
                                                                           "l0-discuss"))
    assert refused.status_code == 422 and "Velg hvilken leder du drøftet med." in refused.get_data(as_text=True)
    done = client.post(f"/saker/{case.ref}/beslutning", data=form_data(values | {"leader": rektor.id}, "done",
                                                                        case.version, "l0-discuss"))
    assert done.status_code == 302
    log = " ".join(client.get(f"/saker/{case.ref}/logg").get_data(as_text=True).split())
    assert "<dt>Leder</dt><dd >Rita Rektor</dd>" in log


def test_a_unit_with_one_leader_records_that_leader_and_takes_no_other(make_unit, make_user, make_case):
    rektor = make_user("rektor", service="school", roles=LEADER, name="Rita Rektor")
    make_unit("school-1", "school", leaders=[rektor])
    elsewhere = make_user("annen", service="school", roles=LEADER, unit=make_unit("school-2", "school"))
    make_unit("school-2", "school", leaders=[elsewhere])
    teacher = make_user("teacher", service="school", roles=COORDINATOR)
    case = make_case(by=teacher)
    decide(case, "done", CONCRETISE, by=teacher)
    with pytest.raises(DecisionRefused) as refused:  # another unit's leader sent by hand is not this unit's one
        decide(case, "done", {"discussed_with": "leader", "advice": "x", "leader": str(elsewhere.id)}, by=teacher)
    assert refused.value.code == "leader_required"
    db.session.rollback()
    decide(case, "done", {"discussed_with": "leader", "advice": "Snakk med barnet."}, by=teacher)
    fields = _step_event(case, "l0-discuss").data["fields"]
    assert (fields["leader"], fields["leader_id"]) == ("Rita Rektor", str(rektor.id))


def test_a_holder_who_leads_the_unit_is_the_leader(make_unit, make_user, make_case):
    rektor = make_user("rektor", service="school", roles=LEADER + (Role.COORDINATOR,), name="Rita Rektor")
    make_unit("school-1", "school", leaders=[rektor, make_user("inspektor", service="school", roles=LEADER)])
    case = make_case(by=rektor)
    decide(case, "done", CONCRETISE, by=rektor)
    decide(case, "done", {"discussed_with": "colleague", "advice": "x"}, by=rektor)
    assert _step_event(case, "l0-discuss").data["fields"]["leader"] == "Rita Rektor"


# -- the leader's feedback to the reporter ---------------------------------------------------------------------

@pytest.fixture
def reported(make_unit, make_user, make_case, move_case, give_consent):
    """A teacher at school A reported; the case went to a colleague at school A (the teacher stays as a
    participant), and a health nurse was invited under consent."""
    leader_a = make_user("leder-a", service="school", roles=LEADER, name="Lise Leder")
    school_a = make_unit("school-1", "school", leaders=[leader_a])
    teacher = make_user("melder", unit=school_a, roles=COORDINATOR, name="Mona Melder")
    holder = make_user("holder", unit=school_a, roles=COORDINATOR, name="Hans Holder")
    nurse = make_user("nurse", service="health-nurse", name="Nina Helse")
    case = make_case(by=teacher)
    give_consent(case, teacher, ["health-nurse"])
    answer_handover(propose_handover(case, holder, teacher), holder, accept=True)
    invite_participant(case, nurse, holder)
    return case, teacher, holder, nurse, leader_a


def test_feedback_reaches_the_reporter_and_the_holder_only(client, login, reported):
    case, teacher, holder, nurse, leader_a = reported
    login(leader_a)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert 'id="leader-feedback"' in page and "Ingen sensitive opplysninger" in page and "Mona Melder" in page
    assert client.post(f"/saker/{case.ref}/leder", data={"message": "reported"}).status_code == 302
    said = "Meldingen er sendt videre. Du gjorde det rette ved å si fra."
    for reader in (teacher, holder):
        login(reader)
        assert said in client.get(f"/saker/{case.ref}").get_data(as_text=True), reader.username
    login(teacher)
    assert said in client.get("/min-side").get_data(as_text=True)  # the reporter also on "Min side"
    login(nurse)  # another participant: neither on the page nor in the whole log
    assert client.get(f"/saker/{case.ref}").status_code == 200
    assert said not in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert said not in client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)
    assert said not in client.get("/min-side").get_data(as_text=True)


def test_feedback_comes_from_the_reporters_own_leader(make_unit, make_user, make_case, give_consent):
    leader_a = make_user("leder-a", service="school", roles=LEADER)
    make_unit("school-1", "school", leaders=[leader_a])
    teacher = make_user("melder", service="school", roles=COORDINATOR)
    nurse = make_user("nurse", service="health-nurse", roles=COORDINATOR)
    leader_h = make_user("leder-h", service="health-nurse", roles=LEADER)
    make_unit("health-nurse-1", "health-nurse", leaders=[leader_h])
    case = make_case(by=teacher)
    give_consent(case, teacher, ["health-nurse"])
    answer_handover(propose_handover(case, nurse, teacher), nurse, accept=True)
    # The case's unit is now the health station: its leader oversees the case, but is not the reporter's leader.
    with pytest.raises(FeedbackError) as refused:
        leader_feedback(case, leader_h, "received")
    assert refused.value.code == "not_leader"
    event = leader_feedback(case, leader_a, "received")
    assert event.data["reporter_id"] == teacher.id


def test_feedback_is_chosen_from_the_guidebooks_messages(client, login, reported):
    case, _teacher, _holder, _nurse, leader_a = reported
    with pytest.raises(FeedbackError) as refused:  # the default guidebook allows no free text
        leader_feedback(case, leader_a, "received", text="Barnet fortalte at far slår.")
    assert refused.value.code == "feedback_message"
    with pytest.raises(FeedbackError):
        leader_feedback(case, leader_a, "no-such-message")
    db.session.rollback()
    login(leader_a)
    response = client.post(f"/saker/{case.ref}/leder", data={"message": ""})
    assert response.status_code == 422 and "Velg en av tilbakemeldingene." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(CaseEvent).where(CaseEvent.kind == EventKind.FEEDBACK)) is None


# -- plan, consent and coordinator steps ---------------------------------------------------------------------

@pytest.fixture
def level1(make_unit, make_user, make_case, move_case):
    leader = make_user("rektor", service="school", roles=LEADER)
    make_unit("school-1", "school", leaders=[leader])
    holder = make_user("holder", service="school", roles=COORDINATOR, name="Hans Holder")
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL1 + [("done", CLARIFY)])
    assert case.step_id == "l1-consent"
    return case, holder


def test_a_consent_step_needs_a_consent_or_a_recorded_reason(level1, give_consent):
    case, holder = level1
    with pytest.raises(DecisionRefused) as refused:
        decide(case, "done", {"consent_note": "Foreldrene er informert."}, by=holder)
    assert refused.value.code == "consent_or_reason_required"
    assert refused.value.params == {"field": "no_consent_reason"}  # the form shows the message at that field
    db.session.rollback()
    decide(case, "done", {"no_consent_reason": "Tiltakene er i egen tjeneste; ingenting deles."}, by=holder)
    assert case.step_id == "l1-coordinator"


def test_a_consent_step_passes_with_a_consent(level1, give_consent):
    case, holder = level1
    give_consent(case, holder, ["ppt"])
    decide(case, "done", {}, by=holder)
    assert case.step_id == "l1-coordinator"


def test_the_coordinator_step_records_who_holds_the_baton(level1):
    case, holder = level1
    decide(case, "done", {"no_consent_reason": "Egen tjeneste."}, by=holder)
    decide(case, "done", {}, by=holder)
    fields = _step_event(case, "l1-coordinator").data["fields"]
    assert (fields["coordinator"], fields["coordinator_id"]) == ("Hans Holder", str(holder.id))


def test_a_step_with_a_leader_and_a_coordinator_records_both(app, tmp_path, make_unit, make_user, make_case,
                                                             move_case):
    copy = GuidebookCopy(tmp_path / "guidebook")
    copy.edit(lambda d: copy.step(d, "l1-coordinator").update(leader=True))
    app.config.update(TIK_GUIDEBOOK=str(copy.path))
    app.extensions.pop("tik_guide", None)
    rektor = make_user("rektor", service="school", roles=LEADER, name="Rita Rektor")
    make_unit("school-1", "school", leaders=[rektor])
    holder = make_user("holder", service="school", roles=COORDINATOR, name="Hans Holder")
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL1 + [("done", CLARIFY), ("done", {"no_consent_reason": "Egen tjeneste."})])
    decide(case, "done", {}, by=holder)
    fields = _step_event(case, "l1-coordinator").data["fields"]
    assert (fields["leader"], fields["coordinator"]) == ("Rita Rektor", "Hans Holder")


def test_a_plan_step_needs_a_dated_measure_with_an_owner(client, login, level1, make_measure):
    case, holder = level1
    decide(case, "done", {"no_consent_reason": "Egen tjeneste."}, by=holder)
    decide(case, "done", {}, by=holder)
    assert case.step_id == "l1-measures"
    with pytest.raises(DecisionRefused) as refused:
        decide(case, "done", {"plan_summary": "Frokost på skolen."}, by=holder)
    assert refused.value.code == "measure_required"
    db.session.rollback()
    make_measure(case, holder, what="Avsluttet tiltak", status=MeasureStatus.ENDED)  # an ended one does not count
    login(holder)
    refused = client.post(f"/saker/{case.ref}/beslutning", data=form_data({}, "done", case.version, "l1-measures"))
    assert refused.status_code == 422 and "minst ett tiltak" in refused.get_data(as_text=True)
    make_measure(case, holder, what="Frokost på skolen", responsible="Kontaktlærer")
    db.session.refresh(case)
    done = client.post(f"/saker/{case.ref}/beslutning", data=form_data({}, "done", case.version, "l1-measures"))
    assert done.status_code == 302
    db.session.expire_all()
    assert case.step_id == "l1-carry-out"


def test_hard_stops_are_never_held_up_by_the_rules(level1):
    case, holder = level1
    decide(case, "report_child_welfare", {}, by=holder)  # at a consent step, with no consent and no reason


# -- the guidebook check ---------------------------------------------------------------------------------------

@pytest.fixture
def broken(tmp_path):
    return GuidebookCopy(tmp_path / "guidebook")


@pytest.mark.parametrize("change, problem", [
    (lambda b, d: b.step(d, "l1-measures").update(requires=["measures"]),
     "guide.yaml: step 'l1-measures': unknown requirement 'measures' (one of measure, consent_or_reason, "
     "coordinator)"),
    (lambda b, d: b.step(d, "l1-consent").update(requires="consent_or_reason"),
     "guide.yaml: step 'l1-consent': 'requires' must be a list of requirements"),
    (lambda b, d: b.step(d, "l0-discuss").update(leader="yes"),
     "guide.yaml: step 'l0-discuss': 'leader' must be true or false, not 'yes'"),
    (lambda b, d: d["leader_feedback"].update(messages=[], free_text=False),
     "guide.yaml: leader_feedback: needs messages to choose from, or free_text: true"),
    (lambda b, d: d["leader_feedback"].update(approve=True),
     "guide.yaml: leader_feedback.approve: unknown setting"),
    (lambda b, d: d["leader_feedback"]["messages"][0]["text"].pop("nn"),
     "guide.yaml: leader_feedback message 'received': 'text' has no text in language 'nn'"),
])
def test_guide_check_refuses_broken_step_rules(broken, change, problem):
    broken.edit(lambda d: change(broken, d))
    guide, problems = check_guide(broken.path)
    assert guide is None and problem in [str(p) for p in problems]
    result = CliRunner().invoke(guide_cli, ["check", str(broken.path)])
    assert result.exit_code == 1 and problem in result.output


def test_the_default_guidebook_states_its_rules_as_data():
    from support import GUIDEBOOK

    guide, problems = check_guide(GUIDEBOOK)
    assert problems == []
    assert guide.step("l0-discuss").leader
    assert {s: guide.step(s).requires for s in ("l1-consent", "l1-coordinator", "l1-measures", "l2-consent",
                                                "l2-measures")} == {
        "l1-consent": ("consent_or_reason",), "l1-coordinator": ("coordinator",), "l1-measures": ("measure",),
        "l2-consent": ("consent_or_reason",), "l2-measures": ("measure",)}
    assert not guide.leader_feedback.free_text and guide.leader_feedback.message("received") is not None
