"""The work on a case: open it, move it through the guide, record consent, hand it over."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import (
    Access,
    access_of,
    can_hold_case,
    can_manage_participants,
    consented_services,
    ensure_writable,
    may_take_part,
    visible_cases,
)
from tik.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    Consent,
    ConsentForm,
    EventKind,
    Handover,
    HandoverStatus,
)
from tik.clock import now, today
from tik.extensions import db
from tik.guides import engine
from tik.guides.model import Guide, Step
from tik.handbook.current import current_guide, guide_for, pin_current_guide


class StaleEdit(Exception):
    """Someone else saved first. `current` is what they saved; the caller keeps the user's text."""

    def __init__(self, current: object) -> None:
        super().__init__("stale edit")
        self.current = current


class ConsentError(ValueError):
    """A consent cannot be recorded as given; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_version(obj, expected: int | None) -> None:
    """Raise StaleEdit when the user's form was based on an older version of `obj`."""
    if expected is not None and obj.version != expected:
        raise StaleEdit(obj)


# Entries a closed or restricted case still takes: its life, and a new concern (which only ever reaches an open
# case: after closing a concern opens a new case; a restricted case stores it and changes nothing else).
LIFE_KINDS = frozenset({EventKind.CLOSED, EventKind.REPORT, EventKind.EMERGENCY, EventKind.REOPENED,
                        EventKind.ARCHIVED, EventKind.RESTRICTED, EventKind.LEGAL_HOLD, EventKind.CONCERN})


def log(case: Case, kind: EventKind, by: User | None, step_id: str = "", decision: str = "",
        level: int | None = None, **data) -> CaseEvent:
    """Append an entry to the case's timeline (stafettlogg) in the current transaction.

    Raises CaseLocked for a closed or restricted case: every change leaves an entry, so none gets past this
    (only the case's life itself — closing, reopening, archive print, restriction, legal hold — may)."""
    ensure_writable(case, life=kind in LIFE_KINDS)
    event = CaseEvent(case_id=case.id, at=now(), by_id=getattr(by, "id", None), kind=kind, step_id=step_id,
                      decision=decision, level=level, data=data)
    db.session.add(event)
    return event


def next_reference(year: int) -> str:
    """TIK-YYYY-NNNN: the next number in the year, taken under a row lock so concurrent writers differ."""
    bump = (update(CaseCounter).where(CaseCounter.year == year)
            .values(last=CaseCounter.last + 1).returning(CaseCounter.last))
    number = db.session.scalar(bump)
    if number is None:
        prefix = f"TIK-{year}-"
        used = db.session.scalar(select(func.max(cast(func.substr(Case.ref, len(prefix) + 1), Integer)))
                                 .where(Case.ref.like(prefix + "%"))) or 0
        try:
            with db.session.begin_nested():
                db.session.add(CaseCounter(year=year, last=used + 1))
            number = used + 1
        except IntegrityError:  # another writer created the year's counter first
            number = db.session.scalar(bump)
    return f"TIK-{year}-{number:04d}"


def open_case(child, by: User) -> Case:
    """A new case at level 0 held by the one who registered it; the guide's first step is done."""
    digest = pin_current_guide()
    guide = current_guide()
    start = guide.start
    case = Case(ref=next_reference(today().year), child_id=child.id, level=0, step_id=start.id,
                coordinator_id=by.id, owning_service=by.service_key, unit_id=by.unit_id, guide_digest=digest,
                opened_at=now(), step_since=now(), previous_ref=previous_ref(child.id))
    db.session.add(case)
    db.session.flush()
    # The register step is done by registering: apply its (only) decision so the case starts at work.
    outcome = engine.apply(guide, state_of(case, guide), start.decisions[0].key, {})
    log(case, EventKind.STEP, by, step_id=start.id, decision=outcome.decision.key)
    _move(case, guide, outcome.state)
    case.deadline = level_deadline(guide, 0, case.opened_at.date())
    return case


def previous_ref(child_id: int) -> str:
    """The reference of the child's most recent closed case: a new concern after it links back to it."""
    return db.session.scalar(select(Case.ref).where(Case.child_id == child_id, Case.status == CaseStatus.CLOSED)
                             .order_by(Case.closed_at.desc()).limit(1)) or ""


def level_deadline(guide: Guide, level: int, start: date) -> date | None:
    """The level's decision deadline (e.g. 14 days at level 0), counted from `start`."""
    frames = [s.time_frame_days for s in guide.level(level).steps if s.time_frame_days]
    return start + timedelta(days=frames[-1]) if frames else None


