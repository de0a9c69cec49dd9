"""When a consent ends — withdrawn, or run out at midnight in Norway — what hung on it ends too: the withdrawn
service's measures (closed for good), pending handovers, participants and invitations. Each through the services
and the web, as a user reaches them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tik.auth.models import Role
from tik.cases.consent import record_consent
from tik.cases.handover import HandoverError, answer_handover, propose_handover
from tik.cases.models import CaseParticipant, Consent, ConsentForm, EventKind, Handover, HandoverStatus
from tik.cases.participants import ParticipantError, invite_participant
from tik.clock import now
from tik.extensions import db
from tik.guidebook import guide_of
from tik.lifecycle import service as life
from tik.plans import service as plans
from tik.plans.models import GoalReached, Measure, MeasureStatus, NextAction
from tik.timeline.service import timeline

COORDINATOR = (Role.EMPLOYEE, Role.COORDINATOR)
LAST_DAY = date(2026, 11, 30)  # the consents below are valid until (and including) this day


@pytest.fixture
def shared(make_user, make_case, give_consent, make_measure):
    """A school's case with a consent for PPT and the health nurse until LAST_DAY, a PPT participant, and
    a measure for each of the school and PPT."""
    holder = make_user(username="holder", service="school", roles=COORDINATOR)
    ppt = make_user(username="ppt", service="ppt", roles=COORDINATOR, name="Petra Ppt")
    nurse = make_user(username="nurse", service="health-nurse", roles=COORDINATOR, name="Nina Helse")
    case = make_case(by=holder)
    consent = give_consent(case, holder, ["ppt", "health-nurse"], days=(LAST_DAY - date(2026, 11, 20)).days)
    invite_participant(case, ppt, holder)
    own = make_measure(case, holder, what="Ekstra lesetrening")
    theirs = make_measure(case, holder, service="ppt", what="Utredning hos PPT", responsible_id=ppt.id,
                          responsible="")
    return {"holder": holder, "ppt": ppt, "nurse": nurse, "case": case, "consent": consent, "own": own,
            "theirs": theirs}


def _measure_form(measure: Measure, **change) -> dict:
    return {"service_key": measure.service_key, "responsible": "PPT-rådgiver", "responsible_id": "",
            "what": "Endret tiltak", "goal": measure.goal, "start_on": measure.start_on.isoformat(),
            "evaluate_on": measure.evaluate_on.isoformat(), "status": "active", "version": measure.version, **change}


def _evaluation(next_action=NextAction.CONTINUE) -> plans.EvaluationInput:
    return plans.EvaluationInput(evaluated_on=date(2026, 11, 20), goal_reached=GoalReached.PARTLY,
                                 child_experience="Greit", next_action=next_action,
                                 next_evaluate_on=date(2027, 1, 10))


def test_withdrawal_ends_the_withdrawn_services_measures_and_closes_them(client, login, shared):
    holder, case, theirs, own = shared["holder"], shared["case"], shared["theirs"], shared["own"]
    login(holder)
    response = client.post(f"/saker/{case.ref}/samtykke/{shared['consent'].id}/trekk")
    assert response.status_code == 302
    db.session.expire_all()
    assert (theirs.status, theirs.ended_reason) == (MeasureStatus.ENDED, "consent_withdrawn")
    assert own.status == MeasureStatus.ACTIVE and own.ended_reason == ""  # the holder's own service keeps its own
    ended = [e for e in timeline(case) if e.kind == EventKind.PLAN and e.data.get("action") == "measure.ended"]
    assert [e.data["measure_id"] for e in ended] == [theirs.id]

    # The service refuses to change or evaluate it, whoever asks.
    with pytest.raises(plans.PlanError) as refused:
        plans.update_measure(case, theirs, holder, plans.MeasureInput(
            service_key="school", responsible="Noen", what="Flyttet til skolen", goal="x",
            start_on=theirs.start_on, evaluate_on=theirs.evaluate_on, status=MeasureStatus.ACTIVE))
    assert refused.value.code == "measure_closed"
    with pytest.raises(plans.PlanError) as refused:
        plans.evaluate_measure(case, theirs, holder, _evaluation())
    assert refused.value.code == "measure_closed"
    db.session.rollback()

    # The web offers no form: a clear message, and a change sent anyway is refused and changes nothing.
    page = client.get(f"/saker/{case.ref}/plan/tiltak/{theirs.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Tiltaket er avsluttet" in text and 'name="what"' not in text
    evaluation = client.get(f"/saker/{case.ref}/plan/tiltak/{theirs.id}/evaluering").get_data(as_text=True)
    assert "Tiltaket er avsluttet" in evaluation and 'name="child_experience"' not in evaluation
    sent = client.post(f"/saker/{case.ref}/plan/tiltak/{theirs.id}", data=_measure_form(theirs))
    assert sent.status_code == 409
    sent = client.post(f"/saker/{case.ref}/plan/tiltak/{theirs.id}/evaluering", data={
        "evaluated_on": "2026-11-20", "goal_reached": "yes", "child_experience": "Bra", "next_action": "end"})
    assert sent.status_code == 409
    db.session.expire_all()
    assert theirs.what == "Utredning hos PPT" and theirs.ended_reason == "consent_withdrawn"
    plan_page = client.get(f"/saker/{case.ref}/plan").get_data(as_text=True)
    assert f"/plan/tiltak/{theirs.id}\"" not in plan_page and f"/plan/tiltak/{own.id}\"" in plan_page
    assert "Tiltak avsluttet: Utredning hos PPT" in client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)


def _at_local(moment: datetime, clock) -> None:
    """Move the clock to `moment` as it reads on a wall in Norway."""
    clock.travel(clock.local_to_utc(moment))


def test_a_handover_dies_at_expiry_right_after_local_midnight(client, login, runner, shared, clock):
    holder, nurse, case = shared["holder"], shared["nurse"], shared["case"]
    handover = propose_handover(case, nurse, holder, family_wish="Mor ønsker helsesykepleier",
                                measures_scope="Samtalene")
    _at_local(datetime.combine(LAST_DAY, datetime.min.time()).replace(hour=23, minute=59), clock)
    login(nurse)  # (a session does not last across days of travel)
    assert case.ref in client.get("/min-side").get_data(as_text=True)  # the last minute of the consent

    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(second=30), clock)
    login(nurse)
    assert case.ref not in client.get("/min-side").get_data(as_text=True)  # gone from "Min side" at once
    result = runner.invoke(args=["consent", "expire"])  # the nightly job
    assert result.exit_code == 0 and case.ref in result.output
    db.session.expire_all()
    assert handover.status == HandoverStatus.WITHDRAWN and handover.reason == "consent_expired"
    participant = db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == shared["ppt"].id))
    assert participant.removed_reason == "consent_expired"
    assert shared["theirs"].ended_reason == "consent_expired"
    # On the timeline as on withdrawal: the consent's entry, then what hung on it.
    actions = [(e.kind, e.data.get("action")) for e in reversed(timeline(case))]
    assert actions[-4:] == [(EventKind.CONSENT, "expired"), (EventKind.PARTICIPANT, "removed"),
                            (EventKind.HANDOVER, "cancelled"), (EventKind.PLAN, "measure.ended")]
    again = runner.invoke(args=["consent", "expire"])  # idempotent
    assert "0 sak(er)" in again.output and len(timeline(case)) == len(actions)


def test_reading_the_case_after_midnight_ends_what_hung_on_the_consent(client, login, shared, clock):
    holder, case = shared["holder"], shared["case"]
    handover = propose_handover(case, shared["nurse"], holder)
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    login(holder)
    page = client.get(f"/saker/{case.ref}").get_data(as_text=True)
    assert "Samtykket har gått ut" in page
    db.session.expire_all()
    assert handover.status == HandoverStatus.WITHDRAWN


@pytest.mark.parametrize("page", ["/plan", "/plan/tiltak/{own}", "/plan.pdf"])
def test_a_plan_page_read_after_midnight_settles_the_consent_itself(client, login, shared, clock, page):
    """Not only the case page and the nightly job: the plan, a measure and the plan's print carry out the
    ending when the holder opens them (the PPT measure ends, PPT leaves the case, the handover dies)."""
    holder, case, theirs = shared["holder"], shared["case"], shared["theirs"]
    handover = propose_handover(case, shared["nurse"], holder)
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    login(holder)
    assert client.get(f"/saker/{case.ref}" + page.format(own=shared["own"].id)).status_code == 200
    db.session.expire_all()
    assert (theirs.status, theirs.ended_reason) == (MeasureStatus.ENDED, "consent_expired")
    assert handover.status == HandoverStatus.WITHDRAWN and handover.reason == "consent_expired"
    participant = db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == shared["ppt"].id))
    assert participant.removed_reason == "consent_expired"
    assert [e.data.get("action") for e in timeline(case) if e.kind == EventKind.CONSENT][0] == "expired"
    login(shared["ppt"])  # whose access hung on the consent: the plan is gone for them, as the case is
    assert client.get(f"/saker/{case.ref}/plan").status_code == 404


def test_reading_the_case_on_the_consents_last_day_ends_nothing_that_hangs_on_it(client, login, shared, clock):
    """The consent holds its whole last day: read in its last minute, nothing ends, and the ending is carried out
    only when the case is read after midnight."""
    holder, case, consent = shared["holder"], shared["case"], shared["consent"]
    _at_local(datetime.combine(LAST_DAY, datetime.min.time()).replace(hour=23, minute=59), clock)
    login(holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    db.session.expire_all()
    participant = db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == shared["ppt"].id))
    assert consent.expired_at is None and participant.active and shared["theirs"].status == MeasureStatus.ACTIVE
    assert "expired" not in [e.data.get("action") for e in timeline(case) if e.kind == EventKind.CONSENT]

    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    login(holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    db.session.expire_all()
    assert consent.expired_at is not None and participant.removed_reason == "consent_expired"


def test_a_restricted_case_keeps_what_hung_on_a_consent_that_ran_out_until_the_restriction_is_lifted(
        client, login, shared, clock):
    """Nothing in a restricted case changes, not even by the expiry of a consent: the holder reads it after
    midnight and nothing ends; once the restriction is lifted, the next reading carries the ending out."""
    holder, case, consent = shared["holder"], shared["case"], shared["consent"]
    life.set_restricted(case, True, "Klage på behandlingen", holder)
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    login(holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    db.session.expire_all()
    participant = db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == shared["ppt"].id))
    assert consent.expired_at is None and participant.removed_reason == ""
    assert shared["theirs"].status == MeasureStatus.ACTIVE
    assert [e.kind for e in timeline(case)][0] == EventKind.RESTRICTED  # nothing came after the restriction

    life.set_restricted(case, False, "", holder)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    db.session.expire_all()
    assert consent.expired_at is not None and participant.removed_reason == "consent_expired"
    assert shared["theirs"].ended_reason == "consent_expired"


def test_accepting_a_handover_rechecks_consent_at_the_moment_of_answering(shared, clock):
    """The re-check in answer_handover: nothing has settled the expiry yet, the service itself refuses."""
    holder, nurse, case = shared["holder"], shared["nurse"], shared["case"]
    handover = propose_handover(case, nurse, holder)
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    with pytest.raises(HandoverError) as refused:
        answer_handover(handover, nurse, accept=True)
    assert refused.value.code == "cannot_hold"
    db.session.rollback()
    assert case.coordinator_id == holder.id


def test_declining_a_handover_into_a_case_one_can_no_longer_open_is_refused(client, login, shared, clock):
    holder, nurse, case = shared["holder"], shared["nurse"], shared["case"]
    handover = propose_handover(case, nurse, holder)
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    with pytest.raises(HandoverError) as refused:  # the service re-checks, whatever route reaches it
        answer_handover(handover, nurse, accept=False, reason="Har ikke tid")
    assert refused.value.code == "cannot_open"
    db.session.rollback()
    before = len(timeline(case))
    login(nurse)  # after the clock moved
    response = client.post(f"/stafett/{handover.id}", data={"answer": "decline", "reason": "Har ikke tid"})
    assert response.status_code == 404
    db.session.expire_all()
    declined = [e for e in timeline(case) if e.kind == EventKind.HANDOVER and e.data.get("action") == "declined"]
    assert declined == [] and handover.status != HandoverStatus.DECLINED and len(timeline(case)) > before


def test_an_invitation_rechecks_consent_on_the_local_date(client, login, make_user, shared, clock):
    """The re-check in invite_participant: at 00:01 in Norway the consent's last day is over."""
    holder, case = shared["holder"], shared["case"]
    nurse2 = make_user(username="nurse2", service="health-nurse", name="Hanne Helse")
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    with pytest.raises(ParticipantError) as refused:
        invite_participant(case, nurse2, holder)
    assert refused.value.code == "not_covered"
    db.session.rollback()
    login(holder)
    response = client.post(f"/saker/{case.ref}/deltakere", data={"person": "nurse2", "idempotency_key": "i1"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == nurse2.id)) is None


