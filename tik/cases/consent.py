"""Consent: recording it, withdrawing it, and ending at once the access it no longer covers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import can_hold_case, can_view_case, family_actor, may_take_part
from tik.cases.models import Case, CaseStatus, Consent, ConsentForm, EventKind, HandoverStatus
from tik.cases.queries import pending_handovers
from tik.clock import now, today, utc_to_local
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import guide_of
from tik.timeline.maturity import MATURITY, consents_themself
from tik.timeline.service import log

CONSENT_LASTS = timedelta(days=365)  # a consent holds for a year unless the form says otherwise (staff, family, /ung/)
CONSENT_WARNING = timedelta(days=30)  # a consent that ends within this is flagged (the case page, "Min side")


class ConsentError(DomainError):
    """A consent cannot be recorded as given; `code` says why."""


@unit_of_work(once_per_form=True)
def record_consent(case: Case, by: User | None, *, given_by: str, services: list[str], purpose: str,
                   form: ConsentForm, given_on: date, expires_on: date, information: str = "",
                   young_person: bool = False, exclusions: str = "", family=None,
                   renews: Consent | None = None, kinds: dict[str, list[str] | None] | None = None) -> Consent:
    """Record a consent; raises ConsentError when it names no service, no kind of information for a service,
    an unknown one, or ends before it starts.

    `kinds` names, per service, the kinds of information (sharing.yaml) the consent covers; a service it does
    not name (or a None) is given every kind. `by` is the member of staff who records it, or None when the
    family gives it digitally on "Min familie" (`family` is then their FamilyRelation). `renews` is the consent
    this one renews (timeline only)."""
    guide = guide_of(case)
    if case.waiting_since is not None:  # the suspicion path: nothing faces the family (tik/cases/suspicion.py)
        raise ConsentError("waiting_for_child_welfare")
    if not services:
        raise ConsentError("no_services")
    if any(s not in guide.services for s in services):
        raise ConsentError("unknown_service")
    covered = covered_kinds(guide, services, kinds or {})
    if expires_on < given_on:
        raise ConsentError("expires_before_given")
    if consents_themself(case, given_on) and not young_person:
        raise ConsentError("young_person_must_consent")
    consent = Consent(case_id=case.id, given_by=given_by.strip(), services=services, purpose=purpose.strip(),
                      form=form, given_on=given_on, expires_on=expires_on, information=information.strip(),
                      young_person=young_person, recorded_by_id=getattr(by, "id", None),
                      exclusions=exclusions.strip())
    for row in consent.service_rows:
        row.kinds = covered[row.service_key]
    db.session.add(consent)
    db.session.flush()
    extra = {"by_family": family.value} if family is not None else {}
    if renews is not None:
        extra["renews"] = renews.id
    log(case, EventKind.CONSENT, by, consent_id=consent.id, services=services, action="given",
        exclusions=consent.exclusions, kinds=covered, **extra)
    record(by if by is not None else family_actor(family), "consent.record", case)
    return consent


def covered_kinds(guide, services: list[str], kinds: dict[str, list[str] | None]) -> dict[str, list[str]]:
    """Per service, the kinds of information the consent covers, in the guidebook's order; every kind for a
    service `kinds` does not name. Raises ConsentError("unknown_kind") or ("no_kinds")."""
    known = [k.key for k in guide.information_kinds]
    result = {}
    for service in services:
        chosen = kinds.get(service)
        if chosen is None:
            result[service] = list(known)
            continue
        if any(k not in known for k in chosen):
            raise ConsentError("unknown_kind")
        if not chosen and known:
            raise ConsentError("no_kinds")
        result[service] = [k for k in known if k in chosen]
    return result


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


CONSENT_ENDINGS = ("consent_withdrawn", "consent_expired")


def enforce_consent(case: Case, by: User | None, reason: str, on: date | None = None) -> None:
    """End what the case's consents no longer cover on `on` (today), in the current transaction: participants
    outside the holder's unit whose service is not covered, pending handovers to people who may not hold the
    case and, when a consent ended (`reason` in CONSENT_ENDINGS), the measures of the services it no longer
    covers. Each on the timeline. (Between such sweeps, the policy already denies them: it checks consent live.)"""
    from tik.plans.service import end_uncovered_measures

    on = on or today()
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
    if reason in CONSENT_ENDINGS:
        end_uncovered_measures(case, by, reason, on)


# -- expiry: a consent ends at midnight after its last day, in Norway ------------------------------------------

def expiry_day() -> date:
    """The day consent expiry is judged by: the local (Norwegian) date, so a consent valid until 10 March ends
    at the first moment of 11 March in Norway, whatever the UTC date is."""
    return utc_to_local(now()).date()


def expired_unsettled(case: Case, on: date) -> list[Consent]:
    """The case's consents that expired before `on` and whose ending TIK has not yet carried out."""
    return [c for c in case.consents if c.withdrawn_at is None and c.expired_at is None and c.expires_on < on]


def settle_expired(case: Case, on: date | None = None) -> bool:
    """Carry out the expiry of the case's consents that have run out: what hung on them ends exactly as on
    withdrawal (participants, pending handovers and invitations, the services' measures), with a timeline
    entry. Called wherever the case is read and by the nightly `tik consent expire`; idempotent, and without a
    statement when nothing is due (the case's consents are already loaded). True when something was settled."""
    on = on or expiry_day()
    if not case.is_open or case.restricted or not expired_unsettled(case, on):
        return False
    _settle(case, on)
    return True


def settled_for(user: User, case: Case) -> bool:
    """Settle the case's expired consents as `user` reads it; whether `user` may still see it (a participant
    whose access hung on the consent no longer does: the view answers 404)."""
    return not settle_expired(case) or can_view_case(user, case, expiry_day())


@unit_of_work
def _settle(case: Case, on: date) -> None:
    for consent in expired_unsettled(case, on):  # again, inside the transaction
        consent.expired_at = now()
        log(case, EventKind.CONSENT, None, consent_id=consent.id, services=consent.services, action="expired")
    enforce_consent(case, None, reason="consent_expired", on=on)
    record(None, "consent.expire", case)


def settle_all_expired(on: date | None = None) -> list[str]:
    """The nightly job: settle every open case with a consent that expired unsettled; the references done."""
    on = on or expiry_day()
    ids = db.session.scalars(select(Consent.case_id).join(Case, Case.id == Consent.case_id).where(
        Consent.withdrawn_at.is_(None), Consent.expired_at.is_(None), Consent.expires_on < on,
        Case.status == CaseStatus.OPEN, Case.restricted.is_(False)).distinct()).all()
    done = []
    for case_id in sorted(ids):
        case = db.session.get(Case, case_id)
        if settle_expired(case, on):
            done.append(case.ref)
    return done


# -- consent without a fixed age (guide.yaml: consent.below: maturity) ---------------------------------------



@unit_of_work
def judge_maturity(case: Case, by: User, *, mature: bool, reason: str) -> None:
    """Record staff's judgement whether the child is mature enough to consent themself, with its reason, where
    the guidebook has no fixed consent age below the adult one. On the timeline and audited. Raises
    ConsentError "maturity_not_judged" where the guidebook does not ask for it (a fixed age, or an adult),
    "maturity_reason" without a reason."""
    if not guide_of(case).judges_maturity(case.child.birth_date, today()):
        raise ConsentError("maturity_not_judged")
    if not reason.strip():
        raise ConsentError("maturity_reason")
    log(case, EventKind.CONSENT, by, action=MATURITY, mature=mature, reason=reason.strip())
    record(by, "consent.maturity", case)
