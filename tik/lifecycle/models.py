"""What the case's life leaves behind: archive prints, and the anonymised statistics row that outlives it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class ArchivePrint(db.Model):
    """One archive print of a whole case (PDF/A + metadata in a zip). Retention needs one before deleting."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    printed_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the PDF/A document
    size: Mapped[int] = mapped_column(Integer)


class CaseStatistic(InMunicipality, db.Model):
    """An anonymised row kept when retention deletes a case: nothing in it points to a child."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year_opened: Mapped[int] = mapped_column(Integer, index=True)
    year_closed: Mapped[int] = mapped_column(Integer, index=True)
    months_open: Mapped[int] = mapped_column(Integer)
    level_reached: Mapped[int] = mapped_column(Integer)
    age_group: Mapped[str] = mapped_column(String(16))  # the guidebook's age group key, at opening
    owning_service: Mapped[str] = mapped_column(String(64))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)  # services with a measure or a consent
    end_key: Mapped[str] = mapped_column(String(64), default="")
    end_reason: Mapped[str] = mapped_column(String(64), default="")  # the close-note's reason key
    deleted_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ExportWithholding(db.Model):
    """A timeline entry the holder withholds from the family's right-of-access export, with the reason and a
    legal ground from the guidebook (sharing.yaml: withholding_grounds). The export says that, and on which
    ground, something was withheld."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_event.id"), unique=True)
    ground: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
