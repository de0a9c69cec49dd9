"""Staff sign-in through a real OpenID Connect provider (devkit/devidp.py, served on a free port in a thread).

Every token here is a signed JWT that TIK fetches over HTTP from the provider's token endpoint and checks
against the provider's JWKS through Authlib; a wrong token is made wrong by the provider (Provider.tamper),
never by replacing TIK's validation.
"""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select
from support import use_test_provider

from tik.audit.models import AuditEvent
from tik.auth import sessions
from tik.auth.models import Role, User
from tik.config import ConfigError, settings_from_env
from tik.extensions import db


@pytest.fixture
def provider(oidc_provider):
    return oidc_provider


@pytest.fixture
def sso(app, provider):
    """The app with the test provider as its staff provider (password login still on)."""
    use_test_provider(app, provider, "staff")
    return app


@pytest.fixture
def teacher(sso, provider, make_user):
    return make_user("lene", external_issuer=provider.issuer, external_subject="laerer")


def sign_in(client, provider, who: str = "laerer", tamper: dict | None = None):
    """TIK → provider (a real HTTP request, the person picks `who`) → TIK's callback; TIK's last answer."""
    start = client.get("/login/oidc/staff")
    assert start.status_code == 302, start.get_data(as_text=True)
    provider.tamper = dict(tamper or {})
    answer = requests.get(start.headers["Location"], params={"login": who}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "tik.test"
    return client.get(f"{back.path}?{back.query}")


def audit(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_valid_token_signs_the_matched_user_in(client, provider, teacher):
    response = sign_in(client, provider)
    assert response.status_code == 302 and response.headers["Location"].endswith("/min-side")
    assert client.get("/min-side").status_code == 200
    assert sessions.live_count(teacher) == 1
    [login] = audit("auth.login")
    assert login.user_id == teacher.id and login.detail == "oidc staff mfa"  # amr says mfa


def test_every_request_to_the_provider_gives_up_after_ten_seconds(client, provider, teacher, monkeypatch):
    """Discovery, keys and token: a provider that stops answering holds a TIK worker for 10 s at most."""
    calls = []
    send = requests.Session.request

    def request(self, method, url, **kwargs):
        if url.startswith(provider.issuer) and "/authorize" not in url:  # not the browser's own visit
            calls.append((urlsplit(url).path, kwargs.get("timeout")))
        return send(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    assert sign_in(client, provider).status_code == 302
    assert {"/.well-known/openid-configuration", "/jwks", "/token"} <= {path for path, _ in calls}
    assert {timeout for _, timeout in calls} == {10}, calls


def test_the_authorize_request_carries_pkce_s256_state_and_nonce(client, sso):
    query = parse_qs(urlsplit(client.get("/login/oidc/staff").headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"] and query["nonce"] and query["scope"] == ["openid profile email"]
    assert query["redirect_uri"] == ["http://tik.test/login/oidc/staff/callback"]


def test_pkce_is_required(client, provider, teacher):
    """The provider refuses an authorize request without a challenge, and a stolen code is worth nothing
    without the verifier that only the browser's TIK session holds."""
    location = client.get("/login/oidc/staff").headers["Location"]
    url, query = location.split("?")[0], parse_qs(urlsplit(location).query)
    bare = {k: v[0] for k, v in query.items() if not k.startswith("code_challenge")}
    refused = requests.get(url, params={**bare, "login": "laerer"}, allow_redirects=False, timeout=10)
    assert "error=invalid_request" in refused.headers["Location"]

    answer = requests.get(location, params={"login": "laerer"}, allow_redirects=False, timeout=10)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    stolen = requests.post(f"{provider.issuer}/token", auth=("tik-staff", "dev-staff-secret"), timeout=10,
                           data={"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": "http://tik.test/login/oidc/staff/callback"})
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("tamper", [
    {"bad_signature": True},
    {"aud": "someone-else"},
    {"aud": ["someone-else"], "azp": "tik-staff"},
    {"nonce": "not-the-nonce-tik-sent"},
    {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
    {"iss": "http://127.0.0.1:1/another-provider"},
    {"aud": None},
    {"iss": None},
], ids=["bad signature", "wrong audience", "wrong audience with our azp", "wrong nonce", "expired", "wrong issuer",
        "no audience", "no issuer"])
def test_a_token_that_fails_a_check_signs_nobody_in(client, provider, teacher, tamper):
    response = sign_in(client, provider, tamper=tamper)
    assert response.status_code == 401
    assert "ble avvist" in response.get_data(as_text=True)
    assert "/login" in client.get("/min-side").headers["Location"]  # still not logged in
    assert sessions.live_count(teacher) == 0
    assert not audit("auth.login")
    [failed] = audit("auth.login_failed")
    assert failed.detail.startswith("oidc staff: refused") and failed.user_id is None


def test_unknown_person_is_refused_and_not_created(client, provider, teacher):
    users_before = db.session.scalar(select(db.func.count(User.id)))
    response = sign_in(client, provider, who="ukjent")
    assert response.status_code == 403
    assert "ingen bruker i TIK" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == users_before
    assert audit("auth.login_failed")[0].detail == "oidc staff: no TIK user for this identity"


def test_the_same_subject_from_another_issuer_is_not_the_user(client, provider, sso, make_user):
    make_user("lene", external_issuer="https://login.example.test/other", external_subject="laerer")
    assert sign_in(client, provider).status_code == 403


def test_inactive_user_is_refused(client, provider, teacher):
    teacher.active = False
    db.session.commit()
    assert sign_in(client, provider).status_code == 403


def test_a_callback_in_another_browser_is_refused(app, client, provider, teacher):
    """The state lives in the session of the browser that started: a code carried elsewhere fails."""
    location = client.get("/login/oidc/staff").headers["Location"]
    back = urlsplit(requests.get(location, params={"login": "laerer"}, allow_redirects=False,
                                 timeout=10).headers["Location"])
    other = app.test_client()
    assert other.get(f"{back.path}?{back.query}").status_code == 401


def test_the_provider_counts_as_mfa_only_when_amr_or_acr_says_so(client, provider, sso, make_user):
    make_user("rita", roles=(Role.LEADER,), external_issuer=provider.issuer, external_subject="leder")
    sign_in(client, provider, who="leder")  # amr ["pwd"]
    assert audit("auth.login")[-1].detail == "oidc staff"
    with client.session_transaction() as session:
        assert session["mfa"] is False and session["auth_method"] == "staff"
    client.post("/logout")
    sign_in(client, provider, who="leder", tamper={"acr": "idporten-loa-high"})
    with client.session_transaction() as session:
        assert session["mfa"] is True


def test_sign_out_ends_the_tik_session_and_offers_the_providers(client, provider, teacher):
    sign_in(client, provider)
    response = client.post("/logout")
    assert response.status_code == 200
    assert sessions.live_count(teacher) == 0
    assert "/login" in client.get("/min-side").headers["Location"]
    page = response.get_data(as_text=True)
    assert f'href="{provider.issuer}/logout?' in page
    link = page.split(f'href="{provider.issuer}/logout?')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(link)
    assert query["post_logout_redirect_uri"] == ["http://tik.test/login"] and query["id_token_hint"]
    assert query["client_id"] == ["tik-staff"] and "Logg ut hos Testleverandøren" in page
    followed = requests.get(f"{provider.issuer}/logout?{link}", allow_redirects=False, timeout=10)
    assert followed.headers["Location"] == "http://tik.test/login"
    assert provider.logouts[-1]["id_token_hint"] == query["id_token_hint"][0]


def test_password_sign_out_stays_on_tik(client, login, teacher):
    login(teacher)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_sign_up_only_where_the_unit_allows_it(client, provider, sso, make_unit):
    unit = make_unit("school-1")
    provider.identities["ukjent"]["tik_unit"] = "school-1"
    try:
        assert sign_in(client, provider, who="ukjent").status_code == 403
        unit.sso_signup = True
        db.session.commit()
        assert sign_in(client, provider, who="ukjent").status_code == 302
    finally:
        del provider.identities["ukjent"]["tik_unit"]
    user = db.session.scalar(select(User).where(User.external_subject == "ukjent"))
    assert user.unit_id == unit.id and user.roles == {Role.EMPLOYEE} and user.external_issuer == provider.issuer
    assert user.username == "ukjent@fjordvik.test"


def test_password_login_can_be_switched_off(client, sso, teacher):
    sso.config["TIK_PASSWORD_LOGIN"] = False
    page = client.get("/login").get_data(as_text=True)
    assert "Logg inn med Testleverandøren" in page and 'type="password"' not in page
    assert client.post("/login", data={"username": "lene", "password": "x" * 12}).status_code == 404


def test_production_without_passwords_needs_a_provider():
    base = {"TIK_ENV": "production", "TIK_SECRET_KEY": "k3J9xQ2mV7pL4wZ8rT1yB6nC5hG0dF2s",
            "TIK_DATA_KEY": "Xk9f2mQ7vL3pW8zR1tY6bN5cH0gD4sJ2aE7uI9oK3lM=", "DATABASE_URL": "sqlite:///x",
            "TIK_REDIS_URL": "redis://127.0.0.1:6379/0",
            "TIK_AUDIT_KEY": "q3Vx8mR2pL7wZ1tY6bN5cH0gD4sJ9aE7uI2oK3lMnB0=", "TIK_PASSWORD_LOGIN": "0"}
    with pytest.raises(ConfigError, match="TIK_OIDC_STAFF_ISSUER"):
        settings_from_env(base)
    settings = settings_from_env({**base, "TIK_OIDC_STAFF_ISSUER": "https://login.example.test/tenant/v2.0/",
                                  "TIK_OIDC_STAFF_CLIENT_ID": "tik"})
    assert settings["TIK_PASSWORD_LOGIN"] is False
    assert settings["TIK_OIDC"]["staff"]["issuer"] == "https://login.example.test/tenant/v2.0"


def test_a_provider_sign_in_without_mfa_still_asks_the_leaders_totp(client, provider, sso, make_user, clock):
    import calendar

    import pyotp

    from tik.auth import mfa

    leader = make_user("rita", roles=(Role.LEADER,), external_issuer=provider.issuer, external_subject="leder")
    secret = mfa.start_enrolment(leader)
    moment = calendar.timegm(clock.now().timetuple())
    assert mfa.confirm_enrolment(leader, pyotp.TOTP(secret).at(moment - 30))
    response = sign_in(client, provider, who="leder")  # amr ["pwd"]: not a second factor
    assert response.headers["Location"].endswith("/login/mfa") and sessions.live_count(leader) == 0
    assert client.post("/login/mfa", data={"code": pyotp.TOTP(secret).at(moment)}).status_code == 302
    assert audit("auth.login")[-1].detail == "oidc staff totp"
    client.post("/logout")
    sign_in(client, provider, who="leder", tamper={"amr": ["pwd", "mfa"]})  # the provider did MFA
    assert client.get("/min-side").status_code == 200 and audit("auth.login")[-1].detail == "oidc staff mfa"


def test_a_provider_sign_in_without_mfa_sends_a_leader_to_enrol_where_mandatory(client, provider, sso, make_user):
    sso.config["TIK_MFA_REQUIRED"] = True
    make_user("rita", roles=(Role.LEADER,), external_issuer=provider.issuer, external_subject="leder")
    assert sign_in(client, provider, who="leder").headers["Location"].endswith("/mfa")
    assert client.get("/min-side").headers["Location"].endswith("/mfa")
    client.post("/logout")
    sign_in(client, provider, who="leder", tamper={"amr": ["mfa"]})
    assert client.get("/min-side").status_code == 200


def test_a_provider_that_is_not_configured_has_no_sign_in_route(app, client):
    """Without TIK_OIDC settings for it, a provider's sign-in answers 404 (nothing to probe), and the login
    page offers only the password."""
    app.config["TIK_OIDC"] = {}
    assert client.get("/login/oidc/staff").status_code == 404
    assert client.get("/min-familie/logg-inn").status_code == 404
    assert "/login/oidc/staff" not in client.get("/login").get_data(as_text=True)


def _family_authorize(client, **params):
    """TIK → provider's authorize with `params` (what the person typed or picked); the provider's answer."""
    start = client.get("/min-familie/logg-inn")
    assert start.status_code == 302, start.get_data(as_text=True)
    return requests.get(start.headers["Location"], params=params, allow_redirects=False, timeout=10)


def test_a_new_synthetic_guardian_signs_in_through_the_test_provider(app, client, provider, make_case, give_consent):
    from devkit.devidp import synthetic_nin
    from tik import crypto

    use_test_provider(app, provider, "family")
    pid = synthetic_nin(date(1988, 5, 17))
    case = make_case(first_name="Syntetiske")
    give_consent(case, case.coordinator, ["health-nurse"])  # the family has been told: the case is on their page
    guardian = case.child.guardians[0]
    guardian.nin_encrypted, guardian.nin_lookup = crypto.encrypt(pid), crypto.lookup_hash(pid)
    db.session.commit()
    assert f"pid-{pid}" not in provider.identities  # nobody added this person to the provider beforehand

    page = _family_authorize(client)
    assert 'name="pid"' in page.text and "Foresatt i demoen" in page.text  # typed or picked
    answer = _family_authorize(client, pid=pid[:6] + " " + pid[6:])  # typed as people type it
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert "Syntetiske" in client.get("/min-familie/").get_data(as_text=True)


@pytest.mark.parametrize("pid", ["24017612345", "0181701005", "abcdefghijk"],
                         ids=["control-digits", "too-short", "letters"])
def test_the_test_provider_refuses_a_national_id_that_is_not_valid(app, client, provider, pid):
    use_test_provider(app, provider, "family")
    answer = _family_authorize(client, pid=pid)
    assert answer.status_code == 422 and "ikke et gyldig syntetisk fødselsnummer" in answer.text
    assert f"pid-{pid}" not in provider.identities


def test_the_test_provider_signs_in_no_real_persons_number(app, client, provider):
    from tik.identity.nin import is_valid

    use_test_provider(app, provider, "family")
    real_kind = next(f"170588{n:03d}{k:02d}" for n in range(100, 500) for k in range(100)
                     if is_valid(f"170588{n:03d}{k:02d}"))
    assert is_valid(real_kind) and int(real_kind[2:4]) < 13  # valid, but an ordinary (real) person's kind
    assert _family_authorize(client, pid=real_kind).status_code == 422


def test_the_test_provider_refuses_a_typed_id_on_the_staff_client(client, provider, teacher):
    from devkit.devidp import DEMO_GUARDIAN_PID

    start = client.get("/login/oidc/staff")
    answer = requests.get(start.headers["Location"], params={"pid": DEMO_GUARDIAN_PID}, allow_redirects=False,
                          timeout=10)
    assert answer.status_code == 200 and 'name="pid"' not in answer.text  # only the staff login buttons
