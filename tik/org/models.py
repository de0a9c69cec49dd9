"""Units: where people work. A case is owned by its stafettholder's unit."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.extensions import db
from tik.municipalities.models import InMunicipality


class Unit(InMunicipality, db.Model):
    """One school, kindergarten, health station, PPT office … within a service (a key in services.yaml)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    service_key: Mapped[str] = mapped_column(String(64), index=True)
    # Whether a person the staff provider signs in, whose token names this unit, gets a new employee account
    # here (the admin allows it per unit); otherwise only existing users matched on issuer + subject.
    sso_signup: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    leader_rows: Mapped[list[UnitLeader]] = relationship(back_populates="unit", cascade="all, delete-orphan")

    @property
    def leader_ids(self) -> set[int]:
        return {row.user_id for row in self.leader_rows}


class UnitLeader(db.Model):
    """A leader of a unit: oversight of the unit's cases (rektor, styrer, leader of a service office)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    unit: Mapped[Unit] = relationship(back_populates="leader_rows")
    user = relationship("User")
    __table_args__ = (UniqueConstraint("unit_id", "user_id"),)
