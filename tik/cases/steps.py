"""A case's way through the guide: open it, take each step's decision, move it on, close it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.exc import IntegrityError

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import consented_services, is_paused_unnamed
from tik.cases import suspicion
from tik.cases.consent import enforce_consent
from tik.cases.models import Case, CaseCounter, CaseEvent, CaseStatus, EventKind
from tik.cases.reports import start_report
from tik.clock import local_date, now, today
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import current_guide, guide_of, pin_current_guide
from tik.guides import engine
from tik.guides.model import Guide, Step
from tik.municipalities import current_municipality
from tik.plans import service as plans
from tik.timeline.service import log
from tik.versioning import check_version


def next_reference(year: int) -> str:
    """PREFIX-YYYY-NNNN (TIK-2026-0001): the next number in the municipality's series for the year, taken under
    a row lock so concurrent writers differ. Each municipality has its own prefix and counter row."""
    municipality = current_municipality()
    mid = municipality.id
    bump = (update(CaseCounter).where(CaseCounter.year == year, CaseCounter.municipality_id == mid)
            .values(last=CaseCounter.last + 1).returning(CaseCounter.last))
    number = db.session.scalar(bump)
    prefix = f"{municipality.reference_prefix}-{year}-"
    if number is None:
        used = db.session.scalar(select(func.max(cast(func.substr(Case.ref, len(prefix) + 1), Integer)))
                                 .where(Case.ref.like(prefix + "%"))) or 0
        try:
            with db.session.begin_nested():
                db.session.add(CaseCounter(year=year, municipality_id=mid, last=used + 1))
            number = used + 1
        except IntegrityError:  # another writer created the year's counter first
            number = db.session.scalar(bump)
    return f"{prefix}{number:04d}"


def open_case(child, by: User) -> Case:
    """A new case at level 0 held by the one who registered it; the guide's first step is done."""
    digest = pin_current_guide()
    guide = current_guide()
    start = guide.start
    case = Case(ref=next_reference(today().year), child_id=child.id, step_id=start.id,  # level 0, opened now
                coordinator_id=by.id, owning_service=by.service_key, unit_id=by.unit_id, guide_digest=digest,
                previous_ref=previous_ref(child.id))
    db.session.add(case)
    db.session.flush()
    # The register step is done by registering: apply its (only) decision so the case starts at work.
    outcome = engine.apply(guide, state_of(case), start.decisions[0].key, {})
    log(case, EventKind.STEP, by, step_id=start.id, decision=outcome.decision.key)
    _move(case, guide, outcome.state)
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
        # The decision deadline counts from the day the case came to level 0 (the concern, or back to wondering);
        # a step at level 0 with a time frame of its own is due sooner, never later.
        level_due = level_deadline(guide, 0, today() if level_changed else _level_entered(case))
        own = today() + timedelta(days=step.time_frame_days) if step.time_frame_days and step.level == 0 else None
        case.deadline = min(own, level_due) if own and level_due else own or level_due
    else:  # above level 0 a step's own time frame is the deadline; evaluations have their own dates
        case.deadline = today() + timedelta(days=step.time_frame_days) if step.time_frame_days else None


def _level_entered(case: Case) -> date:
    """The municipality's day the case came to the level it is at: its last change of level, else its opening."""
    changed = db.session.scalar(select(CaseEvent.at).where(CaseEvent.case_id == case.id,
                                                           CaseEvent.kind == EventKind.LEVEL)
                                .order_by(CaseEvent.id.desc()).limit(1))
    return local_date(changed or case.opened_at)


def state_of(case: Case) -> engine.CaseState:
    """What the guide engine knows of a case: its step and level, the services consent covers today, and whether
    it waits for child welfare."""
    return engine.CaseState(step_id=case.step_id, level=case.level,
                            consented_services=frozenset(consented_services(case, today())),
                            waiting=suspicion.is_waiting(case))


def current_step(case: Case) -> engine.StepView:
    return engine.current(guide_of(case), state_of(case))


HELD_ON = ("conversation_date", "meeting_date")  # the day a conversation or meeting recorded as held took place


def _held_not_in_future(values: dict[str, str]) -> None:
    """A conversation or meeting recorded as held happened today or before (the municipality's date)."""
    for key in HELD_ON:
        if values.get(key) and date.fromisoformat(values[key]) > today():
            raise engine.DecisionRefused("held_in_future", field=key)


