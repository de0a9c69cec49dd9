"""Double-submitted forms create one record: each create-form carries a key that can be used once.

Service functions claim the key through `tik.db.unit_of_work(once_per_form=...)`, in their own transaction;
nothing else claims keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db


class UsedFormKey(db.Model):
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime, default=now)


def claim(key: str | None) -> bool:
    """True the first time `key` is seen (the claim commits with the caller's transaction).

    Two submissions at once (a double click) both reach here: the second one's insert waits for the first
    transaction and then finds the key taken, so it too answers False instead of failing.
    """
    if not key:
        return True
    key = key[:64]
    if db.session.get(UsedFormKey, key) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(UsedFormKey(key=key))
    except IntegrityError:
        return False
    return True