def test_an_invited_participant_loses_the_case_when_the_consent_runs_out(client, login, shared, clock):
    ppt, case = shared["ppt"], shared["case"]
    login(ppt)
    assert client.get(f"/saker/{case.ref}").status_code == 200
    _at_local(datetime.combine(LAST_DAY + timedelta(days=1), datetime.min.time()).replace(minute=1), clock)
    login(ppt)
    assert client.get(f"/saker/{case.ref}").status_code == 404
    assert case.ref not in client.get("/saker").get_data(as_text=True)
    # The policy already refuses on the local date; the ending is carried out when the case is next read by
    # someone who still sees it (or by the nightly `tik consent expire`).
    login(shared["holder"])
    assert client.get(f"/saker/{case.ref}").status_code == 200
    db.session.expire_all()
    participant = db.session.scalar(db.select(CaseParticipant).where(CaseParticipant.user_id == ppt.id))
    assert participant.removed_reason == "consent_expired"


def test_a_handover_records_the_familys_wish_and_the_scope_of_the_measures(client, login, shared):
    holder, nurse, case = shared["holder"], shared["nurse"], shared["case"]
    login(holder)
    missing = client.post(f"/saker/{case.ref}/stafett", data={"to_user": "nurse", "idempotency_key": "h1"})
    assert missing.status_code == 422
    assert "Skriv hva familien ønsker" in missing.get_data(as_text=True)
    assert db.session.scalar(db.select(Handover)) is None
    client.post(f"/saker/{case.ref}/stafett", data={
        "to_user": "nurse", "idempotency_key": "h2", "family_wish": "Mor vil ha helsesykepleier",
        "measures_scope": "Samtalene på helsestasjonen"})
    handover = db.session.scalar(db.select(Handover))
    assert (handover.family_wish, handover.measures_scope) == ("Mor vil ha helsesykepleier",
                                                              "Samtalene på helsestasjonen")
    login(nurse)
    page = client.get("/min-side").get_data(as_text=True)
    assert "Mor vil ha helsesykepleier" in page and "Samtalene på helsestasjonen" in page


