"""The people the stafettholder invites into a case (and removes from it)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_hold_case, can_manage_participants, consented_services, may_take_part
from tik.cases.consent import expiry_day
from tik.cases.models import Case, CaseParticipant, EventKind
from tik.cases.queries import active_participant
from tik.clock import now
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.timeline.service import log


class ParticipantError(DomainError):
    """A person cannot be invited into (or removed from) a case; `code` says why."""


@unit_of_work(once_per_form=True)
def invite_participant(case: Case, user: User, by: User) -> CaseParticipant:
    """The stafettholder invites a named person. Outside the holder's unit only while consent covers their
    service (judged on the local date: an invitation never outlives the consent's last day); the invitation is
    audited and on the timeline."""
    if not can_manage_participants(by, case):
        raise ParticipantError("not_holder")
    if user.id == case.coordinator_id or active_participant(case, user) is not None:
        raise ParticipantError("already_in_case")
    if not may_take_part(user, case, expiry_day()):
        raise ParticipantError("not_covered")
    participant = CaseParticipant(case_id=case.id, user_id=user.id, invited_by_id=by.id, invited_at=now())
    participant.user = user
    case.participants.append(participant)
    log(case, EventKind.PARTICIPANT, by, action="invited", user=user.name)
    record(by, "participant.invite", case, detail=user.username)
    return participant


@unit_of_work
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


def people_who_may_join(case: Case, text: str, holders_only: bool = False) -> list[User]:
    """Active users named by `text` who may take part in the case now: from the holder's unit, or from a
    service an active consent covers (coordinators only, for a holder). A username or a full name typed
    exactly names that one person; otherwise every such person whose name holds `text` ("Siri", "tveit")."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    eligible = _eligible(case)
    exact = eligible.where((func.lower(User.username) == wanted) | (func.lower(User.name) == wanted))
    people = list(db.session.scalars(exact.limit(5)))
    if not people:  # compared in Python: SQLite's lower() leaves "Ø" and "Å" as they are
        people = [u for u in db.session.scalars(eligible.order_by(User.name).limit(1000))
                  if wanted in u.name.lower()][:20]
    return [u for u in people if can_hold_case(u, case, expiry_day())] if holders_only else people


def invitable_people(case: Case) -> list[User]:
    """Everyone the holder may invite now (not yet in the case), by unit and name: the holder's unit, and
    the services an active consent covers."""
    present = {case.coordinator_id} | {p.user_id for p in case.participants if p.active}
    people = db.session.scalars(_eligible(case).options(selectinload(User.unit))
                                .order_by(User.unit_id, User.name).limit(300))
    return [u for u in people if u.id not in present]


def _eligible(case: Case):
    """Active users from the holder's unit or a consented service (may_take_part, as a query)."""
    services = consented_services(case, expiry_day())
    return select(User).where(User.active.is_(True),
                              (User.unit_id == case.unit_id) | User.service_key.in_(services))
