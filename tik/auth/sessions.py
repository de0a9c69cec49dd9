"""Server-side login sessions: the cookie carries a signed random id, the database says whether it still holds.

Logout, a password change, deactivation and the idle and absolute timeouts revoke the row, so a cookie
copied before any of them is worth nothing afterwards. Nothing a request header says (address, proxy
headers, user agent) is part of the check: those are forged as easily as they are sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.extensions import db

# Writing "seen" on every request would make every page a write; a minute's precision is enough for a
# 30-minute idle timeout.
SEEN_PRECISION = timedelta(minutes=1)


class UserSession(db.Model):
    """One login on one browser. The id is a hash of the cookie's token, so a database reader cannot log in."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    seen_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user) -> str:
    """Open a session for `user` in the current transaction; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(UserSession(id=_key(token), user_id=user.id, created_at=moment, seen_at=moment))
    return token


def resume(token: str, idle: timedelta, absolute: timedelta):
    """(the user of the live session `token`, False); (None, True) when it just timed out; (None, False) if unknown.

    One statement loads the session and its user. A timed-out session is revoked here, so it cannot come
    back when the clock or the settings change.
    """
    from tik.auth.models import User

    if not isinstance(token, str) or len(token) > 100:
        return None, False
    found = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .where(UserSession.id == _key(token))).one_or_none()
    if found is None or found[0].revoked_at is not None:
        return None, False
    row, user = found
    moment = now()
    if moment - row.seen_at > idle or moment - row.created_at > absolute:
        row.revoked_at = moment
        db.session.commit()
        return None, True
    if moment - row.seen_at >= SEEN_PRECISION:
        row.seen_at = moment
        db.session.commit()
    return user, False


def end(token: str | None) -> None:
    """Revoke the session of `token` (logout), in the current transaction."""
    if token:
        # mutmut: dropping `revoked_at IS NULL` here and in end_all survives, and may: it only re-stamps the
        # revocation time of a row already revoked, which nothing reads.
        db.session.execute(update(UserSession).where(UserSession.id == _key(token),
                                                     UserSession.revoked_at.is_(None)).values(revoked_at=now()))


def end_all(user) -> None:
    """Revoke every session of `user` (password change, deactivation), in the current transaction."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None)).values(revoked_at=now()))


def live_count(user) -> int:
    """How many sessions of `user` are not revoked (for tests and the admin)."""
    return len(db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id,
                                                               UserSession.revoked_at.is_(None))).all())
