"""A second factor on password login: TOTP enrolment by a QR code drawn on the server, codes used once,
recovery codes once, and mandatory for leaders and admins where the setting says so."""

from __future__ import annotations

import calendar
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select
from support import PASSWORD

from tik.audit.models import AuditEvent
from tik.auth import mfa, sessions
from tik.auth.models import Role
from tik.config import settings_from_env
from tik.extensions import db


def code_at(secret: str, clock, seconds: int = 0) -> str:
    moment = calendar.timegm((clock.now() + timedelta(seconds=seconds)).timetuple())
    return pyotp.TOTP(secret).at(moment)


def enrol(client, login, user, clock) -> tuple[str, list[str]]:
    """Log in with the password, set TOTP up through the page; (secret, recovery codes)."""
    login(user)
    page = client.get("/mfa").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post("/mfa", data={"code": code_at(secret, clock)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    client.post("/logout")
    return secret, codes


def password(client, user):
    return client.post("/login", data={"username": user.username, "password": PASSWORD})


def logins(user) -> list[str]:
    return db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "auth.login",
                                                              AuditEvent.user_id == user.id)).all()


def test_enrolment_shows_a_server_drawn_qr_code_and_confirms_with_a_code(client, login, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    login(leader)
    page = client.get("/mfa").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page and "<path" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert mfa.secret_of(leader) == secret and leader.totp_secret != secret.encode()  # encrypted at rest
    assert client.post("/mfa", data={"code": "000000" if code_at(secret, clock) != "000000" else "111111"}
                       ).status_code == 422
    assert not mfa.enrolled(leader)
    done = client.post("/mfa", data={"code": code_at(secret, clock)})
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10 and mfa.enrolled(leader)
    stored = db.session.scalars(select(mfa.RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(code in h for code in codes for h in stored)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.mfa_enrolled"))


def test_login_asks_the_code_after_the_password(client, login, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    secret, _ = enrol(client, login, leader, clock)
    clock.travel(clock.now() + timedelta(seconds=31))
    response = password(client, leader)
    assert response.headers["Location"].endswith("/login/mfa")
    assert sessions.live_count(leader) == 0  # no session before the second factor
    assert "/login" in client.get("/min-side").headers["Location"]
    done = client.post("/login/mfa", data={"code": code_at(secret, clock)})
    assert done.status_code == 302 and client.get("/min-side").status_code == 200
    assert logins(leader)[-1] == "password totp"


def test_a_wrong_code_signs_nobody_in_and_counts_as_a_failure(client, login, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    secret, _ = enrol(client, login, leader, clock)
    password(client, leader)
    wrong = "123456" if code_at(secret, clock) != "123456" else "654321"
    response = client.post("/login/mfa", data={"code": wrong})
    assert response.status_code == 422 and "Feil eller allerede brukt kode" in response.get_data(as_text=True)
    assert "/login" in client.get("/min-side").headers["Location"] and sessions.live_count(leader) == 0
    assert leader.failed_logins == 1
    for _ in range(4):
        client.post("/login/mfa", data={"code": wrong})
    assert leader.locked_until is not None  # five wrong codes lock like five wrong passwords
    assert client.post("/login/mfa", data={"code": code_at(secret, clock)}).headers["Location"].endswith("/login")


def test_a_code_is_refused_a_second_time_within_its_window(client, login, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    secret, _ = enrol(client, login, leader, clock)
    clock.travel(clock.now() + timedelta(seconds=31))
    code = code_at(secret, clock)
    password(client, leader)
    assert client.post("/login/mfa", data={"code": code}).status_code == 302
    client.post("/logout")
    clock.travel(clock.now() + timedelta(seconds=5))  # still the same window
    password(client, leader)
    assert client.post("/login/mfa", data={"code": code}).status_code == 422
    # the enrolment's code (an earlier step) is refused too
    assert mfa.verify(leader, code_at(secret, clock, -31)) is None


def test_a_recovery_code_works_once(client, login, make_user, clock):
    admin = make_user(roles=(Role.ADMIN,))
    _, codes = enrol(client, login, admin, clock)
    password(client, admin)
    assert client.post("/login/mfa", data={"code": codes[3].upper()}).status_code == 302
    assert logins(admin)[-1] == "password recovery"
    assert mfa.remaining_recovery_codes(admin) == 9
    client.post("/logout")
    password(client, admin)
    assert client.post("/login/mfa", data={"code": codes[3]}).status_code == 422
    assert client.post("/login/mfa", data={"code": codes[4]}).status_code == 302


@pytest.mark.parametrize("role", [Role.LEADER, Role.ADMIN])
def test_mandatory_for_leaders_and_admins_where_set(app, client, make_user, clock, role):
    app.config["TIK_MFA_REQUIRED"] = True
    person = make_user(roles=(role,))
    code = mfa.issue_enrolment_code(person, by=None)  # the first enrolment needs an admin's one-time code
    response = password(client, person)
    assert response.headers["Location"].endswith("/mfa")
    assert client.get("/min-side").headers["Location"].endswith("/mfa")  # nothing else until enrolled
    assert client.post("/mfa", data={"enrolment_code": code}).status_code == 302
    page = client.get("/mfa").get_data(as_text=True)
    assert "må du ha tofaktor-pålogging" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert client.post("/mfa", data={"code": code_at(secret, clock)}).status_code == 200
    assert client.get("/min-side").status_code == 200


def test_not_mandatory_for_employees(app, client, make_user):
    app.config["TIK_MFA_REQUIRED"] = True
    employee = make_user(roles=(Role.EMPLOYEE, Role.COORDINATOR))
    assert password(client, employee).headers["Location"].endswith("/min-side")
    assert client.get("/min-side").status_code == 200


def test_production_makes_it_mandatory_unless_told_otherwise():
    base = {"TIK_ENV": "production", "TIK_SECRET_KEY": "k3J9xQ2mV7pL4wZ8rT1yB6nC5hG0dF2s",
            "TIK_DATA_KEY": "Xk9f2mQ7vL3pW8zR1tY6bN5cH0gD4sJ2aE7uI9oK3lM=", "DATABASE_URL": "sqlite:///x",
            "TIK_REDIS_URL": "redis://127.0.0.1:6379/0",
            "TIK_AUDIT_KEY": "q3Vx8mR2pL7wZ1tY6bN5cH0gD4sJ9aE7uI2oK3lMnB0="}
    assert settings_from_env(base)["TIK_MFA_REQUIRED"] is True
    assert settings_from_env({**base, "TIK_MFA_REQUIRED": "0"})["TIK_MFA_REQUIRED"] is False
    assert settings_from_env({"TIK_ENV": "development"})["TIK_MFA_REQUIRED"] is False


def test_after_the_second_factor_the_user_lands_where_they_were_going(client, login, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    secret, _ = enrol(client, login, leader, clock)
    clock.travel(clock.now() + timedelta(seconds=31))
    client.post("/login?next=/saker", data={"username": leader.username, "password": PASSWORD})
    done = client.post("/login/mfa", data={"code": code_at(secret, clock)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/saker")
