"""The report path (DOMAIN.md "Hard stops", issue 15): a report records per guardian whether they were informed and
why not, whether the child was told, interpreter need, when and how it was sent; the suspicion path defaults to
"not informed" with the reason; a report leaves the case open; a reminder to ask child welfare for feedback."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import yaml
from flows import TO_LEVEL0_DECISION, form_data
from support import GUIDEBOOK, pdf_text

from tik import clock
from tik.auth.models import Role
from tik.cases import steps
from tik.cases.leader_feedback import FeedbackError, leader_feedback
from tik.cases.models import CaseEvent, CaseStatus, ChildWelfareReport, EventKind
from tik.cases.reports import SUSPICION, GuardianInformed, ReportError, complete_report, feedback_received
from tik.concerns.models import Urgency
from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
from tik.extensions import db
from tik.mywork.service import work_for

GUARDIANS = [GuardianInput("Kari Hansen", "mor", "400 00 000", "nb"), GuardianInput("Ahmed Hansen", "far", "", "ar")]


def _report(case) -> ChildWelfareReport:
    return db.session.scalar(db.select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id))


def test_a_report_at_level_0_keeps_the_case_open_and_asks_per_guardian(make_case, make_user, move_case):
    teacher = make_user(service="school")
    case = make_case(by=teacher, guardians=GUARDIANS)
    move_case(case, teacher, TO_LEVEL0_DECISION)
    steps.decide(case, "report", {"assessment": "Grunn til bekymring."}, by=teacher)
    assert case.status == CaseStatus.OPEN and case.level == 0 and case.step_id == "l0-decide"
    report = _report(case)
    assert [(g["name"], g["informed"], g["why_not"]) for g in report.guardians] == [
        ("Kari Hansen", None, ""), ("Ahmed Hansen", None, "")]  # to be answered, no reason given yet
    assert report.hard_stop is False and report.created_by_id == teacher.id
    assert report.interpreter_needed and report.interpreter_language == "ar"
    event = db.session.scalar(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.kind == EventKind.REPORT))
    assert event.data["inform_parents"] is None and event.data["case_open"] is True  # not "true" any more


def test_the_suspicion_path_defaults_to_not_informed_with_the_reason(make_case, make_user):
    teacher = make_user(service="school")
    case = make_case(by=teacher, guardians=GUARDIANS)
    steps.decide(case, "report_child_welfare", {}, by=teacher)  # the hard stop: no fields needed
    assert case.is_open
    report = _report(case)
    assert report.hard_stop
    assert all(g["informed"] is False and g["why_not"] == SUSPICION for g in report.guardians)
    event = db.session.scalar(db.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.kind == EventKind.REPORT))
    assert event.data["inform_parents"] is False


def test_an_interpreter_is_named_for_each_language_staff_do_not_write(make_case, make_user, move_case):
    """Staff write Norwegian (bokmål and nynorsk): a family that reads them needs no interpreter; otherwise every
    other language the guardians read is named, once each, in order."""
    teacher = make_user(service="school")
    norwegian = make_case(by=teacher, guardians=[GuardianInput("Kari Hansen", "mor", "", "nb"),
                                                 GuardianInput("Ola Hansen", "far", "", "nn")])
    several = make_case(by=teacher, first_name="Zofia", guardians=[
        GuardianInput("Anna Nowak", "mor", "", "pl"), GuardianInput("Ahmed Nowak", "far", "", "ar"),
        GuardianInput("Kari Nowak", "mor", "", "nb"), GuardianInput("Eva Nowak", "mor", "", "pl")])
    for case in (norwegian, several):
        move_case(case, teacher, TO_LEVEL0_DECISION)
        steps.decide(case, "report", {"assessment": "Grunn til bekymring."}, by=teacher)
    assert (_report(norwegian).interpreter_needed, _report(norwegian).interpreter_language) == (False, "")
    assert (_report(several).interpreter_needed, _report(several).interpreter_language) == (True, "ar, pl")


def test_the_report_starts_from_the_latest_draft_of_its_own_case(make_case, make_user):
    """The report's text starts from the case's latest report draft (a suspicion registered twice: the later
    draft), never from another case's; a case with no draft starts with an empty text."""
    teacher = make_user(service="school")

    def suspicion(first_name: str, draft: str):
        child = ChildInput(first_name=first_name, last_name="Lund", birth_date=date(2014, 2, 3),
                           guardians=[GuardianInput("Mona Lund", "mor", "", "nb")])
        return register_concern(child, ConcernInput(observation="Blåmerker på armene.", urgency=Urgency.SUSPICION,
                                                    report_draft=draft), by=teacher).case

    case = suspicion("Nora", "Første utkast")
    assert suspicion("Nora", "Andre utkast").id == case.id  # the same open case
    suspicion("Ola", "Et annet barns utkast")  # the newest draft of all, another case's
    plain = make_case(by=teacher)
    for reported in (case, plain):
        steps.decide(reported, "report_child_welfare", {}, by=teacher)
    assert _report(case).text == "Andre utkast"
    assert _report(plain).text == ""