@unit_of_work
def decide(case: Case, decision_key: str, values: dict[str, str], by: User,
           expected_version: int | None = None, meeting_id: int | None = None) -> engine.Outcome:
    """Apply a decision of the current step; raises DecisionRefused with the reason, StaleEdit if stale."""
    check_version(case, expected_version)
    if not case.is_open:
        raise engine.DecisionRefused("case_closed")
    guide = guide_of(case)
    state = state_of(case)
    step = engine.step_at(guide, state)
    if step is guide.child_welfare_wait and is_paused_unnamed(by, case, today()) \
            and any(d.key == decision_key for d in step.decisions):
        raise engine.DecisionRefused("paused")  # the waiting step is for those who may know of the report
    outcome = engine.apply(guide, state, decision_key, values)
    recorded = {k: v for k, v in outcome.values.items() if v}
    recorded |= check_step_rules(case, step, outcome.decision, values)
    _held_not_in_future(recorded)
    _suspicion_path(case, step, outcome, recorded, by)
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
    return outcome


def _suspicion_path(case: Case, step: Step, outcome: engine.Outcome, recorded: dict[str, str], by: User) -> None:
    """The suspicion path as a state (tik/cases/suspicion.py): the report hard stop that does not inform the
    parents first makes the case wait for child welfare; going on from the waiting step needs child welfare's
    answer saying the family may be told (from a day not in the future), and ends the wait; a family-facing
    step done records that the family was told. Raises DecisionRefused before anything is written."""
    decision = outcome.decision
    if decision.resume:
        refused = suspicion.may_go_on(recorded)
        if refused:
            raise engine.DecisionRefused(refused)
        suspicion.leave_waiting(case, recorded)
    elif decision.hard_stop and not decision.inform_parents:
        suspicion.enter_waiting(case, by, "hard_stop")
    elif step.faces_family and not decision.hard_stop:
        suspicion.mark_told(case)


def _consent_once(case: Case, guide: Guide, by: User) -> None:
    """Consent is asked once per scope: a consent step whose services an active consent already covers is
    done by that consent (on the timeline as carried), not asked again."""
    state = state_of(case)
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
    effects = [f.effect for f in step.fields if f.effect and recorded.get(f.key) == "yes"]
    if effects:
        plans.grow_plan(case, by, effects)


def _close(case: Case, end: str, reason: str, by: User) -> None:
    case.status = CaseStatus.CLOSED
    case.end_key = end
    case.close_reason = reason
    case.closed_at = now()
    case.deadline = None


# -- the guide's rules beyond its fields (guide.yaml: a step's `requires` and `leader`) ---------------------------

def unit_leaders(case: Case) -> list[User]:
    """The leaders of the holder's unit (the organisation file's), by name: whom a `leader` step may name."""
    from tik.org.models import UnitLeader

    if case.unit_id is None:
        return []
    return list(db.session.scalars(select(User).join(UnitLeader, UnitLeader.user_id == User.id)
                                   .where(UnitLeader.unit_id == case.unit_id, User.active.is_(True))
                                   .order_by(User.name)))


def check_step_rules(case: Case, step: Step, decision, values: dict[str, str]) -> dict[str, str]:
    """Enforce what the guidebook states on `step` besides its fields, for the step's own decisions (never for a
    hard stop or the family's no: nothing stands in their way). Returns what the rules record with the step;
    raises DecisionRefused naming the rule that is not met.

    `leader`: which of the holder's unit leaders took part — chosen in `values["leader"]` (a user id) when the
    unit has several, the only one when it has one, the holder when the holder leads the unit; a unit with no
    leader in the organisation file records none. `requires`: "measure", "consent_or_reason", "coordinator"
    (tik.guides.model.STEP_REQUIREMENTS)."""
    if decision not in step.decisions:  # a hard stop or the family's no: the guide's own, never a step's
        return {}
    recorded: dict[str, str] = {}
    if step.leader:
        leaders = unit_leaders(case)
        if any(u.id == case.coordinator_id for u in leaders):
            chosen = case.coordinator
        elif len(leaders) == 1 and not values.get("leader"):
            chosen = leaders[0]
        else:
            chosen = next((u for u in leaders if str(u.id) == (values.get("leader") or "").strip()), None)
            if leaders and chosen is None:
                raise engine.DecisionRefused("leader_required", field="leader")
        if chosen is not None:
            recorded |= {"leader": chosen.name, "leader_id": str(chosen.id)}
    if "measure" in step.requires and not plans.has_owned_dated_measure(case):
        raise engine.DecisionRefused("measure_required")
    if "consent_or_reason" in step.requires and not consented_services(case, today()) \
            and not (values.get("no_consent_reason") or "").strip():
        raise engine.DecisionRefused("consent_or_reason_required", field="no_consent_reason")
    if "coordinator" in step.requires:
        recorded |= {"coordinator": case.coordinator.name, "coordinator_id": str(case.coordinator_id)}
    return recorded
