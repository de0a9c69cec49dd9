"""The audit trail: append-only; each event is written unsealed with its action and its own MAC, then sealed
into a keyed hash chain by the sequencer (tik.audit.service.seal), which links only events whose MAC holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db


class AuditEvent(db.Model):
    """Who did what to which case, when and from where. Never updated except by sealing and redaction."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The municipality the event happened in (tik/municipalities). The chain is the install's, one sequence across
    # every municipality, so events are not held to a scope: the audit pages filter by this column.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    service_key: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    case_ref: Mapped[str] = mapped_column(String(32), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    # The chain: NULL while the event is written but not yet sealed (a request never waits for the chain).
    seq: Mapped[int | None] = mapped_column(Integer, unique=True, index=True)  # 1, 2, 3 … in sealing order
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))  # HMAC over the row, body_digest and prev_hash
    # Keyed digest of the body (case_ref, detail): what the hash covers, so the body can be redacted later.
    body_digest: Mapped[str | None] = mapped_column(String(64))
    # Keyed tombstone set by redact_case_events: the body was removed on purpose, by someone with the key.
    redacted: Mapped[str | None] = mapped_column(String(64))
    # Written with the event, by the app: a random nonce and an HMAC (audit key) over the event's content and the
    # nonce. A row inserted without the key has no MAC that holds, so the sequencer never links it. NULL on rows
    # sealed before the MAC existed (legacy: their chain hash, also keyed, vouches for them).
    nonce: Mapped[str | None] = mapped_column(String(32))
    mac: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
