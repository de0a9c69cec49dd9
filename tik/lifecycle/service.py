"""The case after the work: reopening within the guidebook's period, restriction (GDPR Art. 18) and legal hold.

Closing itself is the guidebook's close-note step (tik/cases/steps.decide). Each function here changes one
case in one transaction, with its timeline entry and its audit event; the rules on who may are in the policy.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_manage_life, can_reopen
from tik.cases.models import Case, CaseEvent, CaseStatus, EventKind
from tik.clock import local_date, now, today
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import current_guide, guide_of
from tik.timeline.service import log


class LifeError(DomainError):
    """A change to the case's life is refused; `code` says why."""


def reopen_until(case: Case) -> date | None:
    """The last day the closed case can be reopened (the guidebook's period), or None for an open case."""
    if case.is_open or case.closed_at is None:
        return None
    return local_date(case.closed_at) + timedelta(days=current_guide().lifecycle.reopen_within_days)


@unit_of_work
def reopen(case: Case, reason: str, by: User) -> Case:
    """Reopen a closed case at the step where closing was decided: a decision with a reason, by the holder or
    the unit leader, within the guidebook's period and while the child has no newer case (after that, a new
    concern opens a new case that links back). Raises LifeError."""
    if case.is_open:
        raise LifeError("not_closed")
    if not can_reopen(by, case, today()):
        raise LifeError("not_allowed")
    if not reason.strip():
        raise LifeError("reason_required")
    until = reopen_until(case)
    if until is None or today() > until:
        raise LifeError("period_passed")
    newer = db.session.scalar(select(Case.id).where(Case.child_id == case.child_id, Case.id != case.id,
                                                    Case.opened_at > case.opened_at))
    if newer is not None:
        raise LifeError("newer_case")
    guide = guide_of(case)
    step_id = _step_before_closing(case, guide)
    step = guide.step(step_id)
    closed_with = case.end_key
    case.status, case.end_key, case.closed_at, case.close_reason = CaseStatus.OPEN, None, None, ""
    case.step_id, case.step_since = step_id, now()
    case.deadline = today() + timedelta(days=step.time_frame_days) if step.time_frame_days else None
    log(case, EventKind.REOPENED, by, step_id=step_id, level=case.level, reason=reason.strip(),
        closed_with=closed_with or "")
    record(by, "case.reopen", case)
    return case


def _step_before_closing(case: Case, guide) -> str:
    """The last step of the case's work (not a closing step) a decision was taken at; the start otherwise."""
    closing = {s.id for s in guide.closing}
    for step_id in db.session.scalars(
            select(CaseEvent.step_id).where(CaseEvent.case_id == case.id, CaseEvent.step_id != "",
                                            CaseEvent.kind.in_((EventKind.STEP, EventKind.CONVERSATION,
                                                                EventKind.DECISION)))
            .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())):
        if step_id not in closing and step_id in guide.steps and step_id != guide.start.id:
            return step_id
    return guide.level(case.level).steps[0].id


@unit_of_work
def set_restricted(case: Case, restricted: bool, reason: str, by: User) -> Case:
    """Restrict the case (GDPR Art. 18) while a complaint is handled, or lift it: only the holder and the unit
    leader see a restricted case, participants lose sight at once, and nothing in it changes. Raises LifeError."""
    if not can_manage_life(by, case, today()):
        raise LifeError("not_allowed")
    if restricted and not reason.strip():
        raise LifeError("reason_required")
    if case.restricted == restricted:
        raise LifeError("unchanged")
    case.restricted = restricted
    log(case, EventKind.RESTRICTED, by, action="set" if restricted else "lifted", reason=reason.strip())
    record(by, "case.restrict" if restricted else "case.unrestrict", case)
    return case


@unit_of_work
def set_legal_hold(case: Case, hold: bool, reason: str, by: User) -> Case:
    """Set or lift a legal hold: while set, retention never deletes the case. Raises LifeError."""
    if not can_manage_life(by, case, today()):
        raise LifeError("not_allowed")
    if hold and not reason.strip():
        raise LifeError("reason_required")
    if case.legal_hold == hold:
        raise LifeError("unchanged")
    case.legal_hold = hold
    log(case, EventKind.LEGAL_HOLD, by, action="set" if hold else "lifted", reason=reason.strip())
    record(by, "case.legal_hold" if hold else "case.legal_hold_lifted", case)
    return case


def closing_facts(case: Case) -> dict[str, str]:
    """The close-note's recorded fields (reason, note, what helped, family told and agreed …) of the closing."""
    closing = {s.id for s in guide_of(case).closing}
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.step_id.in_(closing),
                                CaseEvent.kind.in_((EventKind.STEP, EventKind.CONVERSATION)))
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc()).limit(1))
    return dict(event.data.get("fields", {})) if event else {}