def test_withdrawing_one_consent_ends_only_what_hung_on_it_each_entry_in_the_recorders_name(
        client, login, make_user, make_case, give_consent, make_measure):
    """Two consents, one withdrawn: the participant and the pending handover of the withdrawn service end, each
    with its timeline entry naming the member of staff who recorded the withdrawal, the person and the reason;
    the participant the other consent still covers stays."""
    holder = make_user(username="holder", service="school", roles=COORDINATOR)
    ppt = make_user(username="ppt", service="ppt", roles=COORDINATOR, name="Petra Ppt")
    nurse = make_user(username="nurse", service="health-nurse", roles=COORDINATOR, name="Nina Helse")
    nurse2 = make_user(username="nurse2", service="health-nurse", roles=COORDINATOR, name="Hanne Helse")
    case = make_case(by=holder)
    give_consent(case, holder, ["ppt"])
    ending = give_consent(case, holder, ["health-nurse"])
    invite_participant(case, ppt, holder)
    invite_participant(case, nurse, holder)
    measure = make_measure(case, holder, service="health-nurse", what="Samtaler hos helsesykepleier")
    handover = propose_handover(case, nurse2, holder)
    before = now()

    login(holder)
    assert client.post(f"/saker/{case.ref}/samtykke/{ending.id}/trekk").status_code == 302
    db.session.expire_all()
    participants = {p.user_id: p for p in db.session.scalars(
        db.select(CaseParticipant).where(CaseParticipant.case_id == case.id))}
    assert participants[ppt.id].active and participants[ppt.id].removed_reason == ""
    assert not participants[nurse.id].active and participants[nurse.id].removed_reason == "consent_withdrawn"
    assert (handover.status, handover.reason) == (HandoverStatus.WITHDRAWN, "consent_withdrawn")
    assert handover.answered_at is not None and before <= handover.answered_at <= now()
    assert (measure.status, measure.ended_reason) == (MeasureStatus.ENDED, "consent_withdrawn")

    entries = {(e.kind, e.data.get("action")): e for e in timeline(case)
               if e.data.get("reason") == "consent_withdrawn" or e.kind == EventKind.PARTICIPANT}
    removed = [e for e in timeline(case) if e.kind == EventKind.PARTICIPANT and e.data.get("action") == "removed"]
    assert [(e.by_id, e.data) for e in removed] == [
        (holder.id, {"action": "removed", "user": "Nina Helse", "reason": "consent_withdrawn"})]
    cancelled = entries[(EventKind.HANDOVER, "cancelled")]
    assert (cancelled.by_id, cancelled.data) == (
        holder.id, {"action": "cancelled", "to_user": "Hanne Helse", "reason": "consent_withdrawn"})
    ended = entries[(EventKind.PLAN, "measure.ended")]
    assert (ended.by_id, ended.data) == (holder.id, {
        "action": "measure.ended", "measure_id": measure.id, "what": "Samtaler hos helsesykepleier",
        "service": "health-nurse", "reason": "consent_withdrawn", "revision": 1})
    log_page = client.get(f"/saker/{case.ref}/logg").get_data(as_text=True)
    assert "Tiltak avsluttet: Samtaler hos helsesykepleier – samtykket er trukket tilbake (revisjon 1)" in log_page


