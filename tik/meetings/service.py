"""Meetings: who may see them, what the agenda shows about each case, and decisions that change cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tik.audit.service import record, record_view
from tik.auth.models import User
from tik.auth.policy import (
    can_act_on_item,
    can_edit_case,
    can_read_minutes,
    can_view_case,
    is_identified,
    is_team_member,
    visible_cases,
)
from tik.cases.anonymise import alias
from tik.cases.models import Case, EventKind
from tik.cases.suspicion import refuse_if_waiting
from tik.clock import today
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.meetings.models import AgendaItem, Meeting, MeetingKind, Participant, Team, TeamMember
from tik.timeline.service import log
from tik.versioning import check_version


class MeetingError(DomainError):
    """A meeting cannot be planned or changed as asked; `code` says why."""


@unit_of_work
def create_team(name: str, members: list[User], area: str = "") -> Team:
    """A team of the municipality; MeetingError("team_name_taken") when the municipality has one of that name
    (another municipality's team may have it: names are unique per municipality)."""
    if db.session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise MeetingError("team_name_taken")
    team = Team(name=name, area=area, members=[TeamMember(user_id=u.id) for u in members])
    db.session.add(team)
    return team


def teams_of(user: User) -> list[Team]:
    return list(db.session.scalars(select(Team).join(TeamMember).where(TeamMember.user_id == user.id)
                                   .order_by(Team.name)))


def meetings_for(user: User, start: datetime | None = None) -> list[Meeting]:
    """The meetings `user` may see (from `start`, when given), soonest first."""
    team_ids = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    # Join the case rather than listing every visible case: the check then runs per meeting only.
    query = (select(Meeting).outerjoin(Case, Case.id == Meeting.case_id)
             .where(or_(Meeting.team_id.in_(team_ids),
                        (Meeting.kind == MeetingKind.NETWORK) & visible_cases(user, today())))
             .options(selectinload(Meeting.team)).order_by(Meeting.starts_at))
    if start is not None:
        query = query.where(Meeting.starts_at >= start)
    return list(db.session.scalars(query))


@unit_of_work(once_per_form=True)
def create_meeting(by: User, *, title: str, starts_at: datetime, place: str = "", team: Team | None = None,
                   case: Case | None = None, family: list[tuple[str, str]] = ()) -> Meeting:
    """A team meeting (members invited) or a network meeting about `case` (holder and family invited).

    `starts_at` is stored as given: naive UTC, like every time in the database (see clock.local_to_utc).
    """
    if case is not None:
        if not can_edit_case(by, case, today()):
            raise MeetingError("no_access")
        refuse_if_waiting(case)  # a meeting with the family: never while the case waits for child welfare
        meeting = Meeting(kind=MeetingKind.NETWORK, case_id=case.id, title=title.strip(), starts_at=starts_at,
                          place=place.strip(), created_by_id=by.id)
        # Attendance starts from who works on the case: the holder, the creator and every active participant.
        people = [(case.coordinator, _("stafettholder"))] + ([(by, "")] if by.id != case.coordinator_id else [])
        people += [(p.user, p.user.title or "") for p in case.participants
                   if p.active and p.user_id not in {u.id for u, _role in people}]
        meeting.participants = [Participant(user_id=u.id, name=u.name, role=role) for u, role in people]
        meeting.participants += [Participant(name=name.strip(), role=role.strip()) for name, role in family
                                 if name.strip()]
        meeting.items = [AgendaItem(case_id=case.id, brought_by_id=by.id, position=1)]
        db.session.add(meeting)
        db.session.flush()
        log(case, EventKind.STEP, by, action="meeting.planned", meeting_id=meeting.id)
        record(by, "meeting.create", case)
    else:
        if team is None or not is_team_member(by, team.id):
            raise MeetingError("not_member")
        meeting = Meeting(kind=MeetingKind.TEAM, team_id=team.id, title=title.strip(), starts_at=starts_at,
                          place=place.strip(), created_by_id=by.id)
        meeting.participants = [Participant(user_id=m.user.id, name=m.user.name, role=m.user.title)
                                for m in team.members]
        db.session.add(meeting)
    return meeting


def _(text: str) -> str:
    from flask_babel import gettext

    return gettext(text)


@dataclass(frozen=True)
class ItemView:
    """An agenda item as one participant may see it."""

    item: AgendaItem
    label: str
    identified: bool
    can_act: bool  # may apply decisions to the case (sees it through the policy)
    level: int | None
    minutes: bool = True  # may read and write the item's minutes (policy can_read_minutes)


def agenda(meeting: Meeting, user: User, on: date) -> list[ItemView]:
    """The agenda for `user`: identified cases by name and reference; the rest by alias only."""
    views = []
    for item in meeting.items:
        case = item.case
        if case is None:
            views.append(ItemView(item, item.description or _("Anonym drøfting"), False, False, None))
            continue
        shown = is_identified(item, on)
        label = f"{case.child.name} ({case.ref})" if shown else alias(case.child, on)
        views.append(ItemView(item, label, shown, can_act_on_item(user, item, on), case.level,
                              can_read_minutes(user, case, on)))
    return views


def audit_meeting_view(meeting: Meeting, user: User, views: list[ItemView], action: str = "meeting.view") -> None:
    """Reading identified cases in a meeting is reading case data: one audit event per such case (a read,
    committed with the page by tik.audit.service.record_view)."""
    for view in views:
        if view.identified:
            record_view(user, action, view.item.case, detail=f"meeting:{meeting.id}")


@unit_of_work(once_per_form=True)
def add_item(meeting: Meeting, by: User, *, case_ref: str = "", anonymous: bool = False,
             description: str = "") -> AgendaItem:
    """Put a case (one `by` may see) on the agenda, or an anonymous question for advice."""
    case = None
    if case_ref.strip():
        case = db.session.scalar(select(Case).where(Case.ref == case_ref.strip().upper()))
        if case is None or not can_view_case(by, case, today()):
            raise MeetingError("unknown_case")
    elif not description.strip():
        raise MeetingError("description_required")
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id if case else None, anonymous=anonymous,
                      description=description.strip(), brought_by_id=by.id, position=len(meeting.items) + 1)
    db.session.add(item)
    if case is not None:
        record(by, "meeting.agenda", case, detail=f"meeting:{meeting.id}")
    return item


@unit_of_work
def save_minutes(item: AgendaItem, by: User, *, discussion: str, advice: str, decisions: str,
                 expected_version: int | None = None) -> AgendaItem:
    """The minutes of one agenda item; raises StaleEdit if someone else saved them first."""
    check_version(item, expected_version)
    item.discussion, item.advice, item.decisions = discussion.strip(), advice.strip(), decisions.strip()
    if item.case is not None:
        record(by, "meeting.minutes", item.case, detail=f"meeting:{item.meeting_id}")
    return item


def case_to_act_on(item: AgendaItem, by: User) -> Case:
    """The item's case, if `by` may change it from the meeting; MeetingError otherwise."""
    if not can_act_on_item(by, item, today()):
        raise MeetingError("cannot_act")
    return item.case


@unit_of_work
def set_attendance(meeting: Meeting, attended_ids: set[int], extra: tuple[str, str] | None = None) -> None:
    """Record who came; optionally add a participant (e.g. a parent) by name."""
    for p in meeting.participants:
        p.attended = p.id in attended_ids
    if extra and extra[0].strip():
        meeting.participants.append(Participant(name=extra[0].strip(), role=extra[1].strip(), attended=True))
