"""The plan: goals, voices and measures; a new numbered revision once a shared plan changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tik.audit.service import record
from tik.auth.models import User
from tik.cases.models import Case, EventKind
from tik.cases.service import check_version, guide_of, log
from tik.clock import now
from tik.extensions import db
from tik.plans.models import Measure, MeasureStatus, Plan, PlanRevision


class PlanError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class MeasureInput:
    service_key: str
    responsible: str
    what: str
    goal: str
    start_on: date
    evaluate_on: date
    status: MeasureStatus = MeasureStatus.PLANNED


def plan_of(case: Case) -> Plan | None:
    """The case's plan with its measures, loaded in one go."""
    return db.session.scalar(select(Plan).where(Plan.case_id == case.id).options(selectinload(Plan.measures)))


def ensure_plan(case: Case) -> Plan:
    plan = plan_of(case)
    if plan is None:
        plan = Plan(case_id=case.id)
        db.session.add(plan)
        db.session.flush()
    return plan


def _before_change(plan: Plan) -> None:
    """A plan that was shared is frozen as it was; the change becomes the next revision."""
    if plan.shared:
        plan.revision += 1
        plan.shared = False
    plan.updated_at = now()


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
    db.session.commit()
    return plan


def _check_measure(case: Case, data: MeasureInput) -> None:
    if data.service_key not in guide_of(case).services:
        raise PlanError("unknown_service")
    if data.evaluate_on < data.start_on:
        raise PlanError("evaluation_before_start")


def add_measure(case: Case, by: User, data: MeasureInput) -> Measure:
    """Add a measure to the case's plan (creating the plan if needed)."""
    _check_measure(case, data)
    plan = ensure_plan(case)
    _before_change(plan)
    measure = Measure(plan=plan, **data.__dict__)
    db.session.add(measure)
    db.session.flush()
    log(case, EventKind.PLAN, by, action="measure.added", measure_id=measure.id, what=measure.what,
        service=measure.service_key, revision=plan.revision)
    record(by, "measure.add", case)
    db.session.commit()
    return measure


def update_measure(case: Case, measure: Measure, by: User, data: MeasureInput,
                   expected_version: int | None = None) -> Measure:
    """Change a measure; raises StaleEdit when someone else changed it first."""
    check_version(measure, expected_version)
    _check_measure(case, data)
    _before_change(measure.plan)
    for key, value in data.__dict__.items():
        setattr(measure, key, value)
    log(case, EventKind.PLAN, by, action="measure.changed", measure_id=measure.id, what=measure.what,
        service=measure.service_key, revision=measure.plan.revision)
    record(by, "measure.update", case)
    db.session.commit()
    return measure


def snapshot(plan: Plan) -> dict:
    """The plan as plain data: what a revision freezes."""
    return {
        "revision": plan.revision,
        "goals": plan.goals, "child_voice": plan.child_voice, "parents_voice": plan.parents_voice,
        "measures": [{"id": m.id, "service_key": m.service_key, "responsible": m.responsible, "what": m.what,
                      "goal": m.goal, "start_on": m.start_on.isoformat(), "evaluate_on": m.evaluate_on.isoformat(),
                      "status": m.status.value} for m in plan.measures],
    }


def mark_shared(plan: Plan, by: User) -> PlanRevision:
    """The plan was given to the family: freeze this revision (once) so it stays readable."""
    existing = db.session.scalar(select(PlanRevision).where(PlanRevision.plan_id == plan.id,
                                                            PlanRevision.number == plan.revision))
    plan.shared = True
    if existing:
        existing.snapshot = snapshot(plan)
        return existing
    revision = PlanRevision(plan_id=plan.id, number=plan.revision, created_by_id=by.id, snapshot=snapshot(plan))
    db.session.add(revision)
    return revision


def revisions(plan: Plan) -> list[PlanRevision]:
    return list(db.session.scalars(select(PlanRevision).where(PlanRevision.plan_id == plan.id)
                                   .order_by(PlanRevision.number)))