def test_a_consent_covers_the_kinds_it_names_in_the_guidebooks_order_and_every_kind_of_a_service_it_leaves_out(
        make_user, make_case, clock):
    holder = make_user(username="holder", service="school", roles=COORDINATOR)
    case = make_case(by=holder)
    every = [k.key for k in guide_of(case).information_kinds]
    consent = record_consent(case, holder, given_by="Kari Hansen", services=["ppt", "health-nurse"],
                             purpose="Samarbeid om tiltak", form=ConsentForm.PAPER, given_on=clock.today(),
                             expires_on=LAST_DAY, kinds={"ppt": ["plan-and-measures", "concern-and-observations"]})
    named = ["concern-and-observations", "plan-and-measures"]  # as the guidebook lists them
    assert len(every) > len(named)
    db.session.expire_all()
    assert consent.kinds_for("ppt") == named
    assert consent.kinds_for("health-nurse") == every  # each kind by name, not "all" as for an old consent
    [given] = [e for e in timeline(case) if e.kind == EventKind.CONSENT]
    assert given.data["kinds"] == {"ppt": named, "health-nurse": every}


@pytest.mark.parametrize(("ticked", "message"), [
    ([], "Velg minst én type opplysninger samtykket gjelder."),
    (["plan-and-measures", "horoscope"], "Ukjent type opplysninger."),
])
def test_a_consent_form_with_no_kind_or_an_unknown_kind_for_a_service_is_refused_with_why(
        client, login, make_user, make_case, clock, ticked, message):
    holder = login(make_user(username="holder", service="school", roles=COORDINATOR))
    case = make_case(by=holder)
    response = client.post(f"/saker/{case.ref}/samtykke", data={
        "given_by": "Kari Hansen", "services": ["ppt"], "kinds_grid": "1", "kinds-ppt": ticked,
        "purpose": "Samarbeid om tiltak", "form": "paper", "given_on": clock.today().isoformat(),
        "expires_on": LAST_DAY.isoformat(), "idempotency_key": "k" * 24})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Consent).where(Consent.case_id == case.id)) is None
