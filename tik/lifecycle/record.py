"""Everything TIK holds about a case, as plain rows per table: the archive print and the Art. 15 export
both read it from here, so what one contains the other contains."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select

from tik.audit.models import AuditEvent
from tik.auth.models import User
from tik.cases.models import Case, CaseEvent, CaseParticipant, ChildWelfareReport, Consent, Handover
from tik.concerns.models import Child, Concern, ReportDraft
from tik.extensions import db
from tik.lifecycle.models import ArchivePrint
from tik.meetings.models import AgendaItem, Meeting, Participant
from tik.plans.models import Evaluation, Measure, Plan, PlanRevision

SKIPPED = {"nin_encrypted", "nin_lookup", "first_name_key", "last_name_key", "idempotency_key"}


def plain(value: Any) -> Any:
    """A JSON-ready copy of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def row(obj) -> dict[str, Any]:
    """One database row as a dict of its columns (never the encrypted national id or lookup keys)."""
    return {c.key: plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in SKIPPED}


def child_rows(child: Child) -> dict[str, Any]:
    """The child and the guardians; the national id decrypted (it is the family's own data)."""
    from tik.crypto import decrypt

    data = row(child)
    data["national_id"] = decrypt(child.nin_encrypted) if child.nin_encrypted else ""
    return {"child": data, "guardian": [row(g) for g in child.guardians]}


def case_rows(case: Case) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that belongs to `case`, oldest first, keyed by table name."""
    def rows(query) -> list[dict[str, Any]]:
        return [row(o) for o in db.session.scalars(query)]

    plan_ids = select(Plan.id).where(Plan.case_id == case.id)
    measure_ids = select(Measure.id).where(Measure.plan_id.in_(plan_ids))
    meeting_ids = select(AgendaItem.meeting_id).where(AgendaItem.case_id == case.id)
    meetings = or_(Meeting.case_id == case.id, Meeting.id.in_(meeting_ids))
    consents = db.session.scalars(select(Consent).where(Consent.case_id == case.id).order_by(Consent.id)).all()
    return {
        "case": [row(case)],
        "concern": rows(select(Concern).where(Concern.case_id == case.id).order_by(Concern.id)),
        "case_event": rows(select(CaseEvent).where(CaseEvent.case_id == case.id)
                           .order_by(CaseEvent.at, CaseEvent.id)),
        "consent": [row(c) | {"services": c.services} for c in consents],
        "consent_service": [row(s) for c in consents for s in c.service_rows],
        "handover": rows(select(Handover).where(Handover.case_id == case.id).order_by(Handover.id)),
        "case_participant": rows(select(CaseParticipant).where(CaseParticipant.case_id == case.id)
                                 .order_by(CaseParticipant.id)),
        "plan": rows(select(Plan).where(Plan.case_id == case.id)),
        "measure": rows(select(Measure).where(Measure.plan_id.in_(plan_ids)).order_by(Measure.id)),
        "evaluation": rows(select(Evaluation).where(Evaluation.measure_id.in_(measure_ids))
                           .order_by(Evaluation.id)),
        "plan_revision": rows(select(PlanRevision).where(PlanRevision.plan_id.in_(plan_ids))
                              .order_by(PlanRevision.number)),
        "meeting": rows(select(Meeting).where(meetings).order_by(Meeting.starts_at)),
        # A team meeting's other items are other children's: only this case's items, and only a network
        # meeting's participants (the family and the services around this one child).
        "agenda_item": rows(select(AgendaItem).where(AgendaItem.case_id == case.id).order_by(AgendaItem.id)),
        "meeting_participant": rows(select(Participant).join(Meeting, Meeting.id == Participant.meeting_id)
                                    .where(Meeting.case_id == case.id).order_by(Participant.id)),
        "report_draft": rows(select(ReportDraft).where(ReportDraft.case_id == case.id).order_by(ReportDraft.id)),
        "child_welfare_report": rows(select(ChildWelfareReport).where(ChildWelfareReport.case_id == case.id)
                                     .order_by(ChildWelfareReport.id)),
        "archive_print": rows(select(ArchivePrint).where(ArchivePrint.case_id == case.id).order_by(ArchivePrint.id)),
        "audit_event": rows(select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)),
    }


def people(rows: dict[str, list[dict[str, Any]]]) -> dict[int, User]:
    """The users the rows name (by, holders, authors …), to print names instead of numbers."""
    ids = {v for table in rows.values() for r in table for k, v in r.items()
           if k.endswith(("by_id", "_user_id")) or k in ("user_id", "coordinator_id", "from_id", "to_id",
                                                          "responsible_id", "reported_by_id", "created_by_id")}
    ids.discard(None)
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
