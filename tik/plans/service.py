"""The plan: goals, voices and measures; a new numbered revision once a shared plan changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import FamilyRelation, allowed_services, may_take_part
from tik.cases.models import Case, CaseEvent, EventKind
from tik.clock import now, today
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import guide_of
from tik.plans.models import Evaluation, GoalReached, Measure, MeasureStatus, NextAction, Plan, PlanRevision
from tik.timeline.service import log
from tik.versioning import check_version

EVALUATE_AFTER = timedelta(weeks=6)  # a new measure is evaluated after six weeks unless the user says otherwise


class PlanError(DomainError):
    """A change to the plan is refused; `code` says why."""


@dataclass
class MeasureInput:
    service_key: str
    responsible: str
    what: str
    goal: str
    start_on: date
    evaluate_on: date
    status: MeasureStatus = MeasureStatus.PLANNED
    responsible_id: int | None = None  # a participant (or the holder); None for an outside person


def plan_of(case: Case) -> Plan | None:
    """The case's plan with its measures, loaded in one go."""
    return db.session.scalars(select(Plan).where(Plan.case_id == case.id)
                              .options(joinedload(Plan.measures))).unique().one_or_none()


def ensure_plan(case: Case) -> Plan:
    plan = plan_of(case)
    if plan is None:
        plan = Plan(case_id=case.id)
        db.session.add(plan)
        db.session.flush()
    return plan


def grow_plan(case: Case, by: User, effects: list[str]) -> Plan:
    """A step's "yes" grows the case's one plan (made if there is none): `individual_plan` makes it the individual
    plan, `child_coordinator` names the holder as the child's coordinator. Inside the caller's unit of work."""
    plan = ensure_plan(case)
    grown = {"individual_plan": True} if "individual_plan" in effects else {}
    if "child_coordinator" in effects:
        grown["child_coordinator"] = case.coordinator.name
    if any(getattr(plan, field) != value for field, value in grown.items()):
        _before_change(plan)  # a plan the family was given stays as they got it; the growth is the next revision
        for field, value in grown.items():
            setattr(plan, field, value)
    log(case, EventKind.PLAN, by, action="plan.individual", effects=effects)
    return plan


def has_owned_dated_measure(case: Case) -> bool:
    """At least one measure with a responsible person and an evaluation date that was not ended (planned, active
    or done: a measure ended, by an evaluation or with its consent, is no longer part of the plan)."""
    return db.session.scalar(
        select(Measure.id).join(Plan, Plan.id == Measure.plan_id)
        .where(Plan.case_id == case.id, Measure.status != MeasureStatus.ENDED,
               Measure.evaluate_on.is_not(None),
               (Measure.responsible_id.is_not(None)) | (func.trim(Measure.responsible) != ""))
        .limit(1)) is not None


def _before_change(plan: Plan) -> None:
    """A plan that was shared is frozen as it was; the change becomes the next revision."""
    if plan.shared:
        _next_revision(plan)
    plan.updated_at = now()


def _next_revision(plan: Plan, by: User | None = None) -> None:
    """Freeze the current revision (once) and continue on the next number."""
    freeze(plan, by)
    plan.revision += 1
    plan.shared = False


@unit_of_work
def update_plan(case: Case, by: User, *, goals: str, child_voice: str, parents_voice: str,
                internal_notes: str = "", expected_version: int | None = None) -> Plan:
    """Save goals and voices; raises StaleEdit when someone else saved since the form was loaded."""
    plan = ensure_plan(case)
    check_version(plan, expected_version)
    _before_change(plan)
    plan.goals, plan.child_voice, plan.parents_voice = goals.strip(), child_voice.strip(), parents_voice.strip()
    plan.internal_notes = internal_notes.strip()
    log(case, EventKind.PLAN, by, action="plan.updated", revision=plan.revision)
    record(by, "plan.update", case)
    return plan


def _check_measure(case: Case, data: MeasureInput, before: Measure | None = None) -> None:
    """A measure goes to a service the case may use (the holder's own, or one consent covers), and its
    responsible person is someone who works on the case, or an outside person by name only."""
    if data.service_key not in guide_of(case).services:
        raise PlanError("unknown_service")
    moved = before is None or before.service_key != data.service_key
    if moved and data.service_key not in allowed_services(case, today()):
        raise PlanError("service_not_consented")
    if data.responsible_id is not None and data.responsible_id not in responsible_choices(case):
        raise PlanError("responsible_not_participant")
    if not data.responsible.strip() and data.responsible_id is None:
        raise PlanError("responsible_required")
    if data.evaluate_on < data.start_on:
        raise PlanError("evaluation_before_start")


def responsible_choices(case: Case) -> dict[int, User]:
    """Who may be responsible for a measure: the stafettholder and the case's participants (while their
    access lasts)."""
    on = today()
    people = {case.coordinator_id: case.coordinator}
    people.update({p.user_id: p.user for p in case.participants if p.active and may_take_part(p.user, case, on)})
    return people