def _move(case: Case, guide: Guide, state: engine.CaseState) -> None:
    level_changed = state.level != case.level
    case.step_id = state.step_id
    case.level = state.level
    case.step_since = now()
    step = guide.step(state.step_id)
    if state.level == 0:
        if level_changed:  # back to wondering: a new decision deadline
            case.deadline = level_deadline(guide, 0, today())
        level_due = level_deadline(guide, 0, case.opened_at.date()) if not level_changed else case.deadline
        frames = [s.time_frame_days for s in guide.level(0).steps if s.time_frame_days]
        # A step at level 0 with its own time frame (other than the decision's) is due sooner, never later.
        if step.time_frame_days and step.level == 0 and not (frames and step is _last_framed(guide)):
            own = today() + timedelta(days=step.time_frame_days)
            case.deadline = min(own, level_due) if level_due else own
        elif level_due:
            case.deadline = level_due
    else:  # above level 0 a step's own time frame is the deadline; evaluations have their own dates
        case.deadline = today() + timedelta(days=step.time_frame_days) if step.time_frame_days else None


def _last_framed(guide: Guide) -> Step | None:
    framed = [s for s in guide.level(0).steps if s.time_frame_days]
    return framed[-1] if framed else None


def state_of(case: Case, guide: Guide | None = None) -> engine.CaseState:
    return engine.CaseState(step_id=case.step_id, level=case.level,
                            consented_services=frozenset(consented_services(case, today())))


def guide_of(case: Case) -> Guide:
    return guide_for(case.guide_digest)


def current_step(case: Case) -> engine.StepView:
    return engine.current(guide_of(case), state_of(case))


def decide(case: Case, decision_key: str, values: dict[str, str], by: User,
           expected_version: int | None = None, meeting_id: int | None = None) -> engine.Outcome:
    """Apply a decision of the current step; raises DecisionRefused with the reason, StaleEdit if stale."""
    check_version(case, expected_version)
    if not case.is_open:
        raise engine.DecisionRefused("case_closed")
    guide = guide_of(case)
    state = state_of(case, guide)
    step = engine.step_at(guide, state)
    outcome = engine.apply(guide, state, decision_key, values)
    recorded = {k: v for k, v in outcome.values.items() if v}
    voices = {f.key: f.voice for f in step.fields if f.voice and recorded.get(f.key)}
    kind = EventKind.CONVERSATION if voices else EventKind.STEP
    log(case, kind, by, step_id=step.id, decision=decision_key, level=case.level, fields=recorded, voices=voices,
        meeting_id=meeting_id)
    _apply_effects(case, step, recorded, by)
    if guide.family_ends is not None and step.id == guide.family_ends.next:
        _family_ends(case, recorded.get("family_reason", ""), by)
    if outcome.end:
        end = guide.ends.get(outcome.end)
        kind = {"emergency": EventKind.EMERGENCY, "child_welfare_report": EventKind.REPORT}.get(
            outcome.end, EventKind.CLOSED)
        report_id = None
        if outcome.end == "child_welfare_report":
            from tik.cases.flow import start_report

            report_id = start_report(case, outcome.decision, by).id
        # The suspicion path never informs the parents first; otherwise the report record asks per guardian.
        informed = False if outcome.decision.hard_stop and not outcome.decision.inform_parents else None
        if end is None or end.closes_case:
            _close(case, outcome.end, recorded.get("close_reason") or recorded.get("closing_note", ""), by)
        log(case, kind, by, step_id=step.id, decision=decision_key, end=outcome.end, inform_parents=informed,
            report_id=report_id, case_open=case.is_open)
    else:
        old_level = case.level
        _move(case, guide, outcome.state)
        if outcome.level_changed:
            log(case, EventKind.LEVEL, by, level=case.level, from_level=old_level)
        _consent_once(case, guide, by)
    record(by, "case.decide", case, detail=f"{step.id}:{decision_key}")
    db.session.commit()
    return outcome


def _consent_once(case: Case, guide: Guide, by: User) -> None:
    """Consent is asked once per scope: a consent step whose services an active consent already covers is
    done by that consent (on the timeline as carried), not asked again."""
    state = state_of(case, guide)
    step = engine.step_at(guide, state)
    if not guide.is_consent_step(step) or not state.consented_services or len(step.decisions) != 1:
        return
    if any(f.required and f.kind != "services" for f in step.fields):
        return
    values = {f.key: ",".join(sorted(state.consented_services)) for f in step.fields if f.kind == "services"}
    outcome = engine.apply(guide, state, step.decisions[0].key, values)
    log(case, EventKind.STEP, by, step_id=step.id, decision=outcome.decision.key, level=case.level,
        fields={k: v for k, v in outcome.values.items() if v}, carried="consent")
    if outcome.state is not None:
        _move(case, guide, outcome.state)


