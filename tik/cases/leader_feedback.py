"""The leader's feedback to the one who reported a concern: given by the reporter's own unit leader, read by
the reporter, the holder and the leader who gave it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tik.audit.service import record
from tik.auth.models import User
from tik.cases.models import Case, CaseEvent, EventKind
from tik.concerns.models import Concern
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import guide_of
from tik.timeline.service import log

FEEDBACK_MAX = 600


class FeedbackError(DomainError):
    """The leader's feedback is refused; `code` says why."""


def feedback_reporters(case: Case, leader: User) -> list[User]:
    """The people who reported a concern in `case` whose own unit `leader` leads (the leader gives each of them
    feedback; a leader who reported the concern gives none to themself). Empty for anyone else."""
    from tik.auth.models import User as Person
    from tik.org.models import UnitLeader

    led = select(UnitLeader.unit_id).where(UnitLeader.user_id == leader.id)
    return list(db.session.scalars(
        select(Person).join(Concern, Concern.reported_by_id == Person.id)
        .where(Concern.case_id == case.id, Person.unit_id.in_(led), Person.id != leader.id)
        .order_by(Concern.created_at, Concern.id)).unique())


@unit_of_work
def leader_feedback(case: Case, leader: User, message: str, text: str = "",
                    reporter_id: int | None = None) -> CaseEvent:
    """The reporter's own unit leader records the feedback given to the one who reported a concern: a message
    chosen from the guidebook's list (`leader_feedback`), with a short text of their own only where the
    guidebook allows it, and never sensitive details. Read by the reporter and the holder only (see
    `may_read_feedback`). It is a record, not an approval: nothing here can hold up a report (the duty to
    report is personal). Raises FeedbackError: "not_leader", "feedback_message", "feedback_text"."""
    reporters = feedback_reporters(case, leader)
    reporter = next((r for r in reporters if reporter_id is None or r.id == reporter_id), None)
    if reporter is None:
        raise FeedbackError("not_leader")
    rules = guide_of(case).leader_feedback
    chosen = rules.message(message)
    text = text.strip()
    if (text and not rules.free_text) or (chosen is None and not text):
        raise FeedbackError("feedback_message")
    if len(text) > FEEDBACK_MAX:
        raise FeedbackError("feedback_text")
    event = log(case, EventKind.FEEDBACK, leader, message=chosen.key if chosen else "", text=text,
                message_text=dict(chosen.text.by_lang) if chosen else {}, reporter_id=reporter.id,
                reporter=reporter.name)
    record(leader, "case.leader_feedback", case, detail=reporter.username)
    return event


def may_read_feedback(user: User, case: Case, event: CaseEvent) -> bool:
    """The leader's feedback is read by the reporter it was given to, the holder and the leader who gave it;
    other participants and leaders never see it (not on the page, the log or the staff print)."""
    return event.kind != EventKind.FEEDBACK or user.id in (case.coordinator_id, event.by_id,
                                                           (event.data or {}).get("reporter_id"))


def feedback_for(user: User) -> list[tuple[CaseEvent, str]]:
    """Feedback the user's leader gave them as the reporter of a concern, with the case reference, newest first
    (on "Min side": the reporter may no longer see the case itself)."""
    return list(db.session.execute(
        select(CaseEvent, Case.ref).join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == EventKind.FEEDBACK, CaseEvent.data["reporter_id"].as_integer() == user.id)
        .options(joinedload(CaseEvent.by)).order_by(CaseEvent.at.desc()).limit(10)).tuples())
