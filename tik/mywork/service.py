"""What each user should do today, the reminders about it, and a calendar of meetings and evaluations."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from icalendar import Calendar, Event
from sqlalchemy import exists, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tik.auth.models import User
from tik.auth.policy import visible_cases
from tik.cases.consent import CONSENT_WARNING, expiry_day
from tik.cases.leader_feedback import feedback_for
from tik.cases.models import Case, CaseStatus, Consent, ConsentService, Handover, HandoverStatus
from tik.cases.queries import CaseRow, expiring_consents, held_cases
from tik.cases.reports import feedback_reminders
from tik.clock import now, overdue, today
from tik.dates import local
from tik.extensions import db
from tik.meetings.models import Meeting
from tik.meetings.service import meetings_for
from tik.mywork.models import OutboxMessage
from tik.plans.models import Measure, Plan

EVALUATION_HORIZON = timedelta(days=7)
MEETING_HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class DueEvaluation:
    ref: str
    measure: Measure
    overdue: bool


@dataclass
class Work:
    """The start page: each list is what the user should act on, most urgent first."""

    steps: list[CaseRow] = field(default_factory=list)
    evaluations: list[DueEvaluation] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    report_feedback: list = field(default_factory=list)  # reports whose feedback from child welfare to ask for
    leader_feedback: list = field(default_factory=list)  # (event, ref): my leader's feedback on what I reported

    @property
    def today_count(self) -> int:
        """Items needing action now: overdue or due steps, due evaluations, handovers waiting."""
        due = [r for r in self.steps if r.deadline and r.deadline <= today()]
        return len(due) + len([e for e in self.evaluations if e.overdue or e.measure.evaluate_on <= today()]) + len(
            self.handovers) + len([r for r in self.report_feedback if r.feedback_due <= today()])


def work_for(user: User, on: date | None = None) -> Work:
    on = on or today()
    rows = held_cases(user)
    # The level 0 decision deadline comes first, then the other steps by deadline.
    rows.sort(key=lambda r: (r.deadline is None, r.level != 0, r.deadline or date.max))
    start = datetime.combine(on, datetime.min.time())
    return Work(
        steps=rows,
        evaluations=evaluations_due(user, on),
        meetings=[m for m in meetings_for(user, start=start) if m.starts_at <= start + MEETING_HORIZON],
        handovers=live_handovers_for(user, expiry_day()),
        consents=expiring_consents(user, within=CONSENT_WARNING),
        report_feedback=feedback_reminders(user, on),
        leader_feedback=feedback_for(user),
    )


def live_handovers_for(user: User, on: date) -> list[Handover]:
    """Handovers waiting for `user`'s answer that still hang on something: on an open case of their own unit, or
    one whose consent covers their service on `on`. One that an expired consent ended is not offered, even
    before the nightly `tik consent expire` (or a reading of the case) has ended it on the timeline."""
    covered = exists().where(Consent.case_id == Case.id, Consent.withdrawn_at.is_(None),
                             Consent.expired_at.is_(None), Consent.given_on <= on, Consent.expires_on >= on,
                             ConsentService.consent_id == Consent.id, ConsentService.service_key == user.service_key)
    in_unit = (Case.unit_id == user.unit_id) if user.unit_id is not None else covered
    return list(db.session.scalars(
        select(Handover).join(Case, Case.id == Handover.case_id)
        .where(Handover.to_id == user.id, Handover.status == HandoverStatus.PENDING, Case.status == CaseStatus.OPEN,
               in_unit | covered)
        .options(selectinload(Handover.case)).order_by(Handover.created_at)))


def evaluations_due(user: User, on: date) -> list[DueEvaluation]:
    """Measures to be evaluated within a week (or overdue): in the plans of the cases the user holds, and
    those the user is responsible for as a participant.

    The cases are found from the user's side first (the cases they hold, the measures they answer for, both
    indexed): an OR across the case and the measure would make the database read every open case."""
    theirs = union(select(Case.id).where(Case.coordinator_id == user.id),
                   select(Plan.case_id).join(Measure, Measure.plan_id == Plan.id)
                   .where(Measure.responsible_id == user.id))
    query = (select(Measure, Case.ref).join(Plan, Plan.id == Measure.plan_id).join(Case, Case.id == Plan.case_id)
             .where(Case.id.in_(theirs), Case.status == CaseStatus.OPEN, visible_cases(user, on),
                    (Case.coordinator_id == user.id) | (Measure.responsible_id == user.id),
                    Measure.open_for_evaluation,
                    Measure.evaluate_on <= on + EVALUATION_HORIZON)
             .order_by(Measure.evaluate_on))
    return [DueEvaluation(ref, m, overdue(m.evaluate_on, on)) for m, ref in db.session.execute(query)]


def calendar_for(user: User) -> bytes:
    """An ICS file of the user's meetings and evaluation dates. Titles carry references, never names."""
    cal = Calendar()
    cal.add("prodid", "-//TIK//tidlig innsats//NO")
    cal.add("version", "2.0")
    for meeting in meetings_for(user, start=now() - timedelta(days=30)):
        event = Event()
        event.add("uid", f"tik-meeting-{meeting.id}@tik")
        event.add("summary", f"TIK: {meeting.title}")
        starts = local(meeting.starts_at)  # stored as naive UTC; the file says the municipality's wall-clock time
        event.add("dtstart", starts)
        event.add("dtend", starts + timedelta(hours=1))
        event.add("dtstamp", now())
        if meeting.place:
            event.add("location", meeting.place)
        cal.add_component(event)
    for due in evaluations_due(user, today() + timedelta(days=365)):
        event = Event()
        event.add("uid", f"tik-evaluation-{due.measure.id}-{due.measure.evaluate_on.isoformat()}@tik")
        event.add("summary", f"TIK: evaluering {due.ref}")
        event.add("dtstart", due.measure.evaluate_on)
        event.add("dtstamp", now())
        cal.add_component(event)
    cal.add_missing_timezones()  # the VTIMEZONE the TZID names, so every calendar shows the same hour
    return cal.to_ical()


