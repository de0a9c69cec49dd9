"""The access policy: who may see and do what with a case. Every view, CLI command, template and export asks here.

A case is seen by its stafettholder, its participants (named persons the holder invited; someone outside the
holder's unit only while an active consent covers their service) and the leaders of the holder's unit.
Nobody else: not the rest of the service, not other leaders, not an admin. Each rule is one function here,
and `visible_cases` is the SQL twin of `access_of` for lists and search.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select, union
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from tik.audit.service import record_view
from tik.auth.models import Role, User
from tik.cases.models import Case, CaseParticipant, Consent, ConsentService, Handover
from tik.clock import today
from tik.concerns.models import Child, Guardian
from tik.extensions import db, login_manager
from tik.guidebook import guide_of
from tik.meetings.models import AgendaItem, Meeting, MeetingKind, TeamMember
from tik.municipalities.scope import current_row_id
from tik.org.models import UnitLeader


class Access(enum.StrEnum):
    """Why a person sees a case (shown in "Mine saker" and "who has seen")."""

    HOLDER = "holder"
    PARTICIPANT = "participant"
    LEADER = "leader"


def consented_services(case: Case, on: date) -> set[str]:
    """The services an active consent on `case` covers on `on`."""
    return {key for c in case.consents if c.is_active(on) for key in c.services}


def allowed_services(case: Case, on: date) -> set[str]:
    """Services that may work on the case: the holder's own, and those an active consent covers."""
    return {case.owning_service} | consented_services(case, on)


def may_take_part(user: User, case: Case, on: date) -> bool:
    """Whether `user` may be a participant now: from the holder's unit, or from a service consent covers."""
    if not user.active:
        return False
    in_unit = user.unit_id is not None and user.unit_id == case.unit_id
    return in_unit or user.service_key in consented_services(case, on)


def is_unit_leader(user: User, unit_id: int | None) -> bool:
    return unit_id is not None and db.session.scalar(
        select(UnitLeader.id).where(UnitLeader.unit_id == unit_id, UnitLeader.user_id == user.id)) is not None


def access_of(user: User, case: Case, on: date) -> Access | None:
    """Why `user` may see `case` on `on`, or None. Admins get no case content through their role.
    A restricted case (GDPR Art. 18) is seen by its holder and the unit leader only."""
    if not user.is_authenticated or not user.active:
        return None
    if case.municipality_id != current_row_id():  # a case of another municipality: nobody here, whoever they are
        return None
    if case.coordinator_id == user.id:
        return Access.HOLDER
    invited = any(p.user_id == user.id and p.active for p in case.participants)
    if invited and not case.restricted and may_take_part(user, case, on):
        return Access.PARTICIPANT
    if is_unit_leader(user, case.unit_id):
        return Access.LEADER
    return None


def can_view_case(user: User, case: Case, on: date) -> bool:
    return access_of(user, case, on) is not None


def can_edit_case(user: User, case: Case, on: date) -> bool:
    """The holder and the participants work on an open, unrestricted case; a leader's access is oversight."""
    return is_writable(case) and access_of(user, case, on) in (Access.HOLDER, Access.PARTICIPANT)


class CaseLocked(Exception):
    """A change to a closed or restricted case: such a case is read-only for everyone, by every path."""

    def __init__(self, case: Case) -> None:
        self.code = "case_closed" if not case.is_open else "case_restricted"
        super().__init__(f"{case.ref}: {self.code}")


def is_writable(case: Case) -> bool:
    """Only an open case that is not restricted can change. Closing, reopening, the archive print,
    restriction and legal hold are the case's life (tik/lifecycle) and pass through `ensure_writable`'s
    `life` exception."""
    return case.is_open and not case.restricted


def ensure_writable(case: Case, life: bool = False) -> None:
    """Raise CaseLocked unless `case` may change (every service function's timeline entry checks this)."""
    if not life and not is_writable(case):
        raise CaseLocked(case)


def can_reopen(user: User, case: Case, on: date) -> bool:
    """The holder, or the unit leader, decides to reopen a closed case."""
    return not case.is_open and access_of(user, case, on) in (Access.HOLDER, Access.LEADER)