def _family_ends(case: Case, reason: str, by: User) -> None:
    """The family said no or ended the cooperation: part of the consent record, and the consents that let
    other services in end now."""
    log(case, EventKind.CONSENT, by, action="refused", reason=reason)
    for consent in case.consents:
        if consent.withdrawn_at is None and consent.is_active(today()):
            consent.withdrawn_at = now()
            log(case, EventKind.CONSENT, by, consent_id=consent.id, services=consent.services, action="withdrawn",
                reason="family_ends")
    enforce_consent(case, by, reason="consent_withdrawn")


def _apply_effects(case: Case, step: Step, recorded: dict[str, str], by: User) -> None:
    """A "yes" on a field with an effect grows the same plan into the individual plan (no second document)."""
    from tik.plans.models import Plan

    effects = [f.effect for f in step.fields if f.effect and recorded.get(f.key) == "yes"]
    if not effects:
        return
    plan = db.session.scalar(select(Plan).where(Plan.case_id == case.id))
    if plan is None:
        plan = Plan(case_id=case.id)
        db.session.add(plan)
    if "individual_plan" in effects:
        plan.individual_plan = True
    if "child_coordinator" in effects:
        plan.child_coordinator = case.coordinator.name
    log(case, EventKind.PLAN, by, action="plan.individual", effects=effects)


def _close(case: Case, end: str, reason: str, by: User) -> None:
    case.status = CaseStatus.CLOSED
    case.end_key = end
    case.close_reason = reason
    case.closed_at = now()
    case.deadline = None


def record_consent(case: Case, by: User | None, *, given_by: str, services: list[str], purpose: str,
                   form: ConsentForm, given_on: date, expires_on: date, information: str = "",
                   young_person: bool = False, exclusions: str = "", family=None,
                   renews: Consent | None = None) -> Consent:
    """Record a consent; raises ConsentError when it names no service or ends before it starts.

    `by` is the member of staff who records it, or None when the family gives it digitally on "Min familie"
    (`family` is then their FamilyRelation). `renews` is the consent this one renews (timeline only)."""
    from tik.auth.policy import family_actor

    guide = guide_of(case)
    if not services:
        raise ConsentError("no_services")
    if any(s not in guide.services for s in services):
        raise ConsentError("unknown_service")
    if expires_on < given_on:
        raise ConsentError("expires_before_given")
    if case.child.age_on(given_on) >= guide.consent_age and not young_person:
        raise ConsentError("young_person_must_consent")
    consent = Consent(case_id=case.id, given_by=given_by.strip(), services=services, purpose=purpose.strip(),
                      form=form, given_on=given_on, expires_on=expires_on, information=information.strip(),
                      young_person=young_person, recorded_by_id=getattr(by, "id", None),
                      exclusions=exclusions.strip())
    db.session.add(consent)
    db.session.flush()
    extra = {"by_family": family.value} if family is not None else {}
    if renews is not None:
        extra["renews"] = renews.id
    log(case, EventKind.CONSENT, by, consent_id=consent.id, services=services, action="given",
        exclusions=consent.exclusions, **extra)
    record(by if by is not None else family_actor(family), "consent.record", case)
    db.session.commit()
    return consent


def withdraw_consent(consent: Consent, by: User | None, family=None) -> None:
    """Withdraw at once, in one transaction: the access that hung on it ends now (participants whose
    service is no longer covered are removed, handovers to people who may no longer hold are cancelled).

    `by` is the member of staff who records it, or None when the family withdraws it on "Min familie"
    (`family` is then their FamilyRelation)."""
    from tik.auth.policy import family_actor

    consent.withdrawn_at = now()
    case = consent.case
    extra = {"by_family": family.value} if family is not None else {}
    log(case, EventKind.CONSENT, by, consent_id=consent.id, services=consent.services, action="withdrawn", **extra)
    enforce_consent(case, by, reason="consent_withdrawn")
    record(by if by is not None else family_actor(family), "consent.withdraw", case)
    db.session.commit()


