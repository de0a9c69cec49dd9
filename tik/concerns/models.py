"""The child, the guardians, the concern, and the report draft kept apart from the family."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, LargeBinary, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db
from tik.guides.model import age_on
from tik.municipalities.models import InMunicipality


class Urgency(enum.StrEnum):
    NONE = "none"
    ACUTE = "acute"  # acute danger: the emergency routine
    SUSPICION = "suspicion"  # suspicion of violence, abuse or serious neglect: report to child welfare


def name_key(name: str) -> str:
    """How a name is searched: trimmed and lower-cased."""
    return " ".join(name.split()).lower()


class Child(InMunicipality, db.Model):
    """A child or young person (0–24). The national id is only stored encrypted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    # Lower-case copies, indexed: search by the start of a name without scanning every child.
    first_name_key: Mapped[str] = mapped_column(String(120), index=True, default=lambda ctx: name_key(
        ctx.get_current_parameters()["first_name"]))
    last_name_key: Mapped[str] = mapped_column(String(120), index=True, default=lambda ctx: name_key(
        ctx.get_current_parameters()["last_name"]))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    gender: Mapped[str] = mapped_column(String(16), default="")  # girl | boy | other | ""
    nin_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    nin_lookup: Mapped[str | None] = mapped_column(String(64), index=True)  # keyed hash for lookup
    school: Mapped[str] = mapped_column(String(200), default="")  # school or kindergarten
    class_name: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    guardians: Mapped[list[Guardian]] = relationship(back_populates="child", order_by="Guardian.id",
                                                     cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        """Whole years of age on `day`."""
        return age_on(self.birth_date, day)


class Guardian(db.Model):
    """A parent or other guardian, with the language they read."""

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(8), default="nb")
    # KS Fiks "offentlig bekymringsmelding": was the guardian told, and if not, why.
    informed: Mapped[bool | None] = mapped_column()
    not_informed_reason: Mapped[str] = mapped_column(Text, default="")
    # Optional national id, encrypted like the child's, and its keyed hash: how a guardian signing in with
    # ID-porten (the `pid` claim) finds their children on "Min familie". Without parental responsibility
    # they see nothing there.
    nin_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    nin_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    responsibility: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    child: Mapped[Child] = relationship(back_populates="guardians")


class Concern(db.Model):
    """What a worried adult saw or heard, registered in under two minutes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    service_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    observation: Mapped[str] = mapped_column(Text)
    since_when: Mapped[str] = mapped_column(String(200), default="")
    how_often: Mapped[str] = mapped_column(String(200), default="")
    who_knows: Mapped[str] = mapped_column(Text, default="")
    signals: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgency: Mapped[Urgency] = mapped_column(default=Urgency.NONE)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    reported_by = relationship("User")


class ReportDraft(db.Model):
    """A draft report to child welfare. Never part of anything the family sees."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    text: Mapped[str] = mapped_column(Text)
    parents_informed: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