def can_manage_life(user: User, case: Case, on: date) -> bool:
    """The archive print, restriction and legal hold: the holder and the unit leader."""
    return access_of(user, case, on) in (Access.HOLDER, Access.LEADER)


def can_hold_case(user: User, case: Case, on: date) -> bool:
    """Whether `user` may become the stafettholder: an active coordinator (or a leader, who takes the cases of
    a departing colleague) who may take part in the case."""
    return user.active and user.has_role(Role.COORDINATOR, Role.LEADER) and may_take_part(user, case, on)


def can_manage_participants(user: User, case: Case) -> bool:
    """Only the stafettholder invites and removes participants."""
    return is_writable(case) and case.coordinator_id == user.id


def can_answer_handover(user: User, handover: Handover) -> bool:
    """Only the person a handover is proposed to answers it; to anyone else it does not exist (404)."""
    return handover.to_id == user.id


def can_see_viewers(user: User, case: Case, on: date) -> bool:
    """"Who has seen this child": the stafettholder, and the unit leader in oversight."""
    return access_of(user, case, on) in (Access.HOLDER, Access.LEADER)


def can_give_leader_feedback(user: User, case: Case, on: date) -> bool:
    """The feedback given to the reporter is recorded by the unit leader, in oversight (not as holder or
    participant): a record, never an approval."""
    return access_of(user, case, on) == Access.LEADER


def can_see_report(user: User, case: Case, author_id: int | None, on: date) -> bool:
    """The report to child welfare, its draft, its PDF and its record (need to know): the author, the holder,
    the holder's unit leader, and a participant from the child welfare service (sharing.yaml). Nobody else:
    a consent to share with a service never opens a report to it. `author_id` None: any report of the case."""
    access = access_of(user, case, on)
    if access is None:
        return False
    if access in (Access.HOLDER, Access.LEADER) or (author_id is not None and user.id == author_id):
        return True
    welfare = guide_of(case).child_welfare_service
    return welfare is not None and user.service_key == welfare


def is_paused_unnamed(user: User, case: Case, on: date) -> bool:
    """While the case waits for child welfare, someone who may not know of the report (can_see_report) sees
    the case as paused without why: not the waiting step's title, fields or guidance, nor its entries on the
    timeline, and they cannot decide it (docs/family-and-suspicion.md)."""
    return case.waiting_since is not None and not can_see_report(user, case, None, on)


def may_face_family(case: Case) -> bool:
    """Whether the family-facing actions (the family's PDF and letters, the consent form, a new meeting with the
    family) are offered: never while the case waits for child welfare (their services refuse then, too)."""
    return case.waiting_since is None


def can_tell_of_report(user: User, case: Case) -> bool:
    """Whether participants may be told that a report was sent (and when) is the holder's choice."""
    return is_writable(case) and case.coordinator_id == user.id


def can_withhold_from_export(user: User, case: Case) -> bool:
    """Withholding an entry from the family's Art. 15 export (with a reason and a legal ground): the holder."""
    return case.coordinator_id == user.id


def information_seen(user: User, case: Case, on: date) -> frozenset[str] | None:
    """The kinds of information (sharing.yaml) `user` sees of `case`: None for all of them (the holder, the
    unit leader, and participants of the holder's unit or service: their own work needs no consent), else
    the kinds the active consents cover for the user's service (a consent recorded before kinds: all)."""
    access = access_of(user, case, on)
    if access in (Access.HOLDER, Access.LEADER) or user.service_key == case.owning_service or (
            user.unit_id is not None and user.unit_id == case.unit_id):
        return None
    kinds: set[str] = set()
    for consent in case.consents:
        if not consent.is_active(on):
            continue
        for row in consent.service_rows:
            if row.service_key == user.service_key:
                if row.kinds is None:
                    return None
                kinds.update(row.kinds)
    return frozenset(kinds)


