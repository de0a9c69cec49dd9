"""The case, its timeline (stafettlogg), its consents and the guide version it was opened under."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EventKind(enum.StrEnum):
    CONCERN = "concern"
    STEP = "step"
    DECISION = "decision"
    CONVERSATION = "conversation"
    LEVEL = "level"
    CONSENT = "consent"
    PLAN = "plan"
    HANDOVER = "handover"
    PARTICIPANT = "participant"
    REPORT = "report"
    DETAILS = "details"  # a change to the child's or the guardians' details: old and new value
    FEEDBACK = "feedback"  # the unit leader's feedback to the reporter (no sensitive details)
    EMERGENCY = "emergency"
    CLOSED = "closed"
    REOPENED = "reopened"  # the case's life (tik/lifecycle): reopening, archive print, restriction, legal hold
    ARCHIVED = "archived"
    RESTRICTED = "restricted"
    LEGAL_HOLD = "legal_hold"
    FAMILY = "family"  # the child's or the guardians' own words before a meeting ("Min familie")


class WaitingForChildWelfare(Exception):
    """Something that faces the family was asked for while the case waits for child welfare
    (tik/cases/suspicion.py); args[0] is the case's reference."""

    code = "waiting_for_child_welfare"


class CaseCounter(InMunicipality, db.Model):
    """The last reference number used in a year: TIK-YYYY-NNNN is taken under this row's lock."""

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), primary_key=True)  # a series each
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(InMunicipality, db.Model):
    """One child's case, from concern to closing, held by one stafettholder at a time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=0, index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[CaseStatus] = mapped_column(default=CaseStatus.OPEN, index=True)
    end_key: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # the stafettholder
    owning_service: Mapped[str] = mapped_column(String(64), index=True)  # the holder's unit's service
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)  # the holder's unit
    guide_digest: Mapped[str] = mapped_column(ForeignKey("guide_snapshot.digest"))  # tik/guidebook.py
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    step_since: Mapped[datetime] = mapped_column(DateTime, default=now)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    restricted: Mapped[bool] = mapped_column(default=False)  # GDPR Art. 18: holder and unit leader only, frozen
    legal_hold: Mapped[bool] = mapped_column(default=False)  # retention never deletes it while set
    previous_ref: Mapped[str] = mapped_column(String(20), default="")  # the child's earlier, closed case
    # The suspicion path (docs/family-and-suspicion.md): since when the case waits for child welfare's answer
    # (nothing faces the family meanwhile), and from which day staff recorded that the family was told.
    waiting_since: Mapped[datetime | None] = mapped_column(DateTime)
    family_told_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    child = relationship("Child")
    coordinator = relationship("User", foreign_keys=[coordinator_id])
    unit = relationship("Unit")
    consents: Mapped[list[Consent]] = relationship(back_populates="case", order_by="Consent.id")
    participants: Mapped[list[CaseParticipant]] = relationship(order_by="CaseParticipant.id")
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    def refuse_if_waiting(self) -> None:
        """Raise WaitingForChildWelfare while the case waits for child welfare (the suspicion path)."""
        if self.waiting_since is not None:
            raise WaitingForChildWelfare(self.ref)

    def mark_family_told(self, on: date) -> None:
        """Staff recorded that the family was told (kept from the first time; never while waiting)."""
        if self.family_told_on is None and self.waiting_since is None:
            self.family_told_on = on


class CaseParticipant(db.Model):
    """A named person the stafettholder has invited into the case. Removal ends the person's access."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    removed_reason: Mapped[str] = mapped_column(String(64), default="")

    user = relationship("User", foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.removed_at is None


class CaseEvent(db.Model):
    """One entry in the stafettlogg: append-only, newest shown first."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[EventKind] = mapped_column()
    step_id: Mapped[str] = mapped_column(String(64), default="")
    decision: Mapped[str] = mapped_column(String(64), default="")
    level: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    by = relationship("User")

    # Events of one kind, newest first, without reading the whole log: "Min side" asks for the feedback events
    # (a few in a municipality's log of millions); without it PostgreSQL read every event (issue 29).
    __table_args__ = (Index("ix_case_event_kind_at", "kind", "at"),)


class ConsentForm(enum.StrEnum):
    PAPER = "paper"
    DIGITAL = "digital"
    ORAL = "oral"


class Consent(db.Model):
    """Permission from the guardians (and the young person from the consent age) to share with services."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    given_by: Mapped[str] = mapped_column(String(300))
    young_person: Mapped[bool] = mapped_column(default=False)
    information: Mapped[str] = mapped_column(Text, default="")  # what kinds of information
    purpose: Mapped[str] = mapped_column(Text)
    form: Mapped[ConsentForm] = mapped_column()
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    # When TIK ended what hung on it after it expired (tik.cases.consent.settle_expired): done once.
    expired_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The member of staff who recorded it; none when the family gave it digitally on "Min familie".
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    exclusions: Mapped[str] = mapped_column(Text, default="")  # what the family said must not be shared

    case: Mapped[Case] = relationship(back_populates="consents")
    service_rows: Mapped[list[ConsentService]] = relationship(cascade="all, delete-orphan",
                                                              order_by="ConsentService.id")

    @property
    def services(self) -> list[str]:
        return [row.service_key for row in self.service_rows]

    @services.setter
    def services(self, keys: list[str]) -> None:
        self.service_rows = [ConsentService(service_key=k) for k in dict.fromkeys(keys)]

    def kinds_for(self, service_key: str) -> list[str] | None:
        """The kinds of information this consent covers for `service_key` (None: all; [] when not named)."""
        row = next((r for r in self.service_rows if r.service_key == service_key), None)
        return [] if row is None else row.kinds

    def is_active(self, on: date) -> bool:
        return self.withdrawn_at is None and self.expired_at is None and self.given_on <= on <= self.expires_on


class ConsentService(db.Model):
    """A service a consent covers (a row each, so access can be checked in SQL)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id"), index=True)
    service_key: Mapped[str] = mapped_column(String(64), index=True)
    # The kinds of information (sharing.yaml) the consent covers for this service; None: recorded before
    # consents named kinds, and read as covering all of them.
    kinds: Mapped[list | None] = mapped_column(JSON)


class HandoverStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# A handover's note when TIK proposes it because the holder was deactivated (the page says so in words).
HOLDER_DEACTIVATED = "deactivated"


class Handover(db.Model):
    """A proposed baton handover; the case changes holder only when the proposed person accepts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    family_wish: Mapped[str] = mapped_column(Text, default="")  # what the family wants of the new holder
    measures_scope: Mapped[str] = mapped_column(Text, default="")  # which measures the new holder takes on
    status: Mapped[HandoverStatus] = mapped_column(default=HandoverStatus.PENDING, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    case: Mapped[Case] = relationship()
    to_user = relationship("User", foreign_keys=[to_id])

    @property
    def holder_deactivated(self) -> bool:
        """Proposed by TIK because the holder was deactivated (tik.cases.handover.hand_to_leader)."""
        return self.note == HOLDER_DEACTIVATED


class ChildWelfareReport(db.Model):
    """A report to child welfare, with what KS Fiks "bekymringsmelding" v2 asks about it: per guardian whether
    they were informed and why not, whether the child was told, interpreter need, and when and how it was sent.
    Internal: never part of anything the family sees."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    hard_stop: Mapped[bool] = mapped_column(default=False)  # the suspicion path: parents not informed first
    # [{"guardian_id": 1, "name": "…", "informed": true|false|null, "why_not": "…"}]
    guardians: Mapped[list] = mapped_column(JSON, default=list)
    child_told: Mapped[bool | None] = mapped_column()
    child_not_told_reason: Mapped[str] = mapped_column(Text, default="")
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_how: Mapped[str] = mapped_column(String(40), default="")  # ks-fiks | paper | phone | other
    feedback_due: Mapped[date | None] = mapped_column(Date, index=True)
    feedback_received_on: Mapped[date | None] = mapped_column(Date)
    # The holder chose to tell the case's other participants that a report was sent, and when (never what).
    participants_told: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship()
    created_by = relationship("User")