def enforce_consent(case: Case, by: User | None, reason: str) -> None:
    """End what the case's consents no longer cover, in the current transaction: participants outside the
    holder's unit whose service is not covered, and pending handovers to people who may not hold the case.
    Each on the timeline. (Between such sweeps, the policy already denies them: it checks consent live.)"""
    on = today()
    for participant in case.participants:
        if participant.active and not may_take_part(participant.user, case, on):
            participant.removed_at = now()
            participant.removed_reason = reason
            log(case, EventKind.PARTICIPANT, by, action="removed", user=participant.user.name, reason=reason)
    for pending in pending_handovers(case):
        if not can_hold_case(pending.to_user, case, on):
            pending.status = HandoverStatus.WITHDRAWN
            pending.reason = reason
            pending.answered_at = now()
            log(case, EventKind.HANDOVER, by, action="cancelled", to_user=pending.to_user.name, reason=reason)


class ParticipantError(ValueError):
    """A person cannot be invited into (or removed from) a case; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def invite_participant(case: Case, user: User, by: User) -> CaseParticipant:
    """The stafettholder invites a named person. Outside the holder's unit only while consent covers their
    service; the invitation is audited and on the timeline."""
    if not can_manage_participants(by, case):
        raise ParticipantError("not_holder")
    if user.id == case.coordinator_id or active_participant(case, user) is not None:
        raise ParticipantError("already_in_case")
    if not may_take_part(user, case, today()):
        raise ParticipantError("not_covered")
    participant = CaseParticipant(case_id=case.id, user_id=user.id, invited_by_id=by.id, invited_at=now())
    participant.user = user
    case.participants.append(participant)
    log(case, EventKind.PARTICIPANT, by, action="invited", user=user.name)
    record(by, "participant.invite", case, detail=user.username)
    db.session.commit()
    return participant


def remove_participant(case: Case, participant: CaseParticipant, by: User) -> None:
    """The stafettholder removes a participant; their access ends at once."""
    if not can_manage_participants(by, case):
        raise ParticipantError("not_holder")
    if participant.case_id != case.id or not participant.active:
        raise ParticipantError("not_in_case")
    participant.removed_at = now()
    participant.removed_reason = "removed"
    log(case, EventKind.PARTICIPANT, by, action="removed", user=participant.user.name, reason="removed")
    record(by, "participant.remove", case, detail=participant.user.username)
    db.session.commit()


def active_participant(case: Case, user: User) -> CaseParticipant | None:
    return next((p for p in case.participants if p.user_id == user.id and p.active), None)


def active_participants(case: Case) -> list[CaseParticipant]:
    return [p for p in case.participants if p.active]


def people_who_may_join(case: Case, text: str, holders_only: bool = False) -> list[User]:
    """Active users matching `text` (username or full name) who may take part in the case now:
    from the holder's unit, or from a service an active consent covers (coordinators only, for a holder)."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    services = consented_services(case, today())
    query = select(User).where(
        User.active.is_(True), (func.lower(User.username) == wanted) | (func.lower(User.name) == wanted),
        (User.unit_id == case.unit_id) | User.service_key.in_(services)).limit(5)
    people = list(db.session.scalars(query))
    return [u for u in people if can_hold_case(u, case, today())] if holders_only else people


def timeline(case: Case, limit: int | None = None) -> list[CaseEvent]:
    """The stafettlogg, newest first, with who did it loaded in the same query."""
    query = (select(CaseEvent).where(CaseEvent.case_id == case.id)
             .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc()))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class CaseRow:
    """What a list of cases shows about one case."""

    ref: str
    child_name: str
    level: int
    step: Step
    deadline: date | None
    overdue: bool
    coordinator_name: str
    why: Access | None = None  # why I see it: holder, participant or leader
    my_measures: tuple[str, ...] = ()


def held_cases(user: User) -> list[CaseRow]:
    """The open cases `user` holds, earliest deadline first (their steps are the user's to do)."""
    query = (select(Case).where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN,
                                visible_cases(user, today()))
             .options(selectinload(Case.child), selectinload(Case.coordinator))
             .order_by(Case.deadline.is_(None), Case.deadline, Case.ref))
    return [_row(c, Access.HOLDER) for c in db.session.scalars(query)]


