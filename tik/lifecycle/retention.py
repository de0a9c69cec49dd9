"""Retention: the working copy of a closed case is deleted a set time after closing (the guidebook's
`lifecycle.delete_after_months`), only once an archive print exists and never under a legal hold. What is
left is an anonymised statistics row and the audit trail, which still verifies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select

from tik.audit.service import record, redact_case_events
from tik.cases.models import (
    Case,
    CaseEvent,
    CaseParticipant,
    CaseStatus,
    ChildWelfareReport,
    Consent,
    ConsentService,
    Handover,
)
from tik.clock import local_date, now
from tik.concerns.models import Child, Concern, Guardian, ReportDraft
from tik.extensions import db
from tik.guidebook import current_guide, guide_of
from tik.lifecycle.models import ArchivePrint, CaseStatistic, ExportWithholding
from tik.meetings.models import AgendaItem, Meeting, Participant
from tik.plans.models import Evaluation, Measure, Plan, PlanRevision


@dataclass(frozen=True)
class Candidate:
    """A closed case and what retention does with it: `delete`, or why not."""

    case_id: int
    ref: str
    closed_on: date
    due_on: date
    action: str  # delete | legal_hold | no_archive_print | not_due

    @property
    def deletes(self) -> bool:
        return self.action == "delete"


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(closed_at: datetime) -> date:
    """The day a case closed at `closed_at` is deleted."""
    return add_months(local_date(closed_at), current_guide().lifecycle.delete_after_months)


def plan_retention(on: date) -> list[Candidate]:
    """Every closed case with what retention would do with it on `on`, and why."""
    printed = select(ArchivePrint.case_id)
    rows = db.session.execute(
        select(Case.id, Case.ref, Case.closed_at, Case.legal_hold, Case.id.in_(printed))
        .where(Case.status == CaseStatus.CLOSED, Case.closed_at.is_not(None)).order_by(Case.closed_at)).all()
    found = []
    for case_id, ref, closed_at, hold, has_print in rows:
        due = due_on(closed_at)
        action = ("not_due" if on < due else "legal_hold" if hold else "no_archive_print" if not has_print
                  else "delete")
        found.append(Candidate(case_id, ref, local_date(closed_at), due, action))
    return found


def run_retention(on: date, dry_run: bool = False) -> list[Candidate]:
    """Delete each due case (one transaction each); with `dry_run` only say what would go and why."""
    candidates = plan_retention(on)
    if not dry_run:
        for candidate in candidates:
            if candidate.deletes:
                delete_case(db.session.get(Case, candidate.case_id), reason=f"retention:{candidate.due_on}")
    return candidates


def statistics_row(case: Case) -> CaseStatistic:
    """What the case leaves for statistics: nothing that points to the child."""
    from tik.lifecycle.service import closing_facts
    from tik.stats.refresh import age_group_of  # the same age groups as the statistics summary

    plan_ids = select(Plan.id).where(Plan.case_id == case.id)
    services = set(db.session.scalars(select(Measure.service_key).where(Measure.plan_id.in_(plan_ids))))
    services |= set(db.session.scalars(select(ConsentService.service_key).join(Consent)
                                       .where(Consent.case_id == case.id)))
    reached = db.session.scalar(select(func.max(CaseEvent.level)).where(CaseEvent.case_id == case.id))
    closed = case.closed_at or now()
    months = (closed.year - case.opened_at.year) * 12 + closed.month - case.opened_at.month
    return CaseStatistic(year_opened=case.opened_at.year, year_closed=closed.year, months_open=max(months, 0),
                         level_reached=max(reached or 0, case.level),
                         age_group=age_group_of(guide_of(case), case.child.age_on(local_date(case.opened_at))),
                         owning_service=case.owning_service, services=sorted(services), end_key=case.end_key or "",
                         end_reason=closing_facts(case).get("end_reason", ""), deleted_at=now())


def delete_case(case: Case, reason: str, by=None) -> CaseStatistic:
    """Delete a closed case's working copy in one transaction: its content, and the child and the guardians
    when no other case of the child remains. Keeps an anonymised statistics row; audited. Refuses (ValueError)
    an open case, a case under legal hold, and a case without an archive print."""
    if case.is_open:
        raise ValueError(f"{case.ref} is open")
    if case.legal_hold:
        raise ValueError(f"{case.ref} is under legal hold")
    if db.session.scalar(select(ArchivePrint.id).where(ArchivePrint.case_id == case.id).limit(1)) is None:
        raise ValueError(f"{case.ref} has no archive print")
    stats = statistics_row(case)
    db.session.add(stats)
    child_id = case.child_id
    plan_ids = select(Plan.id).where(Plan.case_id == case.id)
    measure_ids = select(Measure.id).where(Measure.plan_id.in_(plan_ids))
    network = select(Meeting.id).where(Meeting.case_id == case.id)
    consent_ids = select(Consent.id).where(Consent.case_id == case.id)
    for statement in (
        delete(Evaluation).where(Evaluation.measure_id.in_(measure_ids)),
        delete(Measure).where(Measure.plan_id.in_(plan_ids)),
        delete(PlanRevision).where(PlanRevision.plan_id.in_(plan_ids)),
        delete(Plan).where(Plan.case_id == case.id),
        delete(AgendaItem).where(or_(AgendaItem.case_id == case.id, AgendaItem.meeting_id.in_(network))),
        delete(Participant).where(Participant.meeting_id.in_(network)),
        delete(Meeting).where(Meeting.case_id == case.id),
        delete(ConsentService).where(ConsentService.consent_id.in_(consent_ids)),
        delete(Consent).where(Consent.case_id == case.id),
        delete(Handover).where(Handover.case_id == case.id),
        delete(CaseParticipant).where(CaseParticipant.case_id == case.id),
        delete(ExportWithholding).where(ExportWithholding.case_id == case.id),
        delete(CaseEvent).where(CaseEvent.case_id == case.id),
        delete(Concern).where(Concern.case_id == case.id),
        delete(ReportDraft).where(ReportDraft.case_id == case.id),
        delete(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id),
        delete(ArchivePrint).where(ArchivePrint.case_id == case.id),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    record(by, "retention.delete", case, detail=reason)
    # The case's audit events keep their keyed digests (the chain verifies) but lose their bodies.
    redact_case_events(case.id, by)
    # A later case of the same child keeps `previous_ref`: the reference is where the archive holds this one.
    db.session.execute(delete(Case).where(Case.id == case.id), execution_options={"synchronize_session": False})
    if db.session.scalar(select(Case.id).where(Case.child_id == child_id).limit(1)) is None:
        db.session.execute(delete(Guardian).where(Guardian.child_id == child_id),
                           execution_options={"synchronize_session": False})
        db.session.execute(delete(Child).where(Child.id == child_id), execution_options={"synchronize_session": False})
    db.session.commit()
    db.session.refresh(stats)  # (the deleted rows' objects are expired: touching one raises ObjectDeletedError)
    return stats
