"""Where the second factor is required, the password alone does not set it up: a leader or admin without one
enrols only with a one-time code an admin issued (once, 72 hours, audited) or after a provider sign-in that
counted as MFA. Else whoever has the password binds their own authenticator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from support import PASSWORD, use_test_provider
from test_mfa import code_at
from test_oidc import sign_in

from tik.audit.models import AuditEvent
from tik.auth import mfa
from tik.auth.models import Role
from tik.extensions import db


@pytest.fixture
def required(app):
    app.config["TIK_MFA_REQUIRED"] = True
    return app


def password(client, user):
    client.post("/logout")
    return client.post("/login", data={"username": user.username, "password": PASSWORD})


def issued_by_admin(client, runner, make_user, person, clock) -> str:
    """An admin (enrolled with a code from `tik users mfa-code`) issues `person` a code on the users page."""
    admin = make_user(roles=(Role.ADMIN,))
    out = runner.invoke(args=["users", "mfa-code", admin.username])
    assert out.exit_code == 0, out.output
    enrol_with(client, admin, out.output.strip().rsplit(" ", 1)[1], clock)
    assert f"/admin/brukere/{person.id}/tofaktor-kode" in client.get("/admin/brukere").get_data(as_text=True)
    page = client.post(f"/admin/brukere/{person.id}/tofaktor-kode")
    assert page.status_code == 200
    return re.search(r'id="enrolment-code">([0-9a-f-]+)<', page.get_data(as_text=True)).group(1)


def enrol_with(client, person, code: str, clock) -> None:
    """Password, the enrolment code, then the TOTP set up: the person ends signed in and enrolled."""
    assert password(client, person).headers["Location"].endswith("/mfa")
    assert client.post("/mfa", data={"enrolment_code": code}).headers["Location"].endswith("/mfa")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', client.get("/mfa").get_data(as_text=True)).group(1)
    assert client.post("/mfa", data={"code": code_at(secret, clock)}).status_code == 200
    assert mfa.enrolled(person)


def actions(user) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id)
                              .order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("role", [Role.LEADER, Role.ADMIN])
def test_the_password_alone_does_not_set_up_the_second_factor(required, client, make_user, role):
    person = make_user(roles=(role,))
    assert password(client, person).headers["Location"].endswith("/mfa")
    page = client.get("/mfa").get_data(as_text=True)
    assert 'name="enrolment_code"' in page and "totp-secret" not in page and "<svg" not in page
    assert person.totp_secret is None  # no secret made before the code
    assert client.post("/mfa", data={"code": "123456"}).status_code == 422  # straight to the app code: refused
    assert client.post("/mfa", data={"enrolment_code": "abcdef-abcdef-abcdef"}).status_code == 422
    assert not mfa.enrolled(person) and client.get("/min-side").headers["Location"].endswith("/mfa")
    assert "auth.mfa_code_refused" in actions(person)


def test_an_admins_code_lets_the_leader_enrol_once(required, client, runner, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    code = issued_by_admin(client, runner, make_user, leader, clock)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.mfa_code_issued")).all()
    assert events[-1].detail == f"til:{leader.username}" and events[-1].user_id != leader.id
    stored = db.session.scalars(select(mfa.EnrolmentCode.code_hash)
                                .where(mfa.EnrolmentCode.user_id == leader.id)).one()
    assert code not in stored and stored.startswith("$argon2")  # only a hash is kept
    enrol_with(client, leader, code, clock)
    assert client.get("/min-side").status_code == 200
    assert "auth.mfa_code_used" in actions(leader)

    other = make_user(roles=(Role.LEADER,))  # the same code a second time (for someone else, or again): refused
    assert password(client, other).headers["Location"].endswith("/mfa")
    assert client.post("/mfa", data={"enrolment_code": code}).status_code == 422
    assert not mfa.enrolled(other)


def test_a_code_works_once(required, client, runner, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    code = issued_by_admin(client, runner, make_user, leader, clock)
    assert password(client, leader).headers["Location"].endswith("/mfa")
    assert client.post("/mfa", data={"enrolment_code": code}).status_code == 302
    password(client, leader)  # a new session, before setting the app up: the used code does not open it again
    assert client.post("/mfa", data={"enrolment_code": code}).status_code == 422
    assert "totp-secret" not in client.get("/mfa").get_data(as_text=True)


def test_an_expired_code_is_refused(required, client, runner, make_user, clock):
    leader = make_user(roles=(Role.LEADER,))
    code = issued_by_admin(client, runner, make_user, leader, clock)
    clock.travel(clock.now() + timedelta(hours=mfa.ENROLMENT_CODE_HOURS, minutes=1))
    assert password(client, leader).headers["Location"].endswith("/mfa")
    assert client.post("/mfa", data={"enrolment_code": code}).status_code == 422
    assert "totp-secret" not in client.get("/mfa").get_data(as_text=True)


def test_an_admin_issues_no_code_for_themselves(required, client, runner, make_user, clock):
    admin = make_user(roles=(Role.ADMIN,))
    out = runner.invoke(args=["users", "mfa-code", admin.username])
    enrol_with(client, admin, out.output.strip().rsplit(" ", 1)[1], clock)
    assert client.post(f"/admin/brukere/{admin.id}/tofaktor-kode").status_code == 404


def test_a_provider_sign_in_with_mfa_lets_the_leader_enrol(required, client, oidc_provider, make_user, clock):
    use_test_provider(required, oidc_provider, "staff")
    leader = make_user("rita", roles=(Role.LEADER,), external_issuer=oidc_provider.issuer,
                       external_subject="leder")
    sign_in(client, oidc_provider, who="leder")  # amr ["pwd"]: no MFA, so no enrolment without a code
    assert "totp-secret" not in client.get("/mfa").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, oidc_provider, who="leder", tamper={"amr": ["pwd", "mfa"]})
    page = client.get("/mfa").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert client.post("/mfa", data={"code": code_at(secret, clock)}).status_code == 200
    assert mfa.enrolled(leader)
