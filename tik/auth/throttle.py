"""Failed logins for usernames that do not exist, counted like real accounts' so that the answer after five
failures ("locked") does not tell whether a username exists."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db


class UnknownLoginFailure(db.Model):
    """Failures for one unknown username, kept under a keyed hash: the database never holds the name typed."""

    __tablename__ = "unknown_login_failure"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


def _key(username: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, username.strip().lower().encode(), hashlib.sha256).hexdigest()


def count_unknown_failure(username: str, limit: int, lockout: timedelta) -> None:
    """Count a failed login for an unknown username in the current transaction; lock it at `limit`."""
    row = db.session.get(UnknownLoginFailure, _key(username))
    if row is None:
        row = UnknownLoginFailure(key=_key(username), failures=0)
        db.session.add(row)
    if row.locked_until and row.locked_until > now():
        return
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now() + lockout
        row.failures = 0


def unknown_is_locked(username: str) -> bool:
    """Whether the unknown `username` has failed often enough to be answered as a locked account."""
    row = db.session.get(UnknownLoginFailure, _key(username))
    return bool(row and row.locked_until and row.locked_until > now())