@dataclass(frozen=True)
class Sight:
    """What of a case one person sees on every page and print: the reports to child welfare or not, and the
    content (INFORMATION_CONTENT) the kinds of information open to them show (None: everything)."""

    user_id: int | None
    reports: bool
    content: frozenset[str] | None = None
    hidden_authors: frozenset[str] = frozenset()  # services whose own entries need a kind not covered

    def sees(self, content: str) -> bool:
        return self.content is None or content in self.content

    def sees_event(self, event, report_decisions: frozenset[str] = frozenset()) -> bool:
        """A timeline entry: a report's (or the hard stop that started one) only with the reports; the others
        by the kind of information they hold and the service of who wrote them."""
        from tik.cases.models import EventKind

        if event.kind == EventKind.REPORT or event.decision in report_decisions:
            return self.reports or event.by_id == self.user_id
        if self.content is None:
            return True
        if getattr(event.by, "service_key", "") in self.hidden_authors:
            return False
        needs = {EventKind.CONCERN: {"concern"}, EventKind.PLAN: {"plan"}}.get(event.kind, set())
        if event.kind == EventKind.CONVERSATION:
            needs = {f"{who}_voice" for who in (event.data.get("voices") or {}).values()}
        return all(self.sees(c) for c in needs)

    def sees_fields(self, event) -> bool:
        """The notes written in a step's fields belong to the concern and the observations."""
        from tik.cases.models import EventKind

        return event.kind == EventKind.CONVERSATION or self.sees("notes")


def sight(user: User, case: Case, on: date) -> Sight:
    """What `user` sees of `case` (see Sight); pages, prints and the meeting agenda all ask this."""
    kinds = information_seen(user, case, on)
    reports = can_see_report(user, case, None, on)
    if kinds is None:
        return Sight(getattr(user, "id", None), reports)
    guide = guide_of(case)
    opened = [k for k in guide.information_kinds if k.key in kinds]
    closed = [k for k in guide.information_kinds if k.key not in kinds]
    return Sight(getattr(user, "id", None), reports, frozenset(c for k in opened for c in k.shows),
                 frozenset(s for k in closed for s in k.from_services) - {case.owning_service, user.service_key})


def can_read_minutes(user: User, case: Case, on: date) -> bool:
    """The minutes of a case's agenda item (what was discussed, the advice, the decisions) go with the plan:
    someone who sees the case reads and writes them only when the kinds of information open to them show the
    plan (sharing.yaml: plan-and-measures). Someone who does not see the case at all (a team meeting's
    anonymous item) reads what the team wrote, as before (docs/consent-and-reports.md)."""
    if access_of(user, case, on) is None:
        return True
    return sight(user, case, on).sees("plan")


def report_decisions(case: Case) -> frozenset[str]:
    """The decisions that start a report to child welfare (the hard stop, and any step's own report)."""
    guide = guide_of(case)
    decisions = [d for step in guide.steps.values() for d in step.decisions] + list(guide.hard_stops)
    return frozenset(d.key for d in decisions if d.end == "child_welfare_report")


def visible_events(case: Case, events: list, seen: Sight) -> list:
    """The timeline entries one person sees (Sight): no report's entry without the reports, no kind of
    information their service's consent does not cover; a step's notes only with the notes (else a copy of
    the entry without them: the page shows that the step was taken)."""
    from types import SimpleNamespace

    decisions = report_decisions(case)
    wait = guide_of(case).child_welfare_wait
    shown = []
    for event in events:
        if not seen.sees_event(event, decisions):
            continue
        if wait is not None and event.step_id == wait.id and not seen.reports:  # the waiting names child welfare
            continue
        if not seen.sees_fields(event):
            event = SimpleNamespace(**{k: getattr(event, k) for k in ("id", "at", "by", "by_id", "kind", "step_id",
                                                                      "decision", "level")},
                                    data={k: v for k, v in event.data.items() if k != "fields"})
        shown.append(event)
    return shown


@dataclass(frozen=True)
class Abilities:
    """What the current user may do on a case page: templates ask this, they never decide."""

    edit: bool
    manage_participants: bool
    see_viewers: bool
    leader_feedback: bool
    see_reports: bool = False  # the reports to child welfare and their drafts (can_see_report)
    tell_of_report: bool = False
    paused: bool = False  # the case waits for child welfare and this person may not know why (is_paused_unnamed)
    face_family: bool = True  # the family-facing actions are offered (may_face_family)


