"""The municipalities of the install, the units shared between several, and the column that scopes a row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tik.clock import now
from tik.extensions import db


class MunicipalityRow(db.Model):
    """One municipality served by the install (synced from municipalities.yaml; tik/municipalities)."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="NO")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class UnitMunicipality(db.Model):
    """An inter-municipal unit (a youth centre of two municipalities) belongs also to these municipalities:
    its staff sign in at each and work on a case there as participants invited under consent."""

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), primary_key=True, index=True)


class InMunicipality:
    """A row that belongs to one municipality: set from the scope when written (never from user input), and
    every query of the class is filtered to the scope's municipality (tik/municipalities/scope.py)."""

    @declared_attr
    def municipality_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy's declared_attr takes the class
        return mapped_column(ForeignKey("municipality.id"), index=True)
