"""Registering a concern: find or create the child, open a case or attach to the open one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tik import crypto
from tik.audit.service import record
from tik.auth.models import User
from tik.cases.models import Case, CaseStatus, EventKind
from tik.cases.steps import open_case
from tik.cases.suspicion import enter_waiting
from tik.concerns.models import Child, Concern, Guardian, ReportDraft, Urgency, name_key
from tik.db import unit_of_work
from tik.extensions import db
from tik.timeline.service import log


@dataclass
class GuardianInput:
    name: str
    relation: str = ""
    phone: str = ""
    language: str = "nb"
    email: str = ""


@dataclass
class ChildInput:
    first_name: str
    last_name: str
    birth_date: date
    nin: str = ""
    gender: str = ""
    school: str = ""
    class_name: str = ""
    guardians: list[GuardianInput] = field(default_factory=list)


@dataclass
class ConcernInput:
    observation: str
    since_when: str = ""
    how_often: str = ""
    who_knows: str = ""
    signals: list[str] = field(default_factory=list)
    urgency: Urgency = Urgency.NONE
    report_draft: str = ""


@dataclass(frozen=True)
class Registered:
    """The outcome: the case, and whether the concern opened it or joined an already open case."""

    case: Case
    concern: Concern
    opened: bool
    repeated: bool = False  # the same form was sent again (back and resubmit): nothing new was stored


def find_child(child: ChildInput) -> Child | None:
    """The child already known by national id, or else by name and birth date."""
    if child.nin:
        found = db.session.scalar(select(Child).where(Child.nin_lookup == crypto.lookup_hash(child.nin)))
        if found:
            return found
    return db.session.scalar(select(Child).where(
        Child.birth_date == child.birth_date,
        Child.first_name_key == name_key(child.first_name),
        Child.last_name_key == name_key(child.last_name),
    ).limit(1))


def registered_before(form_key: str) -> Registered | None:
    """What the form with `form_key` registered when it was first sent (None if it made no concern)."""
    earlier = db.session.scalar(select(Concern).where(Concern.idempotency_key == form_key))
    if earlier is None:
        return None
    return Registered(db.session.get(Case, earlier.case_id), earlier, opened=False, repeated=True)


@unit_of_work(once_per_form=registered_before)
def register_concern(child_in: ChildInput, concern_in: ConcernInput, by: User,
                     form_key: str | None = None) -> Registered | None:
    """Store the concern in one transaction. The same form sent again (`form_key`) stores nothing and returns
    what it registered the first time."""
    child = find_child(child_in) or _create_child(child_in)
    case = db.session.scalar(select(Case).where(Case.child_id == child.id, Case.status == CaseStatus.OPEN))
    opened = case is None
    if opened:
        case = open_case(child, by)
    concern = Concern(case_id=case.id, reported_by_id=by.id, service_key=by.service_key,
                      observation=concern_in.observation.strip(), since_when=concern_in.since_when.strip(),
                      how_often=concern_in.how_often.strip(), who_knows=concern_in.who_knows.strip(),
                      signals=list(concern_in.signals), urgency=concern_in.urgency,
                      idempotency_key=form_key)
    db.session.add(concern)
    db.session.flush()
    log(case, EventKind.CONCERN, by, concern_id=concern.id, urgency=concern.urgency.value,
        attached=not opened)
    if concern_in.urgency == Urgency.ACUTE:
        log(case, EventKind.EMERGENCY, by, concern_id=concern.id)
    if concern_in.urgency == Urgency.SUSPICION:
        db.session.add(ReportDraft(case_id=case.id, created_by_id=by.id,
                                   text=concern_in.report_draft.strip() or concern.observation))
        log(case, EventKind.REPORT, by, concern_id=concern.id)
        enter_waiting(case, by, "concern")  # the suspicion path: nothing faces the family until child welfare answers
    record(by, "concern.register" if opened else "concern.attach", case)
    return Registered(case, concern, opened)


def _create_child(data: ChildInput) -> Child:
    child = Child(first_name=data.first_name.strip(), last_name=data.last_name.strip(),
                  birth_date=data.birth_date, gender=data.gender, school=data.school.strip(),
                  class_name=data.class_name.strip())
    if data.nin:
        child.nin_encrypted = crypto.encrypt(data.nin)
        child.nin_lookup = crypto.lookup_hash(data.nin)
    child.guardians = [Guardian(name=g.name.strip(), relation=g.relation.strip(), phone=g.phone.strip(),
                                email=g.email.strip(), language=g.language) for g in data.guardians if g.name.strip()]
    db.session.add(child)
    db.session.flush()
    return child
