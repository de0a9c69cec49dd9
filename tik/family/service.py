"""What the family sees and does: who has read the case (from the audit trail), withdrawing a consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tik.audit.models import AuditEvent
from tik.audit.service import READ_ACTIONS, record
from tik.auth.models import User
from tik.auth.policy import FamilyRelation, family_actor
from tik.cases.consent import withdraw_consent
from tik.cases.models import Case, Consent, EventKind
from tik.db import unit_of_work
from tik.extensions import db
from tik.org.models import Unit
from tik.timeline.service import log

# A member of staff reading the case, or printing or exporting it: the audit trail's own list (each download
# is one `plan.pdf` row with the reader's access; its `plan.print` row is the same download again).
READS = READ_ACTIONS
PRINTS = ("plan.pdf", "case.export")


@dataclass
class Reader:
    role: str  # the access they read with: holder, participant, leader (from the audit row)
    unit: str
    name: str  # only where the municipality shows staff names to families (TIK_FAMILY_STAFF_NAMES)
    reads: int
    prints: int
    last: datetime


def readers(case: Case) -> list[Reader]:
    """Every staff read and print of `case` in the audit trail, by role, unit (and person, if shown)."""
    names = current_app.config.get("TIK_FAMILY_STAFF_NAMES", False)
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.detail, AuditEvent.at, User.id, User.name, Unit.name)
        .join(User, User.id == AuditEvent.user_id).outerjoin(Unit, Unit.id == User.unit_id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(READS)).order_by(AuditEvent.at)).all()
    grouped: dict[tuple, Reader] = {}
    for action, detail, at, user_id, user_name, unit_name in rows:
        role = detail.removeprefix("as:") if detail.startswith("as:") else ""
        key = (role, unit_name or "", user_id if names else None)
        reader = grouped.setdefault(key, Reader(role, unit_name or "", user_name if names else "", 0, 0, at))
        if action in PRINTS:
            reader.prints += 1
        else:
            reader.reads += 1
        reader.last = max(reader.last, at)
    return sorted(grouped.values(), key=lambda r: r.last, reverse=True)


@unit_of_work
def withdraw(case: Case, consent_id: int, relation: FamilyRelation) -> Consent | None:
    """Withdraw a live consent of `case` for the family: the same service function as staff use, so staff
    access that hung on it ends in the same transaction. None if there is no such live consent."""
    consent = next((c for c in case.consents if c.id == consent_id and c.withdrawn_at is None), None)
    if consent is None:
        return None
    withdraw_consent(consent, None, family=relation)
    return consent


@unit_of_work
def audit_sign_in(action: str, detail: str) -> None:
    """A family member's sign-in through ID-porten (or its refusal): audited without who it was."""
    record(None, action, detail=detail)


MAX_WORDS = 4000  # characters: what the family wants to say before the meeting


@unit_of_work
def before_the_meeting(case: Case, relation: FamilyRelation, text: str) -> None:
    """The child's or the guardians' own words, on the case timeline as they wrote them (shown as text)."""
    log(case, EventKind.FAMILY, None, text=text, who=relation.value)
    record(family_actor(relation), "family.voice", case)
