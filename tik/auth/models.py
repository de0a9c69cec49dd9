"""Users: people who work for a service in the municipality."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    COORDINATOR = "coordinator"
    TEAM = "team"
    LEADER = "leader"
    ANALYST = "analyst"  # the municipality's anonymised statistics, never a case
    ADMIN = "admin"
    YOUTH_OPERATOR = "youth_operator"  # a trained young person answering the youth door (tik/youth); no case
    YOUTH_PROFESSIONAL = "youth_professional"  # the professional on duty at the youth door (tik/youth)
    PLATFORM_ADMIN = "platform_admin"  # adds municipalities to the install (tik/municipalities); no content of any


class User(UserMixin, InMunicipality, db.Model):
    """A member of staff. Belongs to one unit (and so to its service) and has roles."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    service_key: Mapped[str] = mapped_column(String(64), index=True)  # the unit's service, kept for the audit
    roles_text: Mapped[str] = mapped_column("roles", String(200), default=Role.EMPLOYEE.value)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="nb")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # No longer read: sessions are rows in user_session (tik/auth/sessions.py), revoked one by one.
    session_epoch: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # For single sign-on later (ID-porten, Feide, Entra ID through Authlib): issuer + subject.
    external_issuer: Mapped[str | None] = mapped_column(String(200))
    external_subject: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # The second factor (tik/auth/mfa.py): the TOTP secret encrypted, when it was confirmed, the last time
    # step used (a code is accepted once).
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    unit = relationship("Unit", foreign_keys=[unit_id])

    @property
    def roles(self) -> set[Role]:
        return {Role(r) for r in self.roles_text.split(",") if r}

    @roles.setter
    def roles(self, roles: set[Role] | list[Role]) -> None:
        self.roles_text = ",".join(sorted(Role(r).value for r in roles))

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The token of the server-side session this request runs in (set at login and by the loader).
    session_token = None

    def get_id(self) -> str:
        """What Flask-Login keeps in the signed cookie: the session's random token, never the user id."""
        return self.session_token or ""
