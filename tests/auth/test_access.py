"""The access policy by unit and person: the holder, invited participants (outside the holder's unit only
while consent covers their service) and the leaders of the holder's unit. Nobody else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flows import TO_LEVEL2

from tik import clock
from tik.auth.models import Role
from tik.cases.consent import withdraw_consent
from tik.cases.handover import HandoverError, answer_handover, propose_handover
from tik.cases.models import EventKind
from tik.cases.participants import ParticipantError, invite_participant
from tik.cases.queries import active_participant, my_cases
from tik.cases.steps import current_step, decide
from tik.extensions import db
from tik.timeline.service import log, timeline


@dataclass
class World:
    people: dict
    case: object
    meeting_id: int


@pytest.fixture
def world(app, make_unit, make_user, make_case, move_case, give_consent, make_measure, make_meeting):
    """Two schools with their leaders, a health station, PPT and NAV. A level-2 case held by a teacher at
    school A, with consent for health and PPT; one health nurse invited (responsible for a measure), another
    not; a shared plan revision; a network meeting."""
    from tik.meetings.models import Team, TeamMember
    from tik.plans.service import mark_shared, plan_of

    school_a, school_b = make_unit("skole-a", "school"), make_unit("skole-b", "school")
    health, ppt, nav = make_unit("helse", "health-nurse"), make_unit("ppt", "ppt"), make_unit("nav", "nav")
    staff = make_unit("stab", "culture-leisure")
    p = {
        "holder": make_user("holder", unit=school_a, roles=[Role.EMPLOYEE, Role.COORDINATOR]),
        "colleague": make_user("colleague", unit=school_a, roles=[Role.EMPLOYEE, Role.COORDINATOR]),
        "teacher_b": make_user("teacher-b", unit=school_b, roles=[Role.EMPLOYEE, Role.COORDINATOR]),
        "leader_a": make_user("leader-a", unit=school_a, roles=[Role.EMPLOYEE, Role.LEADER]),
        "leader_b": make_user("leader-b", unit=school_b, roles=[Role.EMPLOYEE, Role.LEADER]),
        "nurse": make_user("nurse", unit=health, roles=[Role.EMPLOYEE, Role.COORDINATOR]),
        "nurse2": make_user("nurse2", unit=health),
        "ppt": make_user("ppt-user", unit=ppt, roles=[Role.EMPLOYEE, Role.TEAM]),
        "nav": make_user("nav-user", unit=nav),
        "admin": make_user("admin", unit=staff, roles=[Role.ADMIN]),
        "team": make_user("team-user", unit=health, roles=[Role.EMPLOYEE, Role.TEAM]),
    }
    make_unit("skole-a", leaders=[p["leader_a"]])
    make_unit("skole-b", leaders=[p["leader_b"]])
    team = Team(name="TIK-team", members=[TeamMember(user_id=p["team"].id), TeamMember(user_id=p["ppt"].id)])
    db.session.add(team)
    db.session.commit()
    case = make_case(by=p["holder"], first_name="Sigrid")
    give_consent(case, p["holder"], ["health-nurse", "ppt"])
    move_case(case, p["holder"], TO_LEVEL2)
    invite_participant(case, p["nurse"], p["holder"])
    make_measure(case, p["holder"], service="health-nurse", responsible="", responsible_id=p["nurse"].id,
                 what="Samtaler om søvn", evaluate_in=5)
    mark_shared(plan_of(case), p["holder"])
    db.session.commit()
    meeting = make_meeting(p["holder"], case=case, title="Ansvarsgruppe")
    return World(p, case, meeting.id)


def _pages(w: World) -> list[str]:
    ref = w.case.ref
    return [f"/saker/{ref}", f"/saker/{ref}/plan", f"/saker/{ref}/plan.pdf", f"/saker/{ref}/plan.pdf?versjon=familie",
            f"/saker/{ref}/plan/revisjon/1", f"/saker/{ref}/plan/revisjon/1.pdf",
            f"/saker/{ref}/plan/sammenlign?fra=1&til=1", f"/moter/{w.meeting_id}"]


def _lists(client, w: World) -> dict[str, bool]:
    """Whether the case shows up in each list the user has."""
    ref, name = w.case.ref, w.case.child.first_name
    return {
        "search": ref in client.post("/saker", data={"q": name}).get_data(as_text=True),
        "my cases": ref in client.get("/saker").get_data(as_text=True),
    }


SEES = {"holder", "leader_a", "nurse"}


@pytest.mark.parametrize("who", ["holder", "leader_a", "nurse", "colleague", "teacher_b", "leader_b", "nurse2",
                                 "ppt", "nav", "admin", "team"])
def test_access_matrix_over_units(client, login, world, who):
    login(world.people[who])
    expected = 200 if who in SEES else 404
    for url in _pages(world):
        assert client.get(url).status_code == expected, (who, url)
    assert _lists(client, world) == {"search": who in SEES, "my cases": who in SEES}


def test_min_side_and_calendar_reach_the_holder_and_the_responsible_participant(client, login, world):
    ref = world.case.ref
    for who in ("holder", "nurse", "nurse2", "ppt", "teacher_b"):
        login(world.people[who])
        page = client.get("/min-side").get_data(as_text=True)
        ics = client.get("/min-side/kalender.ics").get_data(as_text=True)
        assert (ref in page) == (who in ("holder", "nurse")), who
        assert (f"evaluering {ref}" in ics) == (who in ("holder", "nurse")), who


def test_my_cases_says_why_each_case_is_there(client, login, world):
    expectations = {"holder": "stafettholder", "nurse": "deltaker", "leader_a": "leder"}
    for who, why in expectations.items():
        login(world.people[who])
        page = client.get("/saker").get_data(as_text=True)
        row = page[page.index(world.case.ref):]
        assert why in row[:2000], who
    login(world.people["nurse"])
    assert "Samtaler om søvn" in client.get("/saker").get_data(as_text=True)  # my measure in the row


def test_a_participant_with_a_measure_finds_the_case_and_gets_the_reminder(app, world):
    from tik.mywork.models import OutboxMessage
    from tik.mywork.service import evaluations_due, queue_reminders

    nurse = world.people["nurse"]
    nurse.email = "nurse@example.test"
    db.session.commit()
    assert [d.ref for d in evaluations_due(nurse, clock.today())] == [world.case.ref]
    assert [r.ref for r in my_cases(nurse)] == [world.case.ref]
    clock.travel(clock.now() + timedelta(days=5))  # the evaluation is due today
    assert queue_reminders() >= 1
    assert db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_address == "nurse@example.test"))


def test_the_policy_and_its_sql_twin_agree(app, world):
    from tik.auth.policy import can_view_case, visible_cases

    for who, person in world.people.items():
        in_sql = db.session.scalar(db.select(db.func.count()).select_from(type(world.case))
                                   .where(visible_cases(person, clock.today()))) == 1
        assert in_sql == can_view_case(person, world.case, clock.today()) == (who in SEES), who


def test_a_leader_has_oversight_but_does_not_work_on_the_case(client, login, world):
    login(world.people["leader_a"])
    ref = world.case.ref
    page = client.get(f"/saker/{ref}").get_data(as_text=True)
    assert 'name="decision"' not in page and "Du ser saken som leder" in page
    assert client.post(f"/saker/{ref}/beslutning", data={"decision": "done", "version": "1"}).status_code == 404
    assert client.post(f"/saker/{ref}/plan", data={"goals": "x", "version": "0"}).status_code == 404
    assert client.get(f"/saker/{ref}/innsyn").status_code == 200


def test_inviting_outside_the_unit_needs_consent_for_the_persons_service(app, world):
    nav = world.people["nav"]
    with pytest.raises(ParticipantError) as refused:
        invite_participant(world.case, nav, world.people["holder"])
    assert refused.value.code == "not_covered"
    colleague = world.people["colleague"]  # the holder's own unit needs no consent
    invite_participant(world.case, colleague, world.people["holder"])
    assert active_participant(world.case, colleague) is not None


def test_only_the_holder_invites_and_removes(client, login, world):
    login(world.people["nurse"])
    ref = world.case.ref
    assert client.post(f"/saker/{ref}/deltakere", data={"person": "ppt-user"}).status_code == 404
    login(world.people["holder"])
    assert client.post(f"/saker/{ref}/deltakere", data={"person": "ppt-user"}).status_code == 302
    participant = active_participant(world.case, world.people["ppt"])
    assert participant is not None
    login(world.people["ppt"])
    assert client.get(f"/saker/{ref}").status_code == 200
    login(world.people["holder"])
    assert client.post(f"/saker/{ref}/deltakere/{participant.id}/fjern").status_code == 302
    login(world.people["ppt"])
    assert client.get(f"/saker/{ref}").status_code == 404
    kinds = [e.data.get("action") for e in timeline(world.case) if e.kind == EventKind.PARTICIPANT]
    assert kinds.count("invited") == 2 and "removed" in kinds


def test_withdrawal_removes_participants_cancels_handovers_and_stops_the_level(client, login, world):
    holder, nurse = world.people["holder"], world.people["nurse"]
    handover = propose_handover(world.case, nurse, holder)
    consent = world.case.consents[0]
    withdraw_consent(consent, holder)
    db.session.expire_all()
    case = db.session.get(type(world.case), world.case.id)
    assert active_participant(case, nurse) is None
    assert db.session.get(type(handover), handover.id).status.value == "withdrawn"
    login(nurse)
    for url in _pages(world):
        assert client.get(url).status_code == 404, url
    client.post(f"/stafett/{handover.id}", data={"answer": "accept"})  # refused: the handover was cancelled
    db.session.expire_all()
    assert db.session.get(type(world.case), world.case.id).coordinator_id == holder.id
    assert client.get(f"/saker/{world.case.ref}").status_code == 404
    with pytest.raises(HandoverError):  # the service refuses too, whatever route reaches it
        answer_handover(handover, nurse, accept=True)
    db.session.rollback()
    assert current_step(case).step.id == "consent-withdrawn"
    assert {d.key for d in current_step(case).decisions} - {"emergency", "report_child_welfare"} == {
        "level1", "close"}
    from tik.guides.engine import DecisionRefused

    with pytest.raises(DecisionRefused):
        decide(case, "done", {"services": "school"}, holder)


def test_a_measure_for_an_uncovered_service_is_refused(app, world):
    from tik.plans.service import MeasureInput, PlanError, add_measure

    def measure(service):
        return MeasureInput(service_key=service, responsible="Noen", what="x", goal="y",
                            start_on=clock.today(), evaluate_on=clock.today() + timedelta(days=7))

    with pytest.raises(PlanError) as refused:
        add_measure(world.case, world.people["holder"], measure("bup"))
    assert refused.value.code == "service_not_consented"
    db.session.rollback()
    add_measure(world.case, world.people["holder"], measure("school"))  # the holder's own service
    withdraw_consent(world.case.consents[0], world.people["holder"])
    with pytest.raises(PlanError):
        add_measure(world.case, world.people["holder"], measure("health-nurse"))


def test_withdrawal_is_one_transaction(app, world, monkeypatch):
    """A failure midway leaves the consent, the participants and the handovers as they were."""
    holder, nurse = world.people["holder"], world.people["nurse"]
    handover = propose_handover(world.case, nurse, holder)
    real_log = log

    def failing_log(case, kind, by, **data):
        if kind == EventKind.HANDOVER:
            raise RuntimeError("disk full")
        return real_log(case, kind, by, **data)

    monkeypatch.setattr("tik.cases.consent.log", failing_log)
    with pytest.raises(RuntimeError):
        withdraw_consent(world.case.consents[0], holder)
    db.session.rollback()
    db.session.expire_all()
    case = db.session.get(type(world.case), world.case.id)
    assert case.consents[0].withdrawn_at is None
    assert active_participant(case, nurse) is not None
    assert db.session.get(type(handover), handover.id).status.value == "pending"


def test_an_expired_consent_gives_no_access(client, login, world):
    login(world.people["nurse"])
    assert client.get(f"/saker/{world.case.ref}").status_code == 200  # before expiry
    clock.travel(date.fromordinal(clock.today().toordinal() + 400))
    login(world.people["nurse"])
    assert client.get(f"/saker/{world.case.ref}").status_code == 404
    assert world.case.ref not in client.get("/saker").get_data(as_text=True)


def test_the_report_draft_is_for_its_author_the_holder_and_the_leader(client, login, world):
    from tik.concerns.models import ReportDraft

    db.session.add(ReportDraft(case_id=world.case.id, created_by_id=world.people["holder"].id,
                               text="Utkast: bekymring for omsorgen hjemme"))
    db.session.commit()
    for who, sees in (("holder", True), ("leader_a", True), ("nurse", False)):
        login(world.people[who])
        assert ("Utkast: bekymring" in client.get(f"/saker/{world.case.ref}").get_data(as_text=True)) == sees, who


def test_the_holder_sees_the_case_wherever_they_work(client, login, make_user, make_case):
    holder = make_user(service="youth-service")
    case = make_case(by=holder)
    login(holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200


def test_unknown_and_forbidden_cases_answer_the_same(client, login, world):
    login(world.people["nav"])
    ref = world.case.ref
    forbidden = client.get(f"/saker/{ref}")
    unknown = client.get("/saker/TIK-1999-9999")
    assert forbidden.status_code == unknown.status_code == 404
    same = forbidden.get_data(as_text=True).replace(ref, "REF")
    assert same == unknown.get_data(as_text=True).replace("TIK-1999-9999", "REF")


def test_who_has_seen_names_the_leader_as_leader(client, login, world):
    login(world.people["leader_a"])
    client.get(f"/saker/{world.case.ref}")
    login(world.people["nurse"])
    assert client.get(f"/saker/{world.case.ref}/innsyn").status_code == 404
    login(world.people["holder"])
    page = client.get(f"/saker/{world.case.ref}/innsyn").get_data(as_text=True)
    row = page[page.index(world.people["leader_a"].name):]
    assert "leder" in row[:300]


def test_who_has_seen_a_case_names_only_those_who_read_that_case(client, login, world, make_case):
    from sqlalchemy import func, select

    from tik.audit.models import AuditEvent
    from tik.auth.policy import Access
    from tik.cases.queries import who_has_seen

    theirs = make_case(by=world.people["teacher_b"], first_name="Other")
    login(world.people["teacher_b"])
    assert client.get(f"/saker/{theirs.ref}").status_code == 200  # teacher B reads only their own case
    holder, nurse = world.people["holder"], world.people["nurse"]
    login(nurse)
    client.get(f"/saker/{world.case.ref}")
    login(holder)
    client.get(f"/saker/{world.case.ref}")
    client.get(f"/saker/{world.case.ref}")
    viewers = who_has_seen(world.case)
    assert [(v.name, v.unit, v.access, v.times) for v in viewers] == [
        (holder.name, holder.unit.name, Access.HOLDER, 2), (nurse.name, nurse.unit.name, Access.PARTICIPANT, 1)]
    last_read = db.session.scalar(select(func.max(AuditEvent.at)).where(
        AuditEvent.case_id == world.case.id, AuditEvent.user_id == holder.id))
    assert viewers[0].last == last_read
    page = client.get(f"/saker/{world.case.ref}/innsyn").get_data(as_text=True)
    assert world.people["teacher_b"].name not in page
    clock.travel(clock.now() + timedelta(minutes=5))
    login(nurse)
    client.get(f"/saker/{world.case.ref}")  # now the nurse read it last: she comes first
    assert [(v.name, v.times) for v in who_has_seen(world.case)] == [(nurse.name, 2), (holder.name, 2)]
    nurse.unit_id = None  # a reader without a unit is listed with none, and by her service
    db.session.commit()
    assert who_has_seen(world.case)[0].unit == ""
    login(holder)
    page = client.get(f"/saker/{world.case.ref}/innsyn").get_data(as_text=True)
    assert f"<td>{nurse.name}</td><td>Helsestasjon og skolehelsetjeneste</td>" in page


def test_routes_with_a_role_answer_404_to_others(client, login, world):
    login(world.people["holder"])
    for url in ("/enhet", "/admin/brukere", "/admin/enheter"):
        assert client.get(url).status_code == 404, url
    login(world.people["leader_a"])
    assert world.case.ref in client.get("/enhet").get_data(as_text=True)
    login(world.people["leader_b"])
    assert world.case.ref not in client.get("/enhet").get_data(as_text=True)
    login(world.people["admin"])
    assert client.get("/admin/brukere").status_code == 200
    assert client.get(f"/saker/{world.case.ref}").status_code == 404


def test_only_a_coordinator_may_hold_a_case(app, world):
    with pytest.raises(HandoverError):
        propose_handover(world.case, world.people["nurse2"], world.people["holder"])  # no coordinator role
    propose_handover(world.case, world.people["colleague"], world.people["holder"])


def test_team_meetings_are_for_team_members(client, login, world, make_meeting):
    from tik.meetings.models import Team

    meeting = make_meeting(world.people["team"], team=db.session.scalar(db.select(Team)), title="Teammøte")
    login(world.people["team"])
    assert client.get(f"/moter/{meeting.id}").status_code == 200
    login(world.people["nurse"])
    assert client.get(f"/moter/{meeting.id}").status_code == 404


def test_every_route_declares_its_access(app):
    from tik.auth.policy import ACCESS_ATTR

    undeclared = [rule.rule for rule in app.url_map.iter_rules()
                  if not hasattr(app.view_functions[rule.endpoint], ACCESS_ATTR)]
    assert undeclared == []


def test_every_route_with_case_data_goes_through_the_policy(app):
    """A route that takes a case reference, a meeting, a handover or a participant asks the policy."""
    import inspect

    gates = ("case_for(", "can_view_meeting(", "_meeting(", "can_answer_handover(")
    ungated = []
    for rule in app.url_map.iter_rules():
        if not any(arg in rule.arguments for arg in ("ref", "meeting_id", "handover_id", "participant_id")):
            continue
        source = inspect.getsource(app.view_functions[rule.endpoint])
        if not any(gate in source for gate in gates):
            ungated.append(rule.rule)
    assert ungated == []


@pytest.mark.own_app  # adds a route
def test_a_route_without_declaration_is_denied(app, client):
    app.add_url_rule("/leaky", "leaky", lambda: "secret")
    assert client.get("/leaky").status_code == 404


def test_case_pages_need_login(client, make_case):
    case = make_case()
    response = client.get(f"/saker/{case.ref}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_alias_hides_name_birth_date_and_school(app, make_case):
    from tik.cases.anonymise import alias

    case = make_case(first_name="Oskar", birth_date=date(2015, 10, 2), gender="boy", school="Fjordvik skole")
    with app.test_request_context():
        text = alias(case.child, date(2026, 11, 23))
    assert text == "Gutt, 11 år, 6. trinn"
    for identifying in ("Oskar", case.child.last_name, "2015", "Fjordvik"):
        assert identifying not in text


def test_cases_hold_no_reader_list_in_memory(app, world):
    """The policy reads consent from the database each time: another worker sees a withdrawal at once."""
    from tik.auth.policy import can_view_case
    from tik.clock import today

    nurse = world.people["nurse"]
    assert can_view_case(nurse, world.case, today())
    db.session.execute(db.text("UPDATE consent SET withdrawn_at = CURRENT_TIMESTAMP"))
    db.session.commit()
    db.session.expire_all()
    assert not can_view_case(nurse, world.case, today())


def test_the_life_decisions_are_the_holders_and_the_unit_leaders(world):
    """Reopening (of a closed case only) and the leader's feedback to the reporter, by access; a change to a
    closed or restricted case is refused with the reason."""
    from tik.auth.policy import CaseLocked, can_give_leader_feedback, can_reopen, ensure_writable
    from tik.cases.models import CaseStatus

    case, on, p = world.case, clock.today(), world.people
    assert not any(can_reopen(p[who], case, on) for who in ("holder", "leader_a"))  # it is open
    feedback = {who: can_give_leader_feedback(p[who], case, on) for who in ("holder", "leader_a", "nurse", "leader_b")}
    assert feedback == {"holder": False, "leader_a": True, "nurse": False, "leader_b": False}
    ensure_writable(case)
    case.status = CaseStatus.CLOSED
    reopen = {who: can_reopen(p[who], case, on) for who in ("holder", "leader_a", "nurse", "colleague", "leader_b")}
    assert reopen == {"holder": True, "leader_a": True, "nurse": False, "colleague": False, "leader_b": False}
    with pytest.raises(CaseLocked) as closed:
        ensure_writable(case)
    assert closed.value.code == "case_closed" and str(closed.value) == f"{case.ref}: case_closed"
    ensure_writable(case, life=True)  # closing, reopening and the archive print pass
    case.status, case.restricted = CaseStatus.OPEN, True
    with pytest.raises(CaseLocked) as restricted:
        ensure_writable(case)
    assert restricted.value.code == "case_restricted" and str(restricted.value) == f"{case.ref}: case_restricted"
    db.session.rollback()


def test_an_agenda_names_the_child_in_a_network_meeting_and_in_a_team_meeting_only_with_the_teams_consent(
        world, make_meeting, give_consent):
    from tik.auth.policy import is_identified
    from tik.meetings.models import AgendaItem, Meeting, Team

    on, holder = clock.today(), world.people["holder"]
    network = db.session.get(Meeting, world.meeting_id)
    team = make_meeting(world.people["team"], team=db.session.scalar(db.select(Team)), title="Teammøte")

    def item(meeting, case=world.case, anonymous=False) -> AgendaItem:
        added = AgendaItem(meeting=meeting, case=case, anonymous=anonymous, brought_by_id=holder.id)
        db.session.add(added)
        return added

    assert is_identified(item(network), on)
    assert not is_identified(item(network, anonymous=True), on)
    assert not is_identified(item(team), on)  # consent covers health and PPT, not the team
    assert not is_identified(item(team, case=None), on)  # a question for advice without a case
    give_consent(world.case, holder, ["tik-team"])
    db.session.refresh(world.case)
    assert is_identified(item(team), on)
    assert not is_identified(item(team, anonymous=True), on)  # brought anonymously stays anonymous


def test_the_case_page_offers_each_person_what_their_access_allows(client, login, world):
    """The holder invites and sees who has read; the unit leader sees who has read and gives the reporter
    feedback; an invited participant does neither. The page asks the policy (abilities)."""
    ref = world.case.ref
    offers = {}
    for who in ("holder", "leader_a", "nurse"):
        login(world.people[who])
        page = client.get(f"/saker/{ref}").get_data(as_text=True)
        offers[who] = ('id="invite"' in page, f"/saker/{ref}/sett-av" in page or "Hvem har sett saken" in page,
                       'id="leader-feedback"' in page, 'name="decision"' in page)
    assert offers == {"holder": (True, True, False, True), "leader_a": (False, True, True, False),
                      "nurse": (False, False, False, True)}


def test_editing_and_meeting_decisions_need_access_and_an_open_case(world, make_meeting):
    from tik.auth.policy import can_act_on_item, can_edit_case
    from tik.cases.models import CaseStatus
    from tik.meetings.models import AgendaItem, Meeting

    case, on, p = world.case, clock.today(), world.people
    network = db.session.get(Meeting, world.meeting_id)
    item = AgendaItem(meeting=network, case=case, brought_by_id=p["holder"].id)
    db.session.add(item)
    edits = {who: can_edit_case(p[who], case, on) for who in ("holder", "nurse", "leader_a", "colleague")}
    assert edits == {"holder": True, "nurse": True, "leader_a": False, "colleague": False}
    acts = {who: can_act_on_item(p[who], item, on) for who in ("holder", "nurse", "leader_a", "colleague")}
    assert acts == edits  # a network meeting names the child: whoever may work on the case acts on it
    case.status = CaseStatus.CLOSED
    assert not can_edit_case(p["holder"], case, on) and not can_act_on_item(p["holder"], item, on)


def test_the_lists_sql_rule_and_the_case_pages_rule_agree_for_every_person_and_case(
        make_unit, make_user, make_case, give_consent, clock):
    """visible_cases (the WHERE of lists, search, my work) is the SQL twin of access_of (every case page):
    over cases that differ in one condition each — consent live, withdrawn, not yet given, expired, for
    another service or on another case; a participant removed, invited elsewhere, deactivated; a restricted
    case — each person sees in a list exactly the cases they may open."""
    from datetime import timedelta

    from sqlalchemy import select

    from tik.auth.policy import access_of, reachable_cases, visible_cases
    from tik.cases.models import Case, CaseParticipant
    from tik.cases.participants import remove_participant
    from tik.org import service as org

    school, health = make_unit("skole-a", "school"), make_unit("helse", "health-nurse")
    people = {
        "holder": make_user("holder", unit=school, roles=[Role.EMPLOYEE, Role.COORDINATOR]),
        "colleague": make_user("colleague", unit=school), "leaver": make_user("leaver", unit=school),
        "nurse": make_user("nurse", unit=health), "nurse2": make_user("nurse2", unit=health),
        "leader": make_user("leader", unit=school, roles=[Role.EMPLOYEE, Role.LEADER]),
        "teacher_b": make_user("teacher-b", unit=make_unit("skole-b", "school")),
    }
    make_unit("skole-a", leaders=[people["leader"]])
    holder, nurse, on = people["holder"], people["nurse"], clock.today()

    def case_with(*invited, services=("health-nurse",)):
        case = make_case(by=holder)
        consent = give_consent(case, holder, list(services)) if services else None
        for who in invited:
            invite_participant(case, people[who], holder)
        return case, consent

    cases = {"unit": case_with("colleague", "leaver", services=())[0],
             "unit, not invited": case_with(services=())[0],
             "live": case_with("nurse")[0]}
    withdrawn, consent = case_with("nurse")
    withdraw_consent(consent, holder)
    not_yet, consent = case_with("nurse")
    consent.given_on = on + timedelta(days=1)
    expired, consent = case_with("nurse")
    consent.expires_on = on - timedelta(days=1)
    other_service, consent = case_with("nurse")
    consent.service_rows[0].service_key = "ppt"
    removed = case_with("nurse")[0]
    remove_participant(removed, db.session.scalar(select(CaseParticipant).where(
        CaseParticipant.case_id == removed.id, CaseParticipant.user_id == nurse.id)), holder)
    restricted = case_with("nurse")[0]
    restricted.restricted = True
    cases.update({"withdrawn": withdrawn, "not yet given": not_yet, "expired": expired,
                  "other service": other_service, "removed": removed, "restricted": restricted,
                  "consent, not invited": case_with()[0], "the leaver's own": make_case(by=people["leaver"])})
    db.session.commit()
    org.deactivate(people["leaver"])
    db.session.expire_all()

    seen = {}
    for who, user in people.items():
        listed = set(db.session.scalars(select(Case.id).where(visible_cases(user, on))))
        opens = {case.id for case in cases.values() if access_of(user, case, on) is not None}
        assert listed == opens, who
        # The lists narrow by the rule's roots first, through their indexes: the same cases.
        narrowed = set(db.session.scalars(select(Case.id).where(reachable_cases(user), visible_cases(user, on))))
        assert narrowed == listed, who
        seen[who] = sorted(name for name, case in cases.items() if case.id in listed)
    assert seen["nurse"] == ["live"]
    assert seen["colleague"] == ["unit"]
    assert seen["leaver"] == [] and seen["nurse2"] == [] and seen["teacher_b"] == []
    assert seen["leader"] == sorted(cases) and seen["holder"] == sorted(set(cases) - {"the leaver's own"})


def test_a_change_to_a_closed_case_answers_409_and_nobody_inactive_is_invited(client, login, world):
    from tik.cases.models import CaseStatus
    from tik.org import service as org

    holder, case = world.people["holder"], world.case
    org.deactivate(world.people["colleague"])
    with pytest.raises(ParticipantError) as refused:
        invite_participant(case, world.people["colleague"], holder)
    assert refused.value.code == "not_covered"  # a colleague of the holder's own unit, but no longer active
    login(holder)
    case.status = CaseStatus.CLOSED
    db.session.commit()
    answer = client.post(f"/saker/{case.ref}/beslutning", data={"decision": "done", "version": str(case.version)})
    assert answer.status_code == 409


def test_a_menu_link_is_offered_exactly_where_following_it_would_not_answer_404(app, make_user):
    """may_use reads what each route declares: public for everyone, "authenticated" for any member of
    staff, a role for that role, "Min familie" never for staff, an unknown endpoint for nobody."""
    from flask_login import AnonymousUserMixin

    from tik.auth.policy import may_use

    employee, admin = make_user(), make_user(roles=[Role.ADMIN])
    endpoints = ("auth.login", "cases.my_cases", "org.users", "family.case", "no.such_endpoint")
    with app.test_request_context():
        allowed = {name: [e for e in endpoints if may_use(user, e)]
                   for name, user in (("anonymous", AnonymousUserMixin()), ("employee", employee), ("admin", admin))}
    assert allowed == {"anonymous": ["auth.login"], "employee": ["auth.login", "cases.my_cases"],
                       "admin": ["auth.login", "cases.my_cases", "org.users"]}
