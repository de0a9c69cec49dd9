"""Ask once, lose nothing (issue 15): what registration, meetings and the plan know fills the steps; voices are
shown once per conversation, newest first, dated; birth date from the national id; consent once per scope; a
refused decision keeps every field; a decision that needs consent offers the form in place and returns with the
text intact; confirmation after registering; details editable with old and new value on the timeline; the
family's say."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flows import CONCRETISE, DISCUSS, TALK_CHILD, TALK_PARENTS, TO_LEVEL0_DECISION, TO_LEVEL1, TO_LEVEL2, form_data
from support import GuidebookCopy
from test_security import nin_with_control_digits

from tik import clock
from tik.cases import carry, details, steps
from tik.cases.models import CaseEvent, CaseStatus, EventKind
from tik.cases.steps import current_step
from tik.concerns.models import Child
from tik.extensions import db
from tik.guidebook import guide_of
from tik.timeline.voices import voices


def _events(case, kind):
    return db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
                              .order_by(CaseEvent.id)).all()


# -- carry -------------------------------------------------------------------------------------------------

def test_registration_fills_concretise_marked_as_from_the_concern(make_case, make_user):
    teacher = make_user(service="school")
    case = make_case(by=teacher, observation="Sover i timene.")
    carried = carry.carried(case, current_step(case).step)
    assert carried.values == {"observation": "Sover i timene.", "since_when": "i høst",
                              "how_often": "flere ganger i uka"}
    assert set(carried.sources.values()) == {"concern"}


def test_registration_fills_concretise_through_the_web(client, login, make_user):
    login(make_user(service="school"))
    page = client.get("/bekymring/skjema?urgency=none").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    registered = client.post("/bekymring/skjema", data={
        "first_name": "Emil", "last_name": "Fjord", "birth_date": "2016-04-01", "urgency": "none",
        "guardians-0-name": "Mor Fjord", "guardians-0-language": "nb", "idempotency_key": key,
        "observation": "Emil gråter i friminuttene.", "since_when": "Siden jul", "how_often": "Daglig"})
    assert registered.status_code == 302
    page = client.get(registered.headers["Location"]).get_data(as_text=True)
    assert "Bekymringen er registrert i sak" in page  # the confirmation
    assert re.search(r'<textarea[^>]*name="f_observation"[^>]*>Emil gråter i friminuttene.</textarea>', page)
    assert 'value="Siden jul"' in page and 'data-carried="concern"' in page and "Fra bekymringen" in page
    again = client.post("/bekymring/skjema", data={
        "first_name": "Emil", "last_name": "Fjord", "birth_date": "2016-04-01", "urgency": "none",
        "idempotency_key": key, "observation": "Emil gråter i friminuttene."})
    assert "var allerede registrert" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_meeting_fills_the_step_that_asks_for_date_and_participants(make_case, make_user, move_case,
                                                                      give_consent, make_measure):
    from tik.meetings.models import Meeting, MeetingKind, Participant

    teacher = make_user(service="school")
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL1)
    meeting = Meeting(kind=MeetingKind.NETWORK, case_id=case.id, title="Samarbeidsmøte",
                      starts_at=datetime(2026, 11, 18, 9, 0), created_by_id=teacher.id)
    meeting.participants = [Participant(name="Kari Hansen", role="mor"), Participant(name="Per PPT", role="PPT")]
    db.session.add(meeting)
    db.session.commit()
    carried = carry.carried(case, current_step(case).step)  # l1-clarify: meeting date
    assert carried.values["meeting_date"] == "2026-11-18" and carried.sources["meeting_date"] == "meeting"
    give_consent(case, teacher, ["health-nurse"])
    make_measure(case, teacher)  # the plan step needs a dated measure with an owner
    move_case(case, teacher, [("done", {"meeting_date": "2026-11-18", "shared_understanding": "x"}),
                              ("done", {}), ("done", {}), ("done", {}), ("done", {"progress": "ok"}),
                              ("level2", {"evaluation": "x", "child_experience": "y"})])
    assert case.step_id == "l2-meeting"  # the consent step was done by the consent already given
    carried = carry.carried(case, current_step(case).step)
    assert carried.values["participants"] == "Kari Hansen, mor\nPer PPT, PPT"


def test_the_plan_summary_is_derived_from_the_goals(make_case, make_user, move_case, make_measure):
    from tik.plans.models import Plan

    teacher = make_user(service="school")
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL1 + [("done", {"meeting_date": "2026-11-18", "shared_understanding": "x"}),
                                          ("done", {"no_consent_reason": "Egen tjeneste."}), ("done", {})])
    assert case.step_id == "l1-measures"
    db.session.add(Plan(case_id=case.id, goals="Emil skal trives i friminuttene."))
    db.session.commit()
    step = current_step(case).step
    assert not step.field("plan_summary").required  # no second summary to type
    assert carry.carried(case, step).values["plan_summary"] == "Emil skal trives i friminuttene."
    make_measure(case, teacher)  # the plan step needs a dated measure with an owner
    steps.decide(case, "done", {}, by=teacher)
    assert case.step_id == "l1-carry-out"


def test_voices_are_recorded_once_per_conversation_and_shown_newest_first_dated(client, login, make_case,
                                                                                 make_user, move_case):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    move_case(case, teacher, [("done", CONCRETISE), ("done", DISCUSS),
                              ("done", {**TALK_CHILD, "conversation_date": "2026-11-10"}),
                              ("done", {**TALK_PARENTS, "conversation_date": "2026-11-12"})])
    said = voices(case)
    assert [(v.who, v.on) for v in said] == [("parents", date(2026, 11, 12)), ("child", date(2026, 11, 10))]
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    section = page[page.index('id="voices"'):page.index('id="plan-heading"')]
    assert section.index(TALK_PARENTS["parents_words"]) < section.index(TALK_CHILD["child_words"])
    assert "12.11.2026" in section and "10.11.2026" in section


def test_birth_date_is_derived_from_the_national_id(client, login, make_user):
    login(make_user(service="school"))
    nin = _valid_nin("010416")
    response = client.post("/bekymring/skjema", data={
        "first_name": "Nils", "last_name": "Nummer", "nin": nin, "urgency": "none", "idempotency_key": "nin-1",
        "observation": "Trøtt."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    child = db.session.scalar(db.select(Child).where(Child.last_name == "Nummer"))
    assert child.birth_date == date(2016, 4, 1)
    missing = client.post("/bekymring/skjema", data={
        "first_name": "Nils", "last_name": "Uten", "urgency": "none", "observation": "Trøtt."})
    assert missing.status_code == 422 and "eller fødselsnummeret" in missing.get_data(as_text=True)


def _valid_nin(born: str) -> str:
    for individual in range(500, 600):
        try:
            return nin_with_control_digits(f"{born}{individual}")
        except AssertionError:
            continue
    raise AssertionError("no valid number")


# -- never lose typed text ------------------------------------------------------------------------------

def test_a_decision_needing_consent_offers_the_form_and_returns_with_the_text(client, login, make_case, make_user,
                                                                           move_case):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    move_case(case, teacher, TO_LEVEL0_DECISION)
    text = "Min lange vurdering som ikke må forsvinne."
    refused = client.post(f"/saker/{case.ref}/beslutning",
                          data=form_data({"assessment": text}, "level2", case.version, "l0-decide"))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    # the consent form's own page, the decision's text carried in it
    assert f'name="keep_assessment" value="{text}"' in page and 'id="consent-form"' in page
    assert f'action="/saker/{case.ref}/samtykke"' in page
    consent = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Kari Hansen", "services": ["health-nurse"], "purpose": "Samarbeid", "form": "paper",
        "given_on": clock.today().isoformat(), "expires_on": (clock.today() + timedelta(days=300)).isoformat(),
        "idempotency_key": "consent-in-place", "keep_decision": "level2", "keep_step_id": "l0-decide",
        "keep_assessment": text})
    assert consent.status_code == 200
    page = consent.get_data(as_text=True)
    assert "Samtykket er registrert. Det du skrev står her fortsatt" in page
    assert re.search(r'<textarea[^>]*name="f_assessment"[^>]*>' + re.escape(text) + "</textarea>", page)
    db.session.expire_all()
    decided = client.post(f"/saker/{case.ref}/beslutning",
                          data=form_data({"assessment": text}, "level2", case.version, "l0-decide"))
    assert decided.status_code == 302
    db.session.expire_all()
    assert case.level == 2 and case.step_id == "l2-meeting"  # consent asked once: l2-consent carried
    carried = [e for e in _events(case, EventKind.STEP) if e.data.get("carried")]  # in the log, in the holder's name
    assert [(e.step_id, e.decision, e.level, e.by_id, e.data) for e in carried] == [
        ("l2-consent", "done", 2, teacher.id, {"fields": {"services": "health-nurse"}, "carried": "consent"})]


def test_a_consent_step_that_offers_a_choice_is_asked_even_when_a_consent_covers_it(app, tmp_path, make_case,
                                                                                     make_user, give_consent,
                                                                                     move_case):
    copy = GuidebookCopy(tmp_path / "guidebook")
    copy.edit(lambda d: copy.step(d, "l2-consent")["decisions"].append(
        {"key": "narrower", "next": "l2-meeting",
         "label": {"nb": "Samtykke for færre tjenester", "nn": "Samtykke for færre tenester", "en": "Fewer services"}}))
    app.config.update(TIK_GUIDEBOOK=str(copy.path))
    app.extensions.pop("tik_guide", None)
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    give_consent(case, teacher, ["health-nurse"])
    move_case(case, teacher, TO_LEVEL2)
    assert case.step_id == "l2-consent"  # two ways on: the holder chooses; the consent does not choose for them
    assert [e for e in _events(case, EventKind.STEP) if e.data.get("carried")] == []


def test_a_refused_decision_keeps_every_field(client, login, make_case, make_user, move_case):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    move_case(case, teacher, [("done", CONCRETISE), ("done", DISCUSS)])
    refused = client.post(f"/saker/{case.ref}/beslutning", data=form_data(
        {"conversation_date": "2026-11-10", "staff_notes": "Notatet mitt"}, "done", case.version, "l0-talk-child"))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Notatet mitt" in page and 'value="2026-11-10"' in page


# -- the child's and the guardians' details ------------------------------------------------------------------

def test_details_are_editable_with_old_and_new_value_on_the_timeline(make_case, make_user):
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    details.update_child(case, teacher, {"class_name": "6B", "first_name": "Emma"})
    guardian = case.child.guardians[0]
    details.update_guardian(case, teacher, guardian.id, {"phone": "911 11 111", "email": "kari@example.no",
                                                         "language": "pl"})
    details.add_guardian(case, teacher, name="Ole Hansen", relation="far", language="nb")
    details.remove_guardian(case, teacher, guardian.id)
    changes = [(e.data["field"], e.data["old"], e.data["new"]) for e in _events(case, EventKind.DETAILS)]
    assert changes == [("class_name", "5B", "6B"), ("phone", "400 00 000", "911 11 111"),
                       ("email", "", "kari@example.no"), ("language", "nb", "pl"), ("added", "", "Ole Hansen"),
                       ("removed", "Kari Hansen", "")]
    assert [g.name for g in case.child.guardians] == ["Ole Hansen"]


def test_details_through_the_web_and_only_for_those_who_work_on_the_case(client, login, make_case, make_user):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    guardian = case.child.guardians[0]
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "400 00 000" in page and "Norsk bokmål" in page  # phone and language shown on the case page
    assert client.post(f"/saker/{case.ref}/foresatte/{guardian.id}", data={
        "name": "Kari Hansen", "relation": "mor", "phone": "400 00 000", "email": "kari@example.no",
        "language": "so"}).status_code == 302
    assert client.post(f"/saker/{case.ref}/foresatte", data={"name": "Ali Hansen", "relation": "far",
                                                              "language": "so"}).status_code == 302
    assert client.post(f"/saker/{case.ref}/barn", data={"class_name": "6C"}).status_code == 302
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "kari@example.no" in page and "Ali Hansen" in page and "Soomaali" in page
    assert "«5B» → «6C»" in page
    other = login(make_user(service="health-nurse"))
    assert other and client.post(f"/saker/{case.ref}/barn", data={"class_name": "7A"}).status_code == 404


# -- the family's say ------------------------------------------------------------------------------------

def test_the_family_can_say_no_at_every_level_with_its_reason(make_case, make_user, move_case, give_consent):
    teacher = make_user(service="school")
    case = make_case(by=teacher)
    guide = guide_of(case)
    assert all(guide.family_ends in guide.decisions(s) for s in guide.steps.values() if s.level is not None)
    give_consent(case, teacher, ["health-nurse"])
    move_case(case, teacher, TO_LEVEL0_DECISION + [("level2", {"assessment": "x"})])
    assert case.level == 2
    steps.decide(case, "family_ends", {}, by=teacher)  # nothing in the step stands in the way
    assert case.step_id == "family-ends"
    try:
        steps.decide(case, "close", {"family_informed": "yes"}, by=teacher)
        raise AssertionError("the family's reason is required")
    except Exception as refused:  # noqa: BLE001
        db.session.rollback()
        assert getattr(refused, "code", "") == "missing_fields"
    steps.decide(case, "close", {"family_reason": "Vi vil klare oss selv.", "family_informed": "yes"}, by=teacher)
    assert case.status == CaseStatus.CLOSED
    consent_events = [e.data.get("action") for e in _events(case, EventKind.CONSENT)]
    assert "refused" in consent_events and consent_events[-1] == "withdrawn"  # in the consent record
    assert all(c.withdrawn_at is not None for c in case.consents)


def test_when_the_family_ends_only_the_live_consents_end_and_their_services_leave(make_case, make_user, make_unit,
                                                                                 give_consent, make_measure, clock):
    """The family ends the cooperation: their "no" goes on the consent record with their reason, by the one who
    recorded it; each consent still in force is withdrawn at once, on the timeline with its services and why; a
    consent that expired or was withdrawn before is left as it was. And the services that stood on the live
    consent leave: the nurse is no longer a participant and her measure ends, both for the consent withdrawn."""
    from tik.auth.models import Role
    from tik.cases.consent import withdraw_consent
    from tik.cases.participants import invite_participant
    from tik.plans.models import MeasureStatus

    teacher = make_user(service="school", roles=(Role.EMPLOYEE, Role.COORDINATOR))
    nurse = make_user("nurse", unit=make_unit("helse", "health-nurse"), roles=(Role.EMPLOYEE, Role.COORDINATOR))
    case = make_case(by=teacher)
    expired = give_consent(case, teacher, ["ppt"], days=10)
    earlier = give_consent(case, teacher, ["child-welfare"])
    withdraw_consent(earlier, teacher)
    withdrawn_on = earlier.withdrawn_at
    live = give_consent(case, teacher, ["health-nurse"])
    invite_participant(case, nurse, teacher)
    measure = make_measure(case, teacher, service="health-nurse")
    clock.travel(clock.now() + timedelta(days=20))  # the PPT consent has expired (nothing settled it yet)
    before, moment = max(e.id for e in _events(case, EventKind.CONSENT)), clock.now()
    steps.decide(case, "family_ends", {}, by=teacher)
    steps.decide(case, "close", {"family_reason": "Vi vil klare oss selv.", "family_informed": "yes"}, by=teacher)

    said = [(e.by_id, e.data) for e in _events(case, EventKind.CONSENT) if e.id > before]
    assert said == [(teacher.id, {"action": "refused", "reason": "Vi vil klare oss selv."}),
                    (teacher.id, {"consent_id": live.id, "services": ["health-nurse"], "action": "withdrawn",
                                  "reason": "family_ends"})]
    db.session.expire_all()
    assert moment <= live.withdrawn_at <= clock.now()
    assert expired.withdrawn_at is None and earlier.withdrawn_at == withdrawn_on
    [part] = case.participants
    assert (part.user_id, part.active, part.removed_reason) == (nurse.id, False, "consent_withdrawn")
    [removed] = [e for e in _events(case, EventKind.PARTICIPANT) if e.data.get("action") == "removed"]
    assert (removed.by_id, removed.data["reason"]) == (teacher.id, "consent_withdrawn")
    assert (measure.status, measure.ended_reason) == (MeasureStatus.ENDED, "consent_withdrawn")
    [ended] = [e for e in _events(case, EventKind.PLAN) if e.data.get("action") == "measure.ended"]
    assert (ended.by_id, ended.data["measure_id"], ended.data["reason"]) == (teacher.id, measure.id,
                                                                            "consent_withdrawn")


def test_the_family_says_no_through_the_web_and_exclusions_are_kept(client, login, make_case, make_user):
    teacher = login(make_user(service="school"))
    case = make_case(by=teacher)
    consent = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Kari Hansen", "services": ["health-nurse"], "purpose": "Samarbeid", "form": "paper",
        "given_on": clock.today().isoformat(), "expires_on": (clock.today() + timedelta(days=300)).isoformat(),
        "exclusions": "Ikke opplysninger om fars helse", "idempotency_key": "excl-1"})
    assert consent.status_code == 302
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Ikke opplysninger om fars helse" in page and "Familien sier nei / avslutter samarbeidet" in page
    response = client.post(f"/saker/{case.ref}/beslutning",
                           data=form_data({}, "family_ends", case.version, "l0-concretise"))
    assert response.status_code == 302
    db.session.expire_all()
    assert case.step_id == "family-ends"
    closing = client.post(f"/saker/{case.ref}/beslutning", data=form_data(
        {"family_reason": "Vi takker nei.", "family_informed": "yes"}, "close", case.version, "family-ends"))
    assert closing.status_code == 302
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Vi takker nei." in page and "Saken er avsluttet" in page


def test_in_the_meeting_the_step_gets_the_meeting_date_and_who_attended(client, login, make_user, make_case,
                                                                        move_case):
    from tik.meetings.models import Meeting

    holder = login(make_user(service="school", name="Helle Holder"))
    case = make_case(by=holder)
    move_case(case, holder, TO_LEVEL1)  # l1-clarify asks for the meeting date
    response = client.post(f"/moter/nettverk/{case.ref}", data={
        "title": "Samarbeidsmøte", "starts_at": "2026-12-03T14:00", "place": "Skolen",
        "family": "Kari Hansen, mor", "idempotency_key": "net-carry"})
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting).where(Meeting.case_id == case.id))
    page = client.get(f"/moter/{meeting.id}").get_data(as_text=True)
    assert 'name="f_meeting_date" type="date" value="2026-12-03"' in page and "Fra møtet" in page
    # A refused decision in the meeting keeps what was typed.
    item = meeting.items[0]
    refused = client.post(f"/moter/{meeting.id}/punkt/{item.id}/beslutning", data={
        "decision": "done", "version": str(case.version), "f_meeting_date": "2026-12-03",
        "f_child_words": "Jeg vil ha det bra"})
    assert refused.status_code == 422 and "Jeg vil ha det bra" in refused.get_data(as_text=True)
    # On the case page too: the step starts from the meeting.
    assert 'value="2026-12-03"' in client.get(f"/saker/{case.ref}").get_data(as_text=True)
