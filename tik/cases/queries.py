"""Reading cases: the lists, the search, who takes part, what waits for whom, who has seen a child."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tik.audit.models import AuditEvent
from tik.audit.service import READ_ACTIONS
from tik.auth.models import User
from tik.auth.policy import Access, access_of, is_paused_unnamed, reachable_case_ids, visible_cases
from tik.cases.models import Case, CaseParticipant, CaseStatus, Consent, Handover, HandoverStatus
from tik.clock import overdue, today
from tik.concerns.models import Child, name_key
from tik.extensions import db
from tik.forms import without_controls
from tik.guidebook import guide_of
from tik.guides.model import Step
from tik.plans.models import Measure, Plan


def active_participant(case: Case, user: User) -> CaseParticipant | None:
    return next((p for p in case.participants if p.user_id == user.id and p.active), None)


def active_participants(case: Case) -> list[CaseParticipant]:
    return [p for p in case.participants if p.active]


def pending_handovers(case: Case) -> list[Handover]:
    return list(db.session.scalars(select(Handover).where(Handover.case_id == case.id,
                                                          Handover.status == HandoverStatus.PENDING)
                                   .options(joinedload(Handover.to_user))))


def expiring_consents(user: User, within: timedelta) -> list[Consent]:
    """Active consents on the user's cases that expire within `within`."""
    on = today()
    query = (select(Consent).join(Case, Case.id == Consent.case_id)
             .where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN,
                    Consent.withdrawn_at.is_(None), Consent.expires_on >= on, Consent.expires_on <= on + within)
             .options(joinedload(Consent.case)).order_by(Consent.expires_on))  # one statement with its case
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class CaseRow:
    """What a list of cases shows about one case."""

    ref: str
    child_name: str
    level: int
    step: Step
    deadline: date | None
    overdue: bool
    coordinator_name: str
    why: Access | None = None  # why I see it: holder, participant or leader
    my_measures: tuple[str, ...] = ()
    waiting: bool = False  # waits for child welfare, and the reader may know (`step` is then the waiting step)
    paused: bool = False  # waits, and the reader may not know why: "the case stands still", nothing more


def held_cases(user: User) -> list[CaseRow]:
    """The open cases `user` holds, earliest deadline first (their steps are the user's to do)."""
    query = (select(Case).where(Case.coordinator_id == user.id, Case.status == CaseStatus.OPEN,
                                visible_cases(user, today()))
             .options(selectinload(Case.child), selectinload(Case.coordinator))
             .order_by(Case.deadline.is_(None), Case.deadline, Case.ref))
    return [row_of(c, user, Access.HOLDER) for c in db.session.scalars(query)]


def my_cases(user: User) -> list[CaseRow]:
    """"Mine saker": the open cases I hold, take part in (with my measures) or, as a leader, my unit owns.
    Each row says why I see it."""
    on = today()
    # Two statements, on purpose: the ids the rule's three roots reach (three index lookups), then those cases by
    # primary key. As one statement PostgreSQL read every open case of the municipality to join them
    # (docs/benchmarks.md, "The case list on PostgreSQL"; tests/cases/test_queries.py holds the plan).
    reachable = db.session.scalars(reachable_case_ids(user)).all()
    query = (select(Case).where(Case.id.in_(reachable), Case.status == CaseStatus.OPEN, visible_cases(user, on))
             .options(selectinload(Case.child), selectinload(Case.coordinator), selectinload(Case.participants),
                      selectinload(Case.consents).selectinload(Consent.service_rows))
             .order_by(Case.deadline.is_(None), Case.deadline, Case.ref))
    found = list(db.session.scalars(query))
    mine: dict[int, list[str]] = {}
    for case_id, what in db.session.execute(
            select(Plan.case_id, Measure.what).join(Measure, Measure.plan_id == Plan.id)
            .where(Measure.responsible_id == user.id, Plan.case_id.in_([c.id for c in found]))):
        mine.setdefault(case_id, []).append(what)
    rows = [row_of(c, user, _why(user, c), tuple(mine.get(c.id, ()))) for c in found]
    order = {Access.HOLDER: 0, Access.PARTICIPANT: 1, Access.LEADER: 2}
    return sorted(rows, key=lambda r: order.get(r.why, 3))