def my_cases(user: User) -> list[CaseRow]:
    """"Mine saker": the open cases I hold, take part in (with my measures) or, as a leader, my unit owns.
    Each row says why I see it."""
    from tik.plans.models import Measure, Plan

    on = today()
    query = (select(Case).where(Case.status == CaseStatus.OPEN, visible_cases(user, on))
             .options(selectinload(Case.child), selectinload(Case.coordinator), selectinload(Case.participants),
                      selectinload(Case.consents).selectinload(Consent.service_rows))
             .order_by(Case.deadline.is_(None), Case.deadline, Case.ref))
    found = list(db.session.scalars(query))
    mine: dict[int, list[str]] = {}
    for case_id, what in db.session.execute(
            select(Plan.case_id, Measure.what).join(Measure, Measure.plan_id == Plan.id)
            .where(Measure.responsible_id == user.id, Plan.case_id.in_([c.id for c in found]))):
        mine.setdefault(case_id, []).append(what)
    rows = [_row(c, _why(user, c), tuple(mine.get(c.id, ()))) for c in found]
    order = {Access.HOLDER: 0, Access.PARTICIPANT: 1, Access.LEADER: 2}
    return sorted(rows, key=lambda r: order.get(r.why, 3))


def _why(user: User, case: Case) -> Access:
    """Why a case that visible_cases selected for `user` is visible (its SQL says: one of these three)."""
    if case.coordinator_id == user.id:
        return Access.HOLDER
    return Access.PARTICIPANT if active_participant(case, user) is not None else Access.LEADER


def _row(case: Case, why: Access | None = None, measures: tuple[str, ...] = ()) -> CaseRow:
    step = guide_of(case).step(case.step_id)
    return CaseRow(case.ref, case.child.name, case.level, step, case.deadline,
                   bool(case.deadline and case.deadline < today()), case.coordinator.name, why, measures)


def search_cases(user: User, text: str, limit: int = 50) -> list[CaseRow]:
    """Cases `user` may see with reference `text`, or whose child's names start with each word of `text`.

    Names are matched on indexed lower-case keys by range (works on SQLite and PostgreSQL alike).
    """
    from tik.concerns.models import Child, name_key
    from tik.forms import without_controls

    # Bounded: a name has a few words; a pasted page of them must not become a thousand-term query.
    text = without_controls(text)[:SEARCH_MAX_CHARS]
    words = name_key(text).split()[:SEARCH_MAX_WORDS]
    if not words:
        return []
    query = (select(Case).join(Child, Child.id == Case.child_id).where(visible_cases(user, today()))
             .options(selectinload(Case.child), selectinload(Case.coordinator))
             .order_by(Case.ref.desc()).limit(limit))
    if REFERENCE.fullmatch(text.strip().upper()):
        query = query.where(Case.ref == text.strip().upper())
    else:
        for word in words:
            query = query.where(_starts(Child.first_name_key, word) | _starts(Child.last_name_key, word))
    return [_row(c) for c in db.session.scalars(query)]


REFERENCE = re.compile(r"TIK-\d{4}-\d{4,}")
SEARCH_MAX_CHARS, SEARCH_MAX_WORDS = 200, 6


def _starts(column, prefix: str):
    """`column` starts with `prefix`, as an index range (LIKE 'x%' uses no index on SQLite)."""
    return (column >= prefix) & (column < prefix + "\uffff")


def open_case_holder(child_id: int) -> tuple[str, User] | None:
    """For a reporter without access: only that a case exists, and whom to contact."""
    case = db.session.scalar(select(Case).where(Case.child_id == child_id, Case.status == CaseStatus.OPEN))
    return (case.ref, case.coordinator) if case else None


class HandoverError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def propose_handover(case: Case, to: User, by: User, note: str = "", meeting_id: int | None = None) -> Handover:
    """Propose a new stafettholder. The old one keeps the case until the proposed one accepts."""
    if to.id == case.coordinator_id:
        raise HandoverError("already_holder")
    if not can_hold_case(to, case, today()):
        raise HandoverError("cannot_hold")
    for pending in pending_handovers(case):
        pending.status = HandoverStatus.WITHDRAWN
    handover = Handover(case_id=case.id, from_id=case.coordinator_id, to_id=to.id, proposed_by_id=by.id,
                        note=note.strip())
    db.session.add(handover)
    log(case, EventKind.HANDOVER, by, action="proposed", to_user=to.name, meeting_id=meeting_id)
    record(by, "handover.propose", case, detail=to.username)
    db.session.commit()
    return handover