def abilities(user: User, case: Case, on: date) -> Abilities:
    access = access_of(user, case, on)
    return Abilities(edit=access in (Access.HOLDER, Access.PARTICIPANT) and is_writable(case),
                     manage_participants=can_manage_participants(user, case),
                     see_viewers=access in (Access.HOLDER, Access.LEADER),
                     leader_feedback=access == Access.LEADER,
                     see_reports=can_see_report(user, case, None, on),
                     tell_of_report=can_tell_of_report(user, case),
                     paused=is_paused_unnamed(user, case, on), face_family=may_face_family(case))


def visible_cases(user: User, on: date) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the cases `user` may see (the SQL twin of access_of)."""
    if not user.is_authenticated or not user.active:
        return false()
    covered = exists().where(
        Consent.case_id == Case.id, Consent.withdrawn_at.is_(None),
        Consent.given_on <= on, Consent.expires_on >= on,
        ConsentService.consent_id == Consent.id, ConsentService.service_key == user.service_key,
    )
    invited = exists().where(CaseParticipant.case_id == Case.id, CaseParticipant.user_id == user.id,
                             CaseParticipant.removed_at.is_(None))
    in_unit = (Case.unit_id == user.unit_id) if user.unit_id is not None else false()
    led = select(UnitLeader.unit_id).where(UnitLeader.user_id == user.id)
    return and_(Case.municipality_id == current_row_id(),
                or_(Case.coordinator_id == user.id, and_(invited, or_(in_unit, covered), Case.restricted.is_(False)),
                    Case.unit_id.in_(led)))


def reachable_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause that narrows a query to the cases one of visible_cases' three roots can reach (I hold
    it, I was invited to it, I lead its unit), each found through its own index. With visible_cases it selects
    the same cases; alone, an OR across the three makes the database read every open case of the municipality."""
    return Case.id.in_(reachable_case_ids(user))


def reachable_case_ids(user: User):
    """The ids of the cases reachable_cases narrows to, as a statement of their own: a list that runs it first
    and then selects `Case.id.in_(ids)` is read through the primary key on PostgreSQL too, whose planner
    otherwise reads every open case (its estimate of the union grows with the municipality). The led units'
    root starts from the user's rows in unit_leader: as `unit_id IN (…)` SQLite read every case of the
    municipality, for a user who leads no unit too (67 ms at 100 000 children)."""
    here = Case.municipality_id == current_row_id()
    return union(select(Case.id).where(Case.coordinator_id == user.id, here),
                 select(CaseParticipant.case_id).join(Case, Case.id == CaseParticipant.case_id)
                 .where(CaseParticipant.user_id == user.id, here),
                 select(Case.id).join(UnitLeader, UnitLeader.unit_id == Case.unit_id)
                 .where(UnitLeader.user_id == user.id, here))


def led_by(user: User) -> ColumnElement[bool]:
    """Cases owned by a unit `user` leads."""
    return Case.unit_id.in_(select(UnitLeader.unit_id).where(UnitLeader.user_id == user.id))


def is_team_member(user: User, team_id: int | None) -> bool:
    return team_id is not None and db.session.scalar(
        select(TeamMember.id).where(TeamMember.team_id == team_id, TeamMember.user_id == user.id)) is not None


def can_view_meeting(user: User, meeting: Meeting, on: date) -> bool:
    """Team meetings: the team's members only. Network meetings: whoever may see the case."""
    if meeting.kind == MeetingKind.NETWORK:
        case = db.session.get(Case, meeting.case_id)
        return case is not None and can_view_case(user, case, on)
    return is_team_member(user, meeting.team_id)


def is_identified(item: AgendaItem, on: date) -> bool:
    """May a meeting's agenda show who the child is? Network meetings: yes. Team meetings: only when an active
    consent names the team's service, and the case was not brought anonymously."""
    if item.case is None or item.anonymous:
        return False
    if item.meeting.kind == MeetingKind.NETWORK:
        return True
    team_service = guide_of(item.case).team_service
    return team_service is not None and team_service in consented_services(item.case, on)