def _responsible_name(case: Case, data: MeasureInput) -> str:
    if data.responsible_id is not None and not data.responsible.strip():
        person = responsible_choices(case)[data.responsible_id]
        return f"{person.name}, {person.title}" if person.title else person.name
    return data.responsible.strip()


@unit_of_work(once_per_form=True)
def add_measure(case: Case, by: User, data: MeasureInput, meeting_id: int | None = None) -> Measure:
    """Add a measure to the case's plan (creating the plan if needed)."""
    _check_measure(case, data)
    plan = ensure_plan(case)
    _before_change(plan)
    measure = Measure(plan=plan, **{**data.__dict__, "responsible": _responsible_name(case, data)})
    db.session.add(measure)
    db.session.flush()
    log(case, EventKind.PLAN, by, action="measure.added", measure_id=measure.id, what=measure.what,
        service=measure.service_key, revision=plan.revision, meeting_id=meeting_id)
    record(by, "measure.add", case)
    return measure


@unit_of_work
def update_measure(case: Case, measure: Measure, by: User, data: MeasureInput,
                   expected_version: int | None = None) -> Measure:
    """Change a measure; raises StaleEdit when someone else changed it first, PlanError("measure_closed")
    when the consent it hung on has ended."""
    check_version(measure, expected_version)
    ensure_open(measure)
    _check_measure(case, data, before=measure)
    _before_change(measure.plan)
    for key, value in {**data.__dict__, "responsible": _responsible_name(case, data)}.items():
        setattr(measure, key, value)
    log(case, EventKind.PLAN, by, action="measure.changed", measure_id=measure.id, what=measure.what,
        service=measure.service_key, revision=measure.plan.revision)
    record(by, "measure.update", case)
    return measure


def ensure_open(measure: Measure) -> None:
    """Raise PlanError("measure_closed") for a measure ended because its consent ended: it is closed for good."""
    if measure.closed:
        raise PlanError("measure_closed")


CONSENT_ENDINGS = ("consent_withdrawn", "consent_expired")


def end_uncovered_measures(case: Case, by: User | None, reason: str, on: date) -> list[Measure]:
    """End, in the current transaction, the planned and active measures of services the case may no longer
    use on `on` (a consent withdrawn or expired), each with `reason` and a timeline entry. Idempotent."""
    plan = plan_of(case)
    if plan is None:
        return []
    services = allowed_services(case, on)
    ended = [m for m in plan.measures if m.open_for_evaluation
             and m.service_key not in services]
    if ended:
        _before_change(plan)
    for measure in ended:
        measure.status, measure.ended_reason = MeasureStatus.ENDED, reason
        log(case, EventKind.PLAN, by, action="measure.ended", measure_id=measure.id, what=measure.what,
            service=measure.service_key, reason=reason, revision=plan.revision)
    return ended


def snapshot(plan: Plan) -> dict:
    """The plan as plain data: what a revision freezes."""
    return {
        "revision": plan.revision, "frozen_at": now().isoformat(),
        "goals": plan.goals, "child_voice": plan.child_voice, "parents_voice": plan.parents_voice,
        "individual_plan": plan.individual_plan, "child_coordinator": plan.child_coordinator,
        "measures": [{"id": m.id, "service_key": m.service_key, "responsible": m.responsible, "what": m.what,
                      "goal": m.goal, "start_on": m.start_on.isoformat(), "evaluate_on": m.evaluate_on.isoformat(),
                      "status": m.status.value} for m in plan.measures],
    }


def freeze(plan: Plan, by: User | None) -> PlanRevision:
    """Store the plan as it is now under its revision number (replacing an earlier freeze of the same)."""
    existing = db.session.scalar(select(PlanRevision).where(PlanRevision.plan_id == plan.id,
                                                            PlanRevision.number == plan.revision))
    if existing:
        existing.snapshot = snapshot(plan)
        return existing
    revision = PlanRevision(plan_id=plan.id, number=plan.revision, created_by_id=getattr(by, "id", None),
                            snapshot=snapshot(plan))
    db.session.add(revision)
    return revision


def mark_shared(plan: Plan, by: User) -> PlanRevision:
    """The plan was given to the family: freeze this revision so it stays readable."""
    plan.shared = True
    return freeze(plan, by)


@unit_of_work
def share_with_family(case: Case, by: User) -> PlanRevision:
    """Record that the family got the plan (an explicit act, never a side effect of printing): freeze it. The
    letter handed over counts as the family told; refused while the case waits for child welfare."""
    case.refuse_if_waiting()
    case.mark_family_told(today())
    plan = ensure_plan(case)
    revision = mark_shared(plan, by)
    log(case, EventKind.PLAN, by, action="plan.shared", revision=plan.revision)
    record(by, "plan.share", case, detail=f"rev {plan.revision}")
    return revision


def revisions(plan: Plan) -> list[PlanRevision]:
    return list(db.session.scalars(select(PlanRevision).where(PlanRevision.plan_id == plan.id)
                                   .order_by(PlanRevision.number)))