def queue_reminders(on: date | None = None) -> int:
    """One e-mail per user and day for users with something due. The text holds no personal data."""
    on = on or today()
    queued = 0
    users = db.session.scalars(select(User).where(User.active.is_(True), User.email != "")).all()
    for user in users:
        if work_for(user, on).today_count == 0:
            continue
        if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.user_id == user.id,
                                                            OutboxMessage.for_day == on)):
            continue
        db.session.add(OutboxMessage(user_id=user.id, to_address=user.email, for_day=on,
                                     subject="Du har oppgaver i TIK",
                                     body="Du har oppgaver i TIK. Logg inn for å se dem under «Min side»."))
        try:
            db.session.commit()
            queued += 1
        except IntegrityError:  # another process queued it first
            db.session.rollback()
    return queued


def send_outbox(smtp: dict) -> int:
    """Send queued reminders through SMTP (`TIK_SMTP_*`); returns how many were sent."""
    if not smtp.get("HOST"):
        return 0
    pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                                 .options(selectinload("*"))).all()
    if not pending:
        return 0
    sent = 0
    with smtplib.SMTP(smtp["HOST"], int(smtp.get("PORT") or 25), timeout=10) as server:
        if smtp.get("USER"):
            server.starttls()
            server.login(smtp["USER"], smtp.get("PASSWORD") or "")
        for message in pending:
            mail = EmailMessage()
            mail["From"] = smtp.get("FROM") or "tik@localhost"
            mail["To"] = message.to_address
            mail["Subject"] = message.subject
            mail.set_content(message.body)
            try:
                server.send_message(mail)
                message.sent_at = now()
                sent += 1
            except smtplib.SMTPException as error:
                message.error = type(error).__name__
    db.session.commit()
    return sent
