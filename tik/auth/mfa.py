"""A second factor on password login: TOTP (pyotp) with recovery codes.

The TOTP secret is encrypted at rest like the national id (tik/crypto.py). A code is accepted once: the
time step it belongs to is remembered, and a code of that step or an earlier one is refused, so a code
seen over someone's shoulder cannot be replayed within its window. Recovery codes are shown once and
stored as argon2 hashes, like passwords; each works once.

Where the second factor is required (leaders and admins, TIK_MFA_REQUIRED), the first enrolment needs more
than the password: a one-time enrolment code an admin issued for the person (shown once to the admin, stored
as an argon2 hash, single use, valid ENROLMENT_CODE_HOURS), or a session that began with a provider sign-in
counted as MFA. Else a stolen password alone would let the thief bind their own authenticator.
"""

from __future__ import annotations

import calendar
import hmac
import io
import secrets
from datetime import datetime, timedelta

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from tik import crypto
from tik.audit.service import record
from tik.auth.models import Role, User
from tik.clock import now
from tik.db import unit_of_work
from tik.extensions import db

ISSUER_NAME = "TIK"
RECOVERY_CODES = 10
ENROLMENT_CODE_HOURS = 72
_hasher = PasswordHasher()


class RecoveryCode(db.Model):
    """One recovery code of a user, as an argon2 hash; `used_at` once it has been used."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class EnrolmentCode(db.Model):
    """A one-time code an admin issued so `user_id` may set up a second factor: an argon2 hash, single use."""

    __tablename__ = "mfa_enrolment_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # None: from the command line
    code_hash: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


def required(user: User) -> bool:
    """Whether `user` must have a second factor: leaders and admins, when the setting asks for it."""
    return bool(current_app.config.get("TIK_MFA_REQUIRED")) and user.has_role(Role.LEADER, Role.ADMIN)


def enrolled(user: User) -> bool:
    return user.totp_secret is not None and user.totp_confirmed_at is not None


def needs_enrolment_code(user: User, session_mfa: bool) -> bool:
    """Whether `user` must redeem an enrolment code before setting up a second factor: required and not
    enrolled, in a session that did not begin with a provider sign-in counted as MFA (`session_mfa`)."""
    return required(user) and not enrolled(user) and not session_mfa


def may_issue_enrolment_code(admin: User, user: User) -> bool:
    """An admin issues codes for other active people, never for themselves."""
    return admin.has_role(Role.ADMIN) and user.active and user.id != admin.id


@unit_of_work
def issue_enrolment_code(user: User, by: User | None) -> str:
    """A new enrolment code for `user` (replacing any unused one), audited; the code itself is returned once
    and only its hash is kept. `by` is None when issued from the command line (`tik users mfa-code`)."""
    db.session.execute(db.delete(EnrolmentCode).where(EnrolmentCode.user_id == user.id,
                                                      EnrolmentCode.used_at.is_(None)))
    code = "-".join(secrets.token_hex(3) for _ in range(3))
    db.session.add(EnrolmentCode(user_id=user.id, issued_by_id=by.id if by else None, code_hash=_hasher.hash(code),
                                 expires_at=now() + timedelta(hours=ENROLMENT_CODE_HOURS)))
    record(by, "auth.mfa_code_issued", detail=f"til:{user.username}")
    return code


@unit_of_work
def redeem_enrolment_code(user: User, code: str) -> bool:
    """Use up `user`'s enrolment code if `code` is it and it has not expired; audited either way."""
    code = code.strip().lower()
    rows = [] if len(code) > 40 else db.session.scalars(select(EnrolmentCode).where(
        EnrolmentCode.user_id == user.id, EnrolmentCode.used_at.is_(None), EnrolmentCode.expires_at > now()))
    for row in rows:
        try:
            if _hasher.verify(row.code_hash, code):
                row.used_at = now()
                record(user, "auth.mfa_code_used")
                return True
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    record(user, "auth.mfa_code_refused")
    return False


@unit_of_work
def start_enrolment(user: User) -> str:
    """A new secret for `user` (replacing an unconfirmed one), kept encrypted until confirmed; returns it."""
    secret = pyotp.random_base32()
    user.totp_secret = crypto.encrypt(secret)
    user.totp_confirmed_at = None
    user.totp_last_step = None
    return secret


def secret_of(user: User) -> str:
    return crypto.decrypt(user.totp_secret)


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(secret_of(user)).provisioning_uri(name=user.username, issuer_name=ISSUER_NAME)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an SVG element, drawn on the server (no script in the browser)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # without the XML declaration, to sit inside the page


def _step_of(user: User, code: str) -> int | None:
    """The time step (now, or one step either side for clock drift) whose code `code` is, else None."""
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret_of(user))
    moment = calendar.timegm(now().timetuple())
    current = moment // totp.interval
    found = None
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


@unit_of_work
def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Confirm the pending secret with a code from the app; returns the new recovery codes (shown once)."""
    step = _step_of(user, code.strip())
    if step is None or enrolled(user):
        return None
    user.totp_confirmed_at = now()
    user.totp_last_step = step
    codes = new_recovery_codes(user)

    record(user, "auth.mfa_enrolled")
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (in the current transaction); returns them."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hasher.hash(code)) for code in codes)
    return codes


def verify(user: User, code: str) -> str | None:
    """Check a second factor: "totp" or "recovery" when accepted (and used up), else None.

    A TOTP code of a step already used (or older) is refused; a recovery code works once.
    """
    code = code.strip().lower()
    if not enrolled(user):
        return None
    step = _step_of(user, code)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None
        user.totp_last_step = step
        return "totp"
    if len(code) > 40:
        return None
    for row in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))):
        try:
            if _hasher.verify(row.code_hash, code):
                row.used_at = now()
                return "recovery"
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return None


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())