def can_act_on_item(user: User, item: AgendaItem, on: date) -> bool:
    """Decisions from a meeting reach an agenda item's case only when the agenda names the child and `user`
    may work on the case."""
    return is_identified(item, on) and can_edit_case(user, item.case, on)


# What reading a case carries out first, whoever reads it: the case layer registers the settling of a consent
# that ran out (tik.cases.consent.settle_expired), so every page that opens a case (the case page, the plan,
# its measures and prints) ends what hung on the consent itself, not only the nightly job. One slot, set by
# the app factory (this layer may not import the case layer).
_settle_on_read: Callable[[Case], object] | None = None


def settle_on_read(settle: Callable[[Case], object] | None) -> None:
    global _settle_on_read
    _settle_on_read = settle


def case_for(user: User, ref: str, action: str = "case.view", edit: bool = False) -> Case:
    """The case `ref` if `user` may see it (and work on it, when `edit`), with the access audited.

    404 otherwise, the same answer as for a reference that does not exist (no probing). A change to a case
    the user may see but that is closed or restricted answers 409: it is read-only for everyone.

    One lookup shape: the case is loaded only together with the access condition (visible_cases), so a case
    the user may not see and a reference that does not exist run the same single statement and answer alike
    (tests/security/test_lookup_shape.py); nothing of an invisible case is read, not even to time.
    """
    on = today()
    case = db.session.scalars(
        select(Case).where(Case.ref == ref, visible_cases(user, on))
        .options(joinedload(Case.child).joinedload(Child.guardians), joinedload(Case.coordinator),
                 joinedload(Case.consents).joinedload(Consent.service_rows),
                 selectinload(Case.participants).joinedload(CaseParticipant.user))
    ).unique().one_or_none()
    if case is None:
        abort(404)
    if _settle_on_read is not None:
        _settle_on_read(case)  # a consent that ran out ends what hung on it before the page is answered
    access = access_of(user, case, on)
    if access is None or (edit and access not in (Access.HOLDER, Access.PARTICIPANT)):
        abort(404)
    if edit and not is_writable(case):
        abort(409)
    record_view(user, action, case, detail=f"as:{access.value}")
    return case


def can_deactivate(admin: User, user: User) -> bool:
    """An admin closes other people's accounts, never their own (someone must be left to administer)."""
    return admin.has_role(Role.ADMIN) and user.id != admin.id


# -- route access -----------------------------------------------------------------------------------

ACCESS_ATTR = "tik_access"


