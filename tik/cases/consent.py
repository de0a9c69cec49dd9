"""Consent: recording it, withdrawing it, and ending at once the access it no longer covers."""

from __future__ import annotations

from datetime import date

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_hold_case, family_actor, may_take_part
from tik.cases.models import Case, Consent, ConsentForm, EventKind, HandoverStatus
from tik.cases.queries import pending_handovers
from tik.clock import now, today
from tik.db import unit_of_work
from tik.extensions import db
from tik.guidebook import guide_of
from tik.timeline.service import log


class ConsentError(ValueError):
    """A consent cannot be recorded as given; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@unit_of_work(once_per_form=True)
def record_consent(case: Case, by: User | None, *, given_by: str, services: list[str], purpose: str,
                   form: ConsentForm, given_on: date, expires_on: date, information: str = "",
                   young_person: bool = False, exclusions: str = "", family=None,
                   renews: Consent | None = None) -> Consent:
    """Record a consent; raises ConsentError when it names no service or ends before it starts.

    `by` is the member of staff who records it, or None when the family gives it digitally on "Min familie"
    (`family` is then their FamilyRelation). `renews` is the consent this one renews (timeline only)."""
    guide = guide_of(case)
    if case.waiting_since is not None:  # the suspicion path: nothing faces the family (tik/cases/suspicion.py)
        raise ConsentError("waiting_for_child_welfare")
    if not services:
        raise ConsentError("no_services")
    if any(s not in guide.services for s in services):
        raise ConsentError("unknown_service")
    if expires_on < given_on:
        raise ConsentError("expires_before_given")
    if guide.of_consent_age(case.child.birth_date, given_on) and not young_person:
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
    return consent


@unit_of_work
def withdraw_consent(consent: Consent, by: User | None, family=None) -> None:
    """Withdraw at once, in one transaction: the access that hung on it ends now (participants whose
    service is no longer covered are removed, handovers to people who may no longer hold are cancelled).

    `by` is the member of staff who records it, or None when the family withdraws it on "Min familie"
    (`family` is then their FamilyRelation)."""
    consent.withdrawn_at = now()
    case = consent.case
    extra = {"by_family": family.value} if family is not None else {}
    log(case, EventKind.CONSENT, by, consent_id=consent.id, services=consent.services, action="withdrawn", **extra)
    enforce_consent(case, by, reason="consent_withdrawn")
    record(by if by is not None else family_actor(family), "consent.withdraw", case)


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
