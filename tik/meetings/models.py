"""Teams, meetings, who took part, and the agenda with minutes per case."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tik.clock import now
from tik.extensions import db
from tik.municipalities.models import InMunicipality


class Team(InMunicipality, db.Model):
    """An interdisciplinary team (TIK-team) for a school area, with members from several services. Its name is
    unique within its municipality (two municipalities may each have a "TIK-team Sentrum")."""

    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200), default="")

    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class TeamMember(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)


class MeetingKind(enum.StrEnum):
    TEAM = "team"  # the interdisciplinary team: cases anonymised unless consent covers the team
    NETWORK = "network"  # ansvarsgruppe / cooperation meeting about one case, with the family


class Meeting(InMunicipality, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(default=MeetingKind.TEAM)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)  # network meetings
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    team: Mapped[Team | None] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(back_populates="meeting", order_by="AgendaItem.position",
                                                   cascade="all, delete-orphan")
    participants: Mapped[list[Participant]] = relationship(back_populates="meeting", order_by="Participant.id",
                                                           cascade="all, delete-orphan")


class Participant(db.Model):
    """Someone at the meeting: staff (user) or the family and others (by name), and whether they came."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(120), default="")
    attended: Mapped[bool | None] = mapped_column(Boolean)

    meeting: Mapped[Meeting] = relationship(back_populates="participants")


class AgendaItem(db.Model):
    """A case on the agenda (or an anonymous question for advice, 'drøfting'), with its minutes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)  # brought purely anonymously for advice
    description: Mapped[str] = mapped_column(Text, default="")  # for drøfting: e.g. "Jente, 8 år, 3. trinn"
    brought_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    discussion: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    case = relationship("Case")
    __mapper_args__ = {"version_id_col": version}
