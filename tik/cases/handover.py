"""Handing a case over: the stafettholder proposes, the proposed person accepts or declines."""

from __future__ import annotations

from sqlalchemy import select

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_answer_handover, can_hold_case, may_take_part
from tik.cases.consent import enforce_consent, expiry_day
from tik.cases.models import (
    HOLDER_DEACTIVATED,
    Case,
    CaseParticipant,
    CaseStatus,
    EventKind,
    Handover,
    HandoverStatus,
)
from tik.cases.queries import active_participant, pending_handovers
from tik.clock import now, today
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.org.models import UnitLeader
from tik.timeline.service import log


class HandoverError(DomainError):
    """A handover cannot be proposed or answered; `code` says why."""


@unit_of_work(once_per_form=True)
def propose_handover(case: Case, to: User, by: User, note: str = "", meeting_id: int | None = None,
                     family_wish: str = "", measures_scope: str = "") -> Handover:
    """Propose a new stafettholder, with what the family wishes of them and which measures they take on.
    The old one keeps the case until the proposed one accepts."""
    if to.id == case.coordinator_id:
        raise HandoverError("already_holder")
    if not can_hold_case(to, case, expiry_day()):
        raise HandoverError("cannot_hold")
    for pending in pending_handovers(case):
        pending.status = HandoverStatus.WITHDRAWN
    handover = Handover(case_id=case.id, from_id=case.coordinator_id, to_id=to.id, proposed_by_id=by.id,
                        note=note.strip(), family_wish=family_wish.strip(), measures_scope=measures_scope.strip())
    db.session.add(handover)
    log(case, EventKind.HANDOVER, by, action="proposed", to_user=to.name, meeting_id=meeting_id,
        family_wish=handover.family_wish, measures_scope=handover.measures_scope)
    record(by, "handover.propose", case, detail=to.username)
    return handover


@unit_of_work
def answer_handover(handover: Handover, by: User, accept: bool, reason: str = "") -> None:
    """The proposed person accepts (and becomes the holder) or declines with a reason. Raises HandoverError:
    "cannot_hold" when accepting, and "cannot_open" when declining, a case whose consent no longer covers them
    (it may have expired since the proposal: nothing is written into a case they can no longer open)."""
    if not can_answer_handover(by, handover) or handover.status != HandoverStatus.PENDING:
        raise HandoverError("not_yours")
    case = handover.case
    on = expiry_day()
    if not accept and not may_take_part(by, case, on):
        raise HandoverError("cannot_open")
    if not accept and not reason.strip():
        raise HandoverError("reason_required")
    handover.status = HandoverStatus.ACCEPTED if accept else HandoverStatus.DECLINED
    handover.reason = reason.strip()
    handover.answered_at = now()
    if accept:
        if not can_hold_case(by, case, on):  # consent may have lapsed since it was proposed
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


def hand_to_leader(user: User, by: User) -> int:
    """Propose each open case `user` holds to their leader (their own, else their unit's first leader),
    who accepts it from the handover list. A restricted case changes nothing: its unit leader already sees it."""
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
                                note=HOLDER_DEACTIVATED))
        log(case, EventKind.HANDOVER, by, action="proposed", to_user=leader.name, reason=HOLDER_DEACTIVATED)
        count += 1
    return count
