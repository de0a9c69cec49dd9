"""Double-submitted forms create one record: each create-form carries a key that can be used once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db


class UsedFormKey(db.Model):
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime, default=now)


def claim(key: str | None) -> bool:
    """True the first time `key` is seen (the claim commits with the caller's transaction)."""
    if not key:
        return True
    if db.session.scalar(select(UsedFormKey.key).where(UsedFormKey.key == key[:64])):
        return False
    db.session.add(UsedFormKey(key=key[:64]))
    return True