def _why(user: User, case: Case) -> Access:
    """Why a case that visible_cases selected for `user` is visible (its SQL says: one of these three)."""
    if case.coordinator_id == user.id:
        return Access.HOLDER
    return Access.PARTICIPANT if active_participant(case, user) is not None else Access.LEADER


def row_of(case: Case, reader: User, why: Access | None = None, measures: tuple[str, ...] = ()) -> CaseRow:
    """What a list shows `reader` about `case` (why they see it, their measures in it, when the caller knows).

    A case waiting for child welfare says so to a reader who may know of the report (its step is the waiting
    step); to one who may not, only that it stands still (policy.is_paused_unnamed: the need-to-know rule)."""
    guide = guide_of(case)
    step, waiting, paused = guide.step(case.step_id), False, False
    if case.waiting_since is not None:  # only then a question of access: a plain list costs no statement more
        paused = is_paused_unnamed(reader, case, today())
        waiting = not paused and guide.child_welfare_wait is not None
        step = guide.child_welfare_wait if waiting else step
    return CaseRow(case.ref, case.child.name, case.level, step, case.deadline,
                   overdue(case.deadline), case.coordinator.name, why, measures,
                   waiting, paused)


def search_cases(user: User, text: str, limit: int = 50) -> list[CaseRow]:
    """Cases `user` may see with reference `text`, or whose child's names start with each word of `text`.

    Names are matched on indexed lower-case keys by range (works on SQLite and PostgreSQL alike).
    """
    # Bounded: a name has a few words; a pasted page of them must not become a thousand-term query.
    text = without_controls(text)[:SEARCH_MAX_CHARS]
    words = name_key(text).split()[:SEARCH_MAX_WORDS]
    if not words:
        return []
    query = (select(Case).join(Child, Child.id == Case.child_id).where(visible_cases(user, today()))
             .options(selectinload(Case.child), selectinload(Case.coordinator), selectinload(Case.participants),
                      selectinload(Case.consents).selectinload(Consent.service_rows))  # row_of: may they know?
             .order_by(Case.ref.desc()).limit(limit))
    if REFERENCE.fullmatch(text.strip().upper()):
        query = query.where(Case.ref == text.strip().upper())
    else:
        # A common prefix matches many of the municipality's children: search among the cases the person
        # reaches (read first, as in my_cases), not among every child with the name, then check the rule.
        query = query.where(Case.id.in_(db.session.scalars(reachable_case_ids(user)).all()))
        for word in words:
            query = query.where(_starts(Child.first_name_key, word) | _starts(Child.last_name_key, word))
    return [row_of(c, user) for c in db.session.scalars(query)]


REFERENCE = re.compile(r"TIK-\d{4}-\d{4,}")
SEARCH_MAX_CHARS, SEARCH_MAX_WORDS = 200, 6


def _starts(column, prefix: str):
    """`column` starts with `prefix`, as an index range (LIKE 'x%' uses no index on SQLite). The bound is the
    highest code point, so a name whose next character lies beyond U+FFFF (some CJK names) is in the range."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


@dataclass(frozen=True)
class Viewer:
    """One person in "who has seen this child", with why they see the case now ("" once they no longer do)."""

    name: str
    unit: str
    service_key: str
    access: Access | None
    last: object
    times: int


def who_has_seen(case: Case) -> list[Viewer]:
    """Every person who has read or printed the case, most recent first, from the audit trail."""
    rows = db.session.execute(
        select(AuditEvent.user_id, func.max(AuditEvent.at), func.count())
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(READ_ACTIONS), AuditEvent.user_id.is_not(None))
        .group_by(AuditEvent.user_id).order_by(func.max(AuditEvent.at).desc())).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows]))
                                                  .options(joinedload(User.unit)))}
    on = today()
    return [Viewer(users[uid].name, users[uid].unit.name if users[uid].unit else "", users[uid].service_key,
                   access_of(users[uid], case, on), last, times) for uid, last, times in rows if uid in users]