def test_only_the_hard_stop_is_the_suspicion_path(app, make_case, make_user, move_case, tmp_path):
    """A guidebook whose ordinary report decision says the parents are not informed first: that is no hard stop,
    so the report still asks per guardian (the suspicion path's "not informed" default is the hard stop's)."""
    path = tmp_path / "guidebook"
    shutil.copytree(GUIDEBOOK, path)
    doc = yaml.safe_load((path / "guide.yaml").read_text())
    [decide] = [s for level in doc["levels"] for s in level["steps"] if s["id"] == "l0-decide"]
    [report_decision] = [d for d in decide["decisions"] if d["key"] == "report"]
    report_decision["inform_parents"] = False
    (path / "guide.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    app.config["TIK_GUIDEBOOK"] = str(path)
    app.extensions.pop("tik_guide", None)
    teacher = make_user(service="school")
    case = make_case(by=teacher, guardians=GUARDIANS)
    move_case(case, teacher, TO_LEVEL0_DECISION)
    steps.decide(case, "report", {"assessment": "Grunn til bekymring."}, by=teacher)
    report = _report(case)
    assert report.hard_stop is False
    assert [(g["informed"], g["why_not"]) for g in report.guardians] == [(None, ""), (None, "")]


def test_the_emergency_routine_does_not_close_the_case(make_case, make_user):
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    steps.decide(case, "emergency", {}, by=teacher)
    assert case.is_open and case.step_id == "l0-concretise"


def test_completing_the_report_sets_the_feedback_reminder_from_the_guide(make_case, make_user):
    teacher = make_user(service="school")
    case = make_case(by=teacher, guardians=GUARDIANS)
    steps.decide(case, "report_child_welfare", {}, by=teacher)
    report = _report(case)
    ids = [g["guardian_id"] for g in report.guardians]
    try:
        complete_report(report, teacher, guardians=[GuardianInformed(ids[0], False, ""),
                                                    GuardianInformed(ids[1], True)],
                        child_told=True, child_not_told_reason="", interpreter_needed=True,
                        interpreter_language="arabisk", sent_on=clock.today(), sent_how="ks-fiks", text="…")
        raise AssertionError("a guardian not informed needs a reason")
    except ReportError as error:
        assert error.code == "why_not_required"
    db.session.rollback()
    report = _report(case)
    complete_report(report, teacher, guardians=[GuardianInformed(ids[0], False, "Mistanke mot mor"),
                                                GuardianInformed(ids[1], True)],
                    child_told=False, child_not_told_reason="For liten", interpreter_needed=True,
                    interpreter_language="arabisk", sent_on=clock.today() - timedelta(days=16),
                    sent_how="ks-fiks", text="Melding")
    assert report.feedback_due == clock.today() + timedelta(days=5)  # 21 days from the guide
    assert [r.id for r in work_for(teacher).report_feedback] == [report.id]
    feedback_received(report, teacher, clock.today())
    assert work_for(teacher).report_feedback == []


def test_a_leader_approval_cannot_block_a_report(make_case, make_user, make_unit):
    """The duty to report is personal: the holder reports with no leader involved; the leader can only record
    feedback to the reporter, and cannot take a decision on the case."""
    leader = make_user(service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    make_unit("school-1", "school", leaders=[leader])
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    steps.decide(case, "report_child_welfare", {}, by=teacher)
    assert _report(case) is not None
    leader_feedback(case, leader, "received")  # a message from the guidebook's list
    events = db.session.scalars(db.select(CaseEvent).where(CaseEvent.kind == EventKind.FEEDBACK)).all()
    assert [e.by_id for e in events] == [leader.id]
    try:
        leader_feedback(case, teacher, "received")
        raise AssertionError("only the unit leader records feedback")
    except FeedbackError as error:
        assert error.code == "not_leader"


def test_the_leader_gives_feedback_to_each_reporter_of_their_own_unit_in_the_order_they_reported(
        make_case, make_user, make_unit, clock):
    """Those the leader gives feedback to: the people of the units they lead who reported a concern in this case,
    once each, the earliest report first; never the leader themself, a reporter of a unit someone else leads,
    or a reporter of another case. Anyone else is refused."""
    from tik.cases.leader_feedback import feedback_reporters

    leader = make_user("leder", service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    other_leader = make_user("annen", service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    make_unit("school-1", "school", leaders=[leader])
    elsewhere = make_unit("school-2", "school", leaders=[other_leader])
    first, second = make_user("forste", service="school"), make_user("andre", service="school")
    outsider = make_user("utenfor", unit=elsewhere)

    def concern(by, first_name="Nora"):
        return make_case(by=by, first_name=first_name, last_name="Lund")

    start = clock.now()
    case = concern(first)
    concern(leader)
    concern(outsider)
    concern(first)  # a second concern of the same person: still once
    clock.travel(start - timedelta(hours=1))
    assert concern(second).id == case.id  # registered last, dated earliest
    clock.travel(start)
    concern(make_user("tredje", service="school"), first_name="Ola")  # another case's reporter
    assert [u.username for u in feedback_reporters(case, leader)] == ["andre", "forste"]
    assert [u.username for u in feedback_reporters(case, other_leader)] == ["utenfor"]
    assert feedback_reporters(case, first) == []
    try:
        leader_feedback(case, leader, "received", reporter_id=outsider.id)
        raise AssertionError("the leader gives feedback only to the reporters of their own units")
    except FeedbackError as error:
        assert error.code == "not_leader"


def test_the_report_path_through_the_web(client, login, make_user, make_unit, make_case, move_case):
    teacher = login(make_user("melder", service="school", name="Mona Melder"))
    case = make_case(by=teacher, guardians=GUARDIANS)
    move_case(case, teacher, TO_LEVEL0_DECISION)
    response = client.post(f"/saker/{case.ref}/beslutning",
                           data=form_data({"assessment": "Grunn til bekymring."}, "report", case.version,
                                          "l0-decide"))
    assert response.status_code == 302
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Melding til barnevernet" in page and "saken er fortsatt åpen" in page.lower()
    assert "Er Kari Hansen informert om meldingen?" in page and 'id="step-title"' in page  # still open at its step
    report = _report(case)
    ids = [g["guardian_id"] for g in report.guardians]
    data = {f"informed_{ids[0]}": "yes", f"informed_{ids[1]}": "no", f"why_not_{ids[1]}": "",
            "child_told": "yes", "interpreter_needed": "yes", "interpreter_language": "arabisk",
            "sent_on": clock.today().isoformat(), "sent_how": "ks-fiks", "text": "Mitt meldingsutkast"}
    refused = client.post(f"/saker/{case.ref}/melding/{report.id}", data=data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Skriv hvorfor en foresatt ikke er informert." in text and "Mitt meldingsutkast" in text  # kept
    data[f"why_not_{ids[1]}"] = "Far er ikke å få tak i"
    assert client.post(f"/saker/{case.ref}/melding/{report.id}", data=data).status_code == 302
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    due = (clock.today() + timedelta(days=21)).strftime("%d.%m.%Y")
    assert "Far er ikke å få tak i" in page and due in page
    pdf = client.get(f"/saker/{case.ref}/melding/{report.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.data)
    for expected in ("Bekymringsmelding til barnevernet", "Mona Melder", "Kari Hansen", "Ahmed Hansen",
                     "Far er ikke å få tak i", "arabisk", "Digitalt (KS Fiks)", "orientertGrunn"):
        assert expected in text, expected


def test_the_feedback_reminder_is_on_min_side(client, login, make_user, make_case):
    teacher = login(make_user("paminnelse", service="school"))
    case = make_case(by=teacher)
    steps.decide(case, "report_child_welfare", {}, by=teacher)
    report = _report(case)
    complete_report(report, teacher, guardians=[GuardianInformed(g["guardian_id"], False, "Mistanke")
                                                for g in report.guardians],
                    child_told=True, child_not_told_reason="", interpreter_needed=False,
                    interpreter_language="", sent_on=clock.today() - timedelta(days=20), sent_how="paper",
                    text="")
    page = client.get("/min-side").get_data(as_text=True)
    assert "Be barnevernet om tilbakemelding" in page and case.ref in page


def test_the_leader_records_feedback_through_the_web(client, login, make_user, make_unit, make_case):
    leader = make_user("leder", service="school", roles=[Role.EMPLOYEE, Role.LEADER], name="Lise Leder")
    make_unit("school-1", "school", leaders=[leader])
    teacher = make_user("ansatt", service="school")
    case = make_case(by=teacher)
    login(leader)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert 'id="leader-feedback"' in page and "ingen leder kan stoppe en melding" in page
    assert client.post(f"/saker/{case.ref}/leder", data={"message": "talk"}).status_code == 302
    assert "Ta kontakt med meg hvis du vil snakke" in client.get(f"/saker/{case.ref}").get_data(as_text=True)
    login(teacher)
    assert client.post(f"/saker/{case.ref}/leder", data={"message": "talk"}).status_code == 404


def _send_report(case, by, sent_on) -> ChildWelfareReport:
    """`by` decides to report at the level 0 decision (not the suspicion path's hard stop) and records it as sent
    on `sent_on`, every guardian informed."""
    if case.step_id != "l0-decide":
        for decision, values in TO_LEVEL0_DECISION:
            steps.decide(case, decision, values, by=by)
    steps.decide(case, "report", {"assessment": "Grunn til bekymring."}, by=by)
    report = db.session.scalar(db.select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id)
                               .order_by(ChildWelfareReport.id.desc()).limit(1))
    return complete_report(report, by, guardians=[GuardianInformed(g["guardian_id"], True) for g in report.guardians],
                           child_told=True, child_not_told_reason="", interpreter_needed=False,
                           interpreter_language="", sent_on=sent_on, sent_how="ks-fiks", text="")


def _handed_to_nurse(case, holder, make_user, services=("health-nurse", "school")):
    """The holder hands the case over to a health nurse under a consent for `services`; the old holder stays on
    as a participant while the consent covers their service."""
    from tik.cases.consent import record_consent
    from tik.cases.handover import answer_handover, propose_handover
    from tik.cases.models import ConsentForm

    nurse = make_user(service="health-nurse", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    record_consent(case, holder, given_by="Kari Hansen", services=list(services), purpose="Samarbeid om tiltak",
                   form=ConsentForm.PAPER, given_on=clock.today(), expires_on=clock.today() + timedelta(days=365))
    answer_handover(propose_handover(case, nurse, holder), nurse, accept=True)
    assert case.coordinator_id == nurse.id
    return nurse


def test_the_feedback_reminder_comes_a_week_before_it_is_due_earliest_first(make_user, make_case):
    """The reminder to ask child welfare for feedback shows from a week before it is due (21 days after the
    report was sent), the earliest due first, and goes once the feedback is recorded."""
    teacher = make_user(service="school")
    first, second = make_case(by=teacher, first_name="Forste"), make_case(by=teacher, first_name="Andre")
    start = clock.today()
    clock.travel(start + timedelta(days=2))
    late = _send_report(first, teacher, clock.today())                        # due start + 23
    early = _send_report(second, teacher, start)                               # recorded later, sent earlier: + 21
    assert [r.feedback_due for r in (early, late)] == [start + timedelta(days=21), start + timedelta(days=23)]
    clock.travel(start + timedelta(days=13))
    assert work_for(teacher).report_feedback == []                              # due in 8 days: not yet
    clock.travel(start + timedelta(days=14))
    assert [r.id for r in work_for(teacher).report_feedback] == [early.id]     # due in exactly a week
    clock.travel(start + timedelta(days=16))
    assert [r.id for r in work_for(teacher).report_feedback] == [early.id, late.id]
    feedback_received(early, teacher, clock.today())
    assert [r.id for r in work_for(teacher).report_feedback] == [late.id]


def test_the_feedback_reminder_goes_to_the_reporter_and_the_holder_while_they_see_the_case(
        make_user, make_unit, make_case):
    """Who is reminded: the one who sent the report and the case's holder, of that report only; not a leader who
    oversees the case nor a colleague; and the reporter only while they may still see the case."""
    from tik.cases.consent import withdraw_consent

    leader = make_user(service="school", roles=(Role.EMPLOYEE, Role.LEADER))
    make_unit("school-1", "school", leaders=[leader])
    teacher, colleague = make_user(service="school"), make_user(service="school")
    case = make_case(by=teacher)
    start = clock.today()
    sent = _send_report(case, teacher, start)
    nurse = _handed_to_nurse(case, teacher, make_user)
    clock.travel(start + timedelta(days=14))
    assert [r.id for r in work_for(nurse).report_feedback] == [sent.id]          # the holder, who did not send it
    assert [r.id for r in work_for(teacher).report_feedback] == [sent.id]        # the sender, now a participant
    own = _send_report(case, nurse, start + timedelta(days=1))                  # the new holder's own report
    clock.travel(start + timedelta(days=15))
    assert [r.id for r in work_for(nurse).report_feedback] == [sent.id, own.id]  # holder: every report
    assert [r.id for r in work_for(teacher).report_feedback] == [sent.id]        # a participant: their own
    assert work_for(leader).report_feedback == [] and work_for(colleague).report_feedback == []
    withdraw_consent(case.consents[0], nurse)                                    # the teacher's school leaves
    assert work_for(teacher).report_feedback == []
    assert [r.id for r in work_for(nurse).report_feedback] == [sent.id, own.id]


def test_leader_feedback_is_read_by_the_reporter_the_holder_and_not_other_participants(
        client, login, make_user, make_unit, make_case):
    """The reporter's unit leader gives them feedback: the reporter reads it in the case's log (while they take
    part in it) and the holder does; another participant does not."""
    from tik.cases.participants import invite_participant

    leader = make_user(service="school", roles=(Role.EMPLOYEE, Role.LEADER))
    make_unit("school-1", "school", leaders=[leader])
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    leader_feedback(case, leader, "followed_up", reporter_id=teacher.id)
    nurse = _handed_to_nurse(case, teacher, make_user)
    other = make_user(service="health-nurse")
    invite_participant(case, other, nurse)
    message = "Saken følges opp av stafettholderen."
    for who, reads in ((teacher, True), (nurse, True), (other, False)):
        login(who)
        response = client.get(f"/saker/{case.ref}/logg")
        assert response.status_code == 200
        assert (message in response.get_data(as_text=True)) is reads, who.username


def test_min_side_shows_a_reporter_the_ten_newest_feedbacks_their_leader_gave_them(
        client, login, make_user, make_unit, make_case):
    """On "Min side" the reporter reads the feedback their leader gave them, with the case's reference, the newest
    first and at most ten; not the feedback given to another reporter of the same case, and not the leader."""
    leader = make_user(service="school", roles=(Role.EMPLOYEE, Role.LEADER))
    make_unit("school-1", "school", leaders=[leader])
    teacher, colleague = make_user(service="school"), make_user(service="school")
    case = make_case(by=teacher, first_name="Nora", last_name="Lund")
    assert make_case(by=colleague, first_name="Nora", last_name="Lund").id == case.id  # a second reporter
    start = clock.now()
    given = []
    for day in range(11):
        clock.travel(start + timedelta(days=day))
        given.append(leader_feedback(case, leader, "received", reporter_id=teacher.id))
    to_colleague = leader_feedback(case, leader, "followed_up", reporter_id=colleague.id)
    assert [(e.id, ref) for e, ref in work_for(teacher).leader_feedback] == [(e.id, case.ref)
                                                                             for e in reversed(given[1:])]
    assert [e.id for e, _ in work_for(colleague).leader_feedback] == [to_colleague.id]
    assert work_for(leader).leader_feedback == []
    login(colleague)
    page = client.get("/min-side").get_data(as_text=True)
    assert "Saken følges opp av stafettholderen." in page and "Saken er tatt imot" not in page