def requires(*roles: Role) -> Callable:
    """Declare that a route needs a logged-in, active user (with one of `roles`, when given); 404 otherwise."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, roles or ("authenticated",))
        return wrapper

    return decorate


def may_use(user: User, endpoint: str) -> bool:
    """Whether `user` may open the route `endpoint`, by what the route declares (menus ask this, so a link is
    shown exactly when following it would not answer 404)."""
    from flask import current_app

    declared = getattr(current_app.view_functions.get(endpoint), ACCESS_ATTR, None)
    if declared == ("public",):
        return True
    if declared is None or declared == ("family",) or not user.is_authenticated:
        return False
    return declared == ("authenticated",) or user.has_role(*declared)


def public(view: Callable) -> Callable:
    """Declare that a route holds no personal data and anyone may use it (login, the handbook)."""
    setattr(view, ACCESS_ATTR, ("public",))
    return view


# -- the family ("Min familie", tik/family/) ---------------------------------------------------------------


class FamilyRelation(enum.StrEnum):
    """Why a person signed in with ID-porten sees a case on "Min familie"."""

    GUARDIAN = "guardian"  # a guardian of the child with parental responsibility
    YOUNG_PERSON = "young_person"  # the child, from the guidebook's consent age


def family_relation(lookup: str, case: Case, on: date) -> FamilyRelation | None:
    """How the person whose national id has the keyed hash `lookup` relates to `case`, or None (sees nothing)."""
    if not lookup or not family_told(case, on):
        return None
    child = case.child
    if any(g.nin_lookup == lookup and g.responsibility for g in child.guardians):
        return FamilyRelation.GUARDIAN
    if child.nin_lookup == lookup and guide_of(case).of_consent_age(child.birth_date, on):
        return FamilyRelation.YOUNG_PERSON
    return None


def family_told(case: Case, on: date) -> bool:
    """Whether the family may see `case` on "Min familie" on `on`: staff recorded that the family was told (a
    family-facing step done, such as the parents' conversation; a consent given by them; the plan's letter
    handed over), and the case does not wait for child welfare (the suspicion path: never while it waits, and
    not before the holder ends that state, docs/family-and-suspicion.md)."""
    if case.waiting_since is not None:
        return False
    told = case.family_told_on is not None and case.family_told_on <= on
    return told or any(c.given_on <= on for c in case.consents)


def young_person_reach(case: Case, on: date) -> set[str]:
    """The young person's reach: the services covered on `on` by the live consents (not withdrawn, not
    expired) that are their own (given or co-signed by them), and with them the service that holds the case
    (its own work with the young person needs no consent to share). What of their case they see on "Min
    familie": the plan's measures, the timeline entries and the letter of these services; empty until they
    consent."""
    own = {key for c in case.consents if c.young_person and c.is_active(on) for key in c.services}
    return own | {case.owning_service} if own else set()


def family_reach(case: Case, relation: FamilyRelation, on: date) -> set[str] | None:
    """The services whose part of the case a family member sees: None for a guardian (the whole case), the
    young person's reach for the young person."""
    return None if relation == FamilyRelation.GUARDIAN else young_person_reach(case, on)


def within_reach(service_key: str, reach: set[str] | None) -> bool:
    """Whether a measure (or a timeline entry) of `service_key` lies within a family member's reach (None: a
    guardian's, the whole case)."""
    return reach is None or service_key in reach


def family_sees_plan(case: Case, relation: FamilyRelation, on: date) -> bool:
    """Whether a family member sees the plan's side of the case: the plan, the timeline, the family letter and
    "before the meeting". A guardian always; a young person once their own consent reaches a service (before
    that they see that the case exists, who holds it, its consents, and can give their own)."""
    reach = family_reach(case, relation, on)
    return reach is None or bool(reach)


def family_cases(lookup: str, on: date) -> list[tuple[Case, FamilyRelation]]:
    """The cases the person sees on "Min familie": their children's, and their own from the consent age."""
    if not lookup:
        return []
    theirs = or_(Child.nin_lookup == lookup,
                 Child.id.in_(select(Guardian.child_id).where(Guardian.nin_lookup == lookup,
                                                              Guardian.responsibility.is_(True))))
    cases = db.session.scalars(select(Case).join(Child, Child.id == Case.child_id).where(theirs)
                               .options(joinedload(Case.child).joinedload(Child.guardians))
                               .order_by(Case.id)).unique().all()
    return [(case, relation) for case in cases if (relation := family_relation(lookup, case, on))]


def family_case_for(lookup: str, ref: str, action: str = "family.view",
                    plan: bool = False) -> tuple[Case, FamilyRelation]:
    """The case `ref` if the family member may see it (and, with `plan`, its plan's side: the letter, "before
    the meeting"), with the access audited; 404 otherwise (no probing)."""
    case = db.session.scalars(select(Case).where(Case.ref == ref)
                              .options(joinedload(Case.child).joinedload(Child.guardians),
                                       joinedload(Case.consents).joinedload(Consent.service_rows))
                              ).unique().one_or_none()
    on = today()
    relation = family_relation(lookup, case, on) if case is not None else None
    if relation is None or (plan and not family_sees_plan(case, relation, on)):
        abort(404)
    record_view(family_actor(relation), action, case, detail=f"as:{relation.value}")
    return case, relation


def family_actor(relation: FamilyRelation):
    """Who the audit trail names for a family member: no staff user, the relation as the name."""
    from types import SimpleNamespace

    return SimpleNamespace(id=None, username=f"familie:{relation.value}", service_key="")
