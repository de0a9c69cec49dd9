"""Passwords, login with lockout, and the user changes that end sessions."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tik.audit.service import record
from tik.auth import sessions
from tik.auth.models import Role, User
from tik.auth.throttle import count_unknown_failure, unknown_is_locked
from tik.clock import now
from tik.db import stop_reading, unit_of_work
from tik.extensions import db
from tik.org.models import Unit

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Verified against when the username is unknown, so timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why, in the interface's language."""


class UsernameTaken(UserError):
    """The username is in use: usernames are unique across the install, every municipality's included."""

    def __init__(self) -> None:
        super().__init__(_l("Brukernavnet er allerede i bruk."))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l("Passordet må ha minst %(n)s tegn.", n=MIN_PASSWORD_LENGTH))
    return _hasher.hash(password)


def create_user(username: str, name: str, unit: Unit, password: str,
                roles: set[Role] | None = None, **extra) -> User:
    """Create and flush a user of `unit` (and so of its service); raises UsernameTaken if the username is
    taken (in any municipality: usernames are the install's) or UserError if the password is weak. Signing up
    through a provider's callback (a GET) writes: it stops reading.

    The municipality's own users are compared without regard to case; another municipality's are out of the
    scope (and, on PostgreSQL, of the row-level policies), so the database's unique username is the check there:
    the insert runs in a savepoint and its refusal is the same UsernameTaken, never a 500."""
    stop_reading()
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise UsernameTaken()
    extra.setdefault("locale", interface_language_of_guide())
    user = User(username=username, name=name, unit_id=unit.id, service_key=unit.service_key,
                password_hash=hash_password(password), **extra)
    user.roles = roles or {Role.EMPLOYEE}
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise UsernameTaken() from None
    return user


def interface_language_of_guide() -> str:
    """A new user's interface language: the guidebook's first that the interface speaks (Swedish in a Swedish
    municipality), else bokmål. They can change it in the language menu."""
    from tik.config import LANGUAGES
    from tik.guidebook import current_guide

    return next((lang for lang in current_guide().languages if lang in LANGUAGES), "nb")


@unit_of_work
def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right and the account is open; counts failures, locks after five.

    Every attempt is audited without the password. A failure for an unknown username is recorded
    without the name typed (people type their password into the username field).
    """
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        _verify(_DUMMY_HASH, password)
        count_unknown_failure(username, MAX_FAILED_LOGINS, LOCKOUT)  # so the answer after five is the same
        record(None, "auth.login_failed", detail="unknown username")
        return None
    if user.locked_until and user.locked_until > now():
        record(user, "auth.login_failed", detail="locked")
        return None
    if not user.active or not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now() + LOCKOUT
            user.failed_logins = 0
        record(user, "auth.login_failed", detail="inactive" if not user.active else "wrong password")
        return None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


@unit_of_work
def count_failure(user: User, detail: str) -> None:
    """A failed second step counts like a wrong password: five lock the account for a while."""
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now() + LOCKOUT
        user.failed_logins = 0
    record(user, "auth.login_failed", detail=detail)


def is_locked(username: str) -> bool:
    """Whether logins as `username` are refused for now; unknown names lock just as real ones do."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        return unknown_is_locked(username)
    return bool(user.locked_until and user.locked_until > now())


@unit_of_work
def log_in(user: User, detail: str = "") -> None:
    """Open a server-side session for `user` (its token goes on the user for Flask-Login) and audit it
    (`detail` says how, e.g. through which provider)."""
    user.session_token = sessions.start(user)
    user.failed_logins = 0  # a sign-in that got through every factor starts the count afresh
    record(user, "auth.login", detail=detail)


@unit_of_work
def login_refused(detail: str, user: User | None = None) -> None:
    """Audit a sign-in that did not happen (a provider's refusal, an identity without a user, an empty code)."""
    record(user, "auth.login_failed", detail=detail)


@unit_of_work
def set_locale(user: User, lang: str) -> None:
    """Remember the user's language for their next sessions."""
    user.locale = lang


@unit_of_work
def log_out(user: User) -> None:
    """Revoke the session this request runs in: its cookie, copied or not, no longer logs anyone in."""
    sessions.end(user.session_token)
    record(user, "auth.logout")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@unit_of_work
def change_password(user: User, password: str) -> None:
    """Set a new password and end every session of the user."""
    user.password_hash = hash_password(password)
    sessions.end_all(user)


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the user of the live server-side session `token`, else None.

    A session that just timed out sets `g.session_expired`, so the page can say why the user must log in.
    """
    from flask import current_app, g

    user, expired = sessions.resume(token, idle=timedelta(minutes=current_app.config["TIK_IDLE_MINUTES"]),
                                    absolute=timedelta(hours=current_app.config["TIK_ABSOLUTE_HOURS"]))
    g.session_expired = expired
    if user is None or not user.active:
        return None
    user.session_token = token
    return user