@dataclass
class EvaluationInput:
    evaluated_on: date
    goal_reached: GoalReached
    child_experience: str
    next_action: NextAction
    parents_said: str = ""
    next_evaluate_on: date | None = None
    note: str = ""


@unit_of_work(once_per_form=True)
def evaluate_measure(case: Case, measure: Measure, by: User, data: EvaluationInput,
                     meeting_id: int | None = None) -> Evaluation:
    """Record an evaluation; it closes the current plan revision and starts the next one.

    Continue or change needs the next evaluation date; end ends the measure. Raises PlanError (also for a
    measure ended with the consent it hung on).
    """
    ensure_open(measure)
    if not data.child_experience.strip():
        raise PlanError("child_experience_required")
    if data.next_action in (NextAction.CONTINUE, NextAction.CHANGE) and not data.next_evaluate_on:
        raise PlanError("next_evaluation_required")
    plan = measure.plan
    _next_revision(plan, by)
    plan.updated_at = now()
    if data.next_action == NextAction.END:
        measure.status = MeasureStatus.ENDED
    elif data.next_evaluate_on:
        measure.evaluate_on = data.next_evaluate_on
        if measure.status == MeasureStatus.PLANNED:
            measure.status = MeasureStatus.ACTIVE
    evaluation = Evaluation(measure_id=measure.id, evaluated_on=data.evaluated_on, goal_reached=data.goal_reached,
                            child_experience=data.child_experience.strip(), parents_said=data.parents_said.strip(),
                            next_action=data.next_action, next_evaluate_on=data.next_evaluate_on,
                            note=data.note.strip(), revision=plan.revision, by_id=by.id)
    db.session.add(evaluation)
    log(case, EventKind.PLAN, by, action="measure.evaluated", measure_id=measure.id, what=measure.what,
        goal_reached=data.goal_reached.value, next_action=data.next_action.value, revision=plan.revision,
        child_experience=evaluation.child_experience, meeting_id=meeting_id)
    record(by, "measure.evaluate", case)
    return evaluation


def revision_snapshot(plan: Plan, number: int) -> dict | None:
    """The plan as it was in revision `number` (the live plan for the current revision)."""
    if number == plan.revision:
        return snapshot(plan)
    rev = db.session.scalar(select(PlanRevision).where(PlanRevision.plan_id == plan.id,
                                                       PlanRevision.number == number))
    # Revisions frozen before snapshots carried their moment: the row's own time.
    return {"frozen_at": rev.created_at.isoformat(), **rev.snapshot} if rev else None


@dataclass
class PlanDiff:
    added: list[dict]
    ended: list[dict]
    removed: list[dict]
    changed: list[tuple[dict, dict[str, tuple[str, str]]]]
    texts: dict[str, tuple[str, str]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.ended or self.removed or self.changed or self.texts)


COMPARED = ("service_key", "responsible", "what", "goal", "start_on", "evaluate_on", "status")


def compare(old: dict, new: dict) -> PlanDiff:
    """What changed from revision `old` to `new`: measures added, ended, removed, changed; texts changed."""
    before = {m["id"]: m for m in old["measures"]}
    after = {m["id"]: m for m in new["measures"]}
    added = [m for k, m in after.items() if k not in before]
    removed = [m for k, m in before.items() if k not in after]
    ended = [m for k, m in after.items() if k in before and m["status"] == "ended" != before[k]["status"]]
    changed = []
    for k, m in after.items():
        if k in before and m not in ended:
            fields = {f: (before[k][f], m[f]) for f in COMPARED if before[k][f] != m[f]}
            if fields:
                changed.append((m, fields))
    texts = {f: (old.get(f, ""), new.get(f, "")) for f in ("goals", "child_voice", "parents_voice")
             if old.get(f, "") != new.get(f, "")}
    return PlanDiff(added, ended, removed, changed, texts)


def words_for_evaluation(case: Case) -> list[CaseEvent]:
    """What the family wrote before the meeting since the case's last evaluation, oldest first: shown (and
    offered) in the next evaluation as the family's own words."""
    last = db.session.scalar(
        select(CaseEvent.at).where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.PLAN)
        .where(CaseEvent.data["action"].as_string() == "measure.evaluated")
        .order_by(CaseEvent.at.desc()).limit(1))
    query = select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == EventKind.FAMILY)
    if last is not None:
        query = query.where(CaseEvent.at > last)
    return list(db.session.scalars(query.order_by(CaseEvent.at, CaseEvent.id)))


def evaluation_prefill(words: list[CaseEvent]) -> tuple[str, str]:
    """(the young person's words, the guardians' words) for the evaluation form's two voice fields."""
    def joined(who: str) -> str:
        return "\n\n".join(e.data.get("text", "") for e in words if e.data.get("who") == who)

    return joined(FamilyRelation.YOUNG_PERSON.value), joined(FamilyRelation.GUARDIAN.value)