def answer_handover(handover: Handover, by: User, accept: bool, reason: str = "") -> None:
    """The proposed person accepts (and becomes the holder) or declines with a reason."""
    if handover.to_id != by.id or handover.status != HandoverStatus.PENDING:
        raise HandoverError("not_yours")
    if not accept and not reason.strip():
        raise HandoverError("reason_required")
    case = handover.case
    handover.status = HandoverStatus.ACCEPTED if accept else HandoverStatus.DECLINED
    handover.reason = reason.strip()
    handover.answered_at = now()
    if accept:
        if not can_hold_case(by, case, today()):  # consent may have lapsed since it was proposed
            raise HandoverError("cannot_hold")
        old = case.coordinator
        case.coordinator_id, case.unit_id, case.owning_service = by.id, by.unit_id, by.service_key
        case.coordinator = by
        mine = active_participant(case, by)
        if mine is not None:  # the new holder holds; no longer a participant
            mine.removed_at, mine.removed_reason = now(), "became_holder"
        if active_participant(case, old) is None and may_take_part(old, case, today()):
            case.participants.append(CaseParticipant(case_id=case.id, user_id=old.id, user=old,
                                                     invited_by_id=by.id, invited_at=now()))
        log(case, EventKind.HANDOVER, by, action="accepted", from_user=old.name, to_user=by.name)
        enforce_consent(case, by, reason="unit_changed")
    else:
        log(case, EventKind.HANDOVER, by, action="declined", to_user=by.name, reason=handover.reason)
    record(by, "handover.accept" if accept else "handover.decline", case)
    db.session.commit()


def hand_to_leader(user: User, by: User) -> int:
    """Propose each open case `user` holds to their leader (their own, else their unit's first leader),
    who accepts it from the handover list. A restricted case changes nothing: its unit leader already sees it."""
    from tik.org.models import UnitLeader

    leader_id = user.leader_id or db.session.scalar(
        select(UnitLeader.user_id).where(UnitLeader.unit_id == user.unit_id, UnitLeader.user_id != user.id)
        .order_by(UnitLeader.id).limit(1))
    if leader_id is None:
        return 0
    leader = db.session.get(User, leader_id)
    held = db.session.scalars(select(Case).where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN,
                                                 Case.restricted.is_(False)))  # restricted: the leader sees it
    count = 0
    for case in held:
        for pending in pending_handovers(case):
            pending.status = HandoverStatus.WITHDRAWN
        db.session.add(Handover(case_id=case.id, from_id=user.id, to_id=leader.id, proposed_by_id=by.id,
                                note="deactivated"))
        log(case, EventKind.HANDOVER, by, action="proposed", to_user=leader.name, reason="deactivated")
        count += 1
    return count


def pending_handovers(case: Case) -> list[Handover]:
    return list(db.session.scalars(select(Handover).where(Handover.case_id == case.id,
                                                          Handover.status == HandoverStatus.PENDING)
                                   .options(joinedload(Handover.to_user))))


def handovers_waiting_for(user: User) -> list[Handover]:
    return list(db.session.scalars(
        select(Handover).where(Handover.to_id == user.id, Handover.status == HandoverStatus.PENDING)
        .options(selectinload(Handover.case)).order_by(Handover.created_at)))


def deadline_passed(case: Case, on: date | None = None) -> bool:
    return bool(case.deadline and case.deadline < (on or today()))



def expiring_consents(user: User, within: timedelta) -> list[Consent]:
    """Active consents on the user's cases that expire within `within`."""
    on = today()
    query = (select(Consent).join(Case, Case.id == Consent.case_id)
             .where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN,
                    Consent.withdrawn_at.is_(None), Consent.expires_on >= on, Consent.expires_on <= on + within)
             .options(selectinload(Consent.case)).order_by(Consent.expires_on))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Viewer:
    """One person in "who has seen this child", with why they see the case now ("" once they no longer do)."""

    name: str
    unit: str
    service_key: str
    access: Access | None
    last: object
    times: int


def who_has_seen(case: Case) -> list[Viewer]:
    """Every person who has read or printed the case, most recent first, from the audit trail."""
    from tik.audit.models import AuditEvent
    from tik.audit.service import READ_ACTIONS

    rows = db.session.execute(
        select(AuditEvent.user_id, func.max(AuditEvent.at), func.count())
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(READ_ACTIONS), AuditEvent.user_id.is_not(None))
        .group_by(AuditEvent.user_id).order_by(func.max(AuditEvent.at).desc())).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows]))
                                                  .options(joinedload(User.unit)))}
    on = today()
    return [Viewer(users[uid].name, users[uid].unit.name if users[uid].unit else "", users[uid].service_key,
                   access_of(users[uid], case, on), last, times) for uid, last, times in rows if uid in users]
