"""The report to child welfare: its record opened by a decision, what KS Fiks asks about it, the feedback
from child welfare and its reminder, whether the other participants are told, and the open suspicion path
the family's export leaves out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, union

from tik.audit.service import record
from tik.auth.models import User
from tik.auth.policy import visible_cases
from tik.cases.models import Case, ChildWelfareReport, EventKind
from tik.cases.suspicion import enter_waiting
from tik.clock import today
from tik.concerns.models import Concern, ReportDraft, Urgency
from tik.db import unit_of_work
from tik.errors import DomainError
from tik.extensions import db
from tik.guidebook import guide_of
from tik.guides.model import Decision
from tik.timeline.service import log

SUSPICION = "suspicion"  # why_not code: on the suspicion path the parents are not informed first
SENT_HOW = ("ks-fiks", "paper", "phone", "other")


def start_report(case: Case, decision: Decision, by: User) -> ChildWelfareReport:
    """A decision that ends in a report opens its record. On the suspicion path (the hard stop) every guardian
    defaults to "not informed" with the reason; otherwise whether they were informed is still to be answered."""
    suspicion = decision.hard_stop and not decision.inform_parents
    staff = guide_of(case).staff_languages  # a guardian of another language needs an interpreter
    draft = db.session.scalar(select(ReportDraft).where(ReportDraft.case_id == case.id)
                              .order_by(ReportDraft.id.desc()).limit(1))
    report = ChildWelfareReport(
        case_id=case.id, created_by_id=by.id, hard_stop=suspicion, text=draft.text if draft else "",
        guardians=[{"guardian_id": g.id, "name": g.name, "informed": False if suspicion else None,
                    "why_not": SUSPICION if suspicion else ""} for g in case.child.guardians],
        interpreter_needed=any(g.language not in staff for g in case.child.guardians),
        interpreter_language=", ".join(sorted({g.language for g in case.child.guardians if g.language not in staff})))
    db.session.add(report)
    db.session.flush()
    return report


class ReportError(DomainError):
    """The report's record is refused as filled in; `code` says why."""


@dataclass
class GuardianInformed:
    guardian_id: int
    informed: bool
    why_not: str = ""


@unit_of_work
def complete_report(report: ChildWelfareReport, by: User, *, guardians: list[GuardianInformed],
                    child_told: bool, child_not_told_reason: str, interpreter_needed: bool,
                    interpreter_language: str, sent_on: date, sent_how: str, text: str) -> ChildWelfareReport:
    """Record what KS Fiks asks about the report; the reminder to ask for feedback follows from the guide."""
    if sent_how not in SENT_HOW or sent_how not in guide_of(report.case).report.channels:
        raise ReportError("sent_how")
    if sent_on > today():
        raise ReportError("sent_in_future")
    by_id = {g.guardian_id: g for g in guardians}
    rows = []
    for row in report.guardians:
        given = by_id.get(row["guardian_id"])
        if given is None:
            raise ReportError("guardian_missing")
        if not given.informed and not given.why_not.strip():
            raise ReportError("why_not_required")
        rows.append({**row, "informed": given.informed, "why_not": "" if given.informed else given.why_not.strip()})
    if not child_told and not child_not_told_reason.strip():
        raise ReportError("child_reason_required")
    report.guardians = rows
    report.child_told, report.child_not_told_reason = child_told, child_not_told_reason.strip()
    report.interpreter_needed, report.interpreter_language = interpreter_needed, interpreter_language.strip()
    report.sent_on, report.sent_how, report.text = sent_on, sent_how, text.strip()
    report.feedback_due = sent_on + timedelta(days=guide_of(report.case).report_feedback_days)
    if any(r["informed"] is False for r in rows):  # a guardian not informed: the suspicion path's state
        enter_waiting(report.case, by, "report")
    log(report.case, EventKind.REPORT, by, action="sent", report_id=report.id, sent_on=sent_on.isoformat(),
        sent_how=sent_how, informed={r["name"]: r["informed"] for r in rows}, child_told=child_told,
        feedback_due=report.feedback_due.isoformat())
    record(by, "report.complete", report.case)
    return report


@unit_of_work
def feedback_received(report: ChildWelfareReport, by: User, on: date) -> None:
    report.feedback_received_on = on
    log(report.case, EventKind.REPORT, by, action="feedback_received", report_id=report.id, on=on.isoformat())
    record(by, "report.feedback", report.case)


@unit_of_work
def tell_participants(report: ChildWelfareReport, by: User, told: bool) -> None:
    """The holder's choice: the case's other participants see "a report was sent on <date>", or nothing."""
    report.participants_told = told
    log(report.case, EventKind.REPORT, by, action="told" if told else "untold", report_id=report.id)
    record(by, "report.tell", report.case)


def on_suspicion_path(case: Case) -> bool:
    """Whether `case` is on an open suspicion path, for the family's export: while it waits for child welfare
    (tik.cases.suspicion), and also — the safer side — while a report the guardians were not all told of, or a
    concern registered as a suspicion, has no feedback from child welfare recorded on the report."""
    if case.waiting_since is not None:
        return True
    reports = reports_of(case)
    if any(r.feedback_received_on is None and (r.hard_stop or any(g.get("informed") is not True
                                                                  for g in r.guardians)) for r in reports):
        return True
    suspicion = db.session.scalar(select(Concern.id).where(Concern.case_id == case.id,
                                                           Concern.urgency == Urgency.SUSPICION).limit(1))
    return suspicion is not None and not any(r.feedback_received_on for r in reports)


def reports_of(case: Case) -> list[ChildWelfareReport]:
    return list(db.session.scalars(select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id)
                                   .order_by(ChildWelfareReport.id.desc())))


def feedback_reminders(user: User, on: date, within: timedelta = timedelta(days=7)) -> list[ChildWelfareReport]:
    """Reports the user sent (or on cases they hold) whose feedback from child welfare is due to be asked for.
    The cases are found from the user's side first (both indexed): the OR alone made SQLite read every case."""
    theirs = union(select(Case.id).where(Case.coordinator_id == user.id),
                   select(ChildWelfareReport.case_id).where(ChildWelfareReport.created_by_id == user.id))
    query = (select(ChildWelfareReport).join(Case, Case.id == ChildWelfareReport.case_id)
             .where(Case.id.in_(theirs), ChildWelfareReport.feedback_received_on.is_(None),
                    ChildWelfareReport.feedback_due.is_not(None),
                    ChildWelfareReport.feedback_due <= on + within, visible_cases(user, on),
                    (ChildWelfareReport.created_by_id == user.id) | (Case.coordinator_id == user.id))
             .order_by(ChildWelfareReport.feedback_due))
    return list(db.session.scalars(query))
