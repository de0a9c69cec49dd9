"""The youth door's tables: a conversation reached only by its return code, its messages, the operators'
certificates, and the anonymous statistics row that outlives a deleted conversation. No IP address, no name."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class Author(enum.StrEnum):
    YOUNG = "young"
    OPERATOR = "operator"
    PROFESSIONAL = "professional"


class Outcome(enum.StrEnum):
    """What a conversation became (the professional decides with the young person)."""

    OPEN = "open"
    ANSWERED = "answered"  # answered and closed
    TALK = "talk"  # a talk offered
    REFERRAL = "referral"  # referred to a service in the guidebook's directory
    CONCERN = "concern"  # a TIK concern, with the young person's consent: kept with the case
    REPORT = "report"  # the report path (avvergeplikt, opplysningsplikt): kept with the case


KEPT_WITH_CASE = (Outcome.CONCERN, Outcome.REPORT)


class YouthConversation(InMunicipality, db.Model):
    """What a young person wrote and what they were answered. Found by the keyed hash of the return code."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    last_message_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    age_band: Mapped[str] = mapped_column(String(16), default="")
    area: Mapped[str] = mapped_column(String(200), default="")  # school or area, as the young person wrote it
    answer_by: Mapped[str] = mapped_column(String(16), default="here")  # here | call | talk
    topic: Mapped[str] = mapped_column(String(64), default="")
    not_safe: Mapped[bool] = mapped_column(Boolean, default=False)
    risk: Mapped[bool] = mapped_column(Boolean, default=False)  # a risk word was written
    # "Not safe" or a risk word: the professional on duty has it first, and operators' first answers wait.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    first_answer_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[Outcome] = mapped_column(String(16), default=Outcome.OPEN)
    outcome_detail: Mapped[str] = mapped_column(Text, default="")  # the referral's key, the talk offered, the ground
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    rating_words: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Assigned to a named operator: only they (and the professional) answer it. The assignment lapses at
    # `assigned_until` (the promise time from the message they leave unanswered); None while nothing waits.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_until: Mapped[datetime | None] = mapped_column(DateTime)

    # The queue: a unit's open conversations, flagged or not, the longest waiting first (flat however many are kept).
    __table_args__ = (Index("ix_youth_conversation_queue", "unit_id", "outcome", "flagged", "last_message_at"),)

    messages: Mapped[list[YouthMessage]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="YouthMessage.id")

    @property
    def is_open(self) -> bool:
        return self.outcome == Outcome.OPEN


class YouthMessage(db.Model):
    """One message. An operator's message is `held` until a professional approves it (flagged conversations)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("youth_conversation.id", ondelete="CASCADE"), index=True)
    author: Mapped[Author] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    template_key: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    conversation: Mapped[YouthConversation] = relationship(back_populates="messages")

    @property
    def from_young_person(self) -> bool:
        return self.author == Author.YOUNG


class YouthStat(InMunicipality, db.Model):
    """The anonymous statistics of one conversation: kept when the conversation is deleted (the link cleared)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("youth_conversation.id", ondelete="SET NULL"), unique=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM the conversation began
    age_band: Mapped[str] = mapped_column(String(16), default="")
    topic: Mapped[str] = mapped_column(String(64), default="")
    answer_minutes: Mapped[int | None] = mapped_column(Integer)  # to the first answer the young person saw
    within_promise: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16), default=Outcome.OPEN.value)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1–5, "did this help?"


class OperatorCertificate(db.Model):
    """A youth operator's certification, recorded by an admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course: Mapped[str] = mapped_column(String(200))
    certified_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)
