"""Server-side login sessions: the cookie carries a signed random id, the database says whether it still holds.

Logout, a password change, deactivation and the idle and absolute timeouts revoke the row, so a cookie
copied before any of them is worth nothing afterwards. A family member signed in on "Min familie" through
ID-porten has a row of the same kind: no staff user, the keyed hash of their national id instead.
Nothing a request header says (address, proxy headers, user agent) is part of the check: those are forged
as easily as they are sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, delete, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from tik.clock import now
from tik.db import stop_reading
from tik.extensions import db

# Writing "seen" on every request would make every page a write; a minute's precision is enough for a
# 30-minute idle timeout.
SEEN_PRECISION = timedelta(minutes=1)


class UserSession(db.Model):
    """One login on one browser. The id is a hash of the cookie's token, so a database reader cannot log in.
    Either a member of staff (`user_id`) or a family member (`family_lookup`, the keyed hash of the national
    id ID-porten gave): a family row never logs anyone in as staff, nor a staff row on "Min familie"."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    family_lookup: Mapped[str | None] = mapped_column(String(64))
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


def start_family(lookup: str) -> str:
    """Open a "Min familie" session for the person whose national id has the keyed hash `lookup`, in the
    current transaction; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    moment = now()
    db.session.add(UserSession(id=_key(token), family_lookup=lookup, created_at=moment, seen_at=moment))
    return token


def _holds(row: UserSession | None, idle: timedelta, absolute: timedelta) -> tuple[bool, bool]:
    """(live, just timed out) for a session row; a timed-out row is revoked here, so it cannot come back
    when the clock or the settings change."""
    if row is None or row.revoked_at is not None:
        return False, False
    moment = now()
    timed_out = moment - row.seen_at > idle or moment - row.created_at > absolute
    touched = not timed_out and moment - row.seen_at >= SEEN_PRECISION
    if timed_out or touched:
        stop_reading()  # a page that only reads ends its read before writing (tik.db)
    if timed_out:
        row.revoked_at = moment
        db.session.commit()
        return False, True
    if touched:
        row.seen_at = moment
        db.session.commit()
    return True, False


def _usable(token) -> bool:
    return isinstance(token, str) and len(token) <= 100


def resume(token: str, idle: timedelta, absolute: timedelta):
    """(the user of the live session `token`, False); (None, True) when it just timed out; (None, False) if unknown.

    One statement loads the session and its user (a family session has none, so it is never found here).
    """
    from tik.auth.models import User

    if not _usable(token):
        return None, False
    found = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .where(UserSession.id == _key(token))).one_or_none()
    live, expired = _holds(found[0] if found else None, idle, absolute)
    return (found[1] if live else None), expired


def resume_family(token: str, idle: timedelta, absolute: timedelta) -> tuple[str | None, bool]:
    """(the national id's keyed hash of the live family session `token`, False); (None, True) when it just
    timed out; (None, False) if unknown, revoked or a staff session."""
    if not _usable(token):
        return None, False
    row = db.session.scalar(select(UserSession).where(UserSession.id == _key(token),
                                                      UserSession.family_lookup.is_not(None),
                                                      UserSession.user_id.is_(None)))
    live, expired = _holds(row, idle, absolute)
    return (row.family_lookup if live else None), expired


def end(token: str | None) -> None:
    """Revoke the session of `token` (logout), in the current transaction."""
    if token:
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


# A dead row is kept a day before it is purged, so a browser left open overnight still hears "timed out".
PURGE_GRACE = timedelta(days=1)


def purge(absolute: timedelta) -> int:
    """Delete the rows no cookie can use any more, in the current transaction: revoked, or older than the
    absolute timeout, each a day past it. A family row holds the keyed hash of a national id: it is not
    kept for longer than the login it served. Returns how many rows went."""
    cutoff = now() - PURGE_GRACE
    result = db.session.execute(delete(UserSession).where(or_(UserSession.revoked_at < cutoff,
                                                              UserSession.created_at < cutoff - absolute)))
    return result.rowcount
