"""Hardening: login, sessions, CSRF, stale edits, double submits, the national id, logs."""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import PASSWORD

from tik import clock
from tik.auth import service as auth
from tik.extensions import db
from tik.identity.nin import InvalidNationalId, birth_date_of
from tik.org import service as org


def _login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_five_wrong_passwords_lock_the_account_in_the_database(client, make_user):
    user = make_user(username="target")
    for _ in range(5):
        assert _login(client, "target", "wrong-password").status_code == 422
    page = _login(client, "target")
    assert page.status_code == 422 and "låst" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is not None
    clock.travel(clock.now() + timedelta(minutes=16))
    assert _login(client, "target").status_code == 302


def test_unknown_user_is_answered_as_locked_after_five_failures_too(client, make_user):
    make_user(username="real-one")
    for name in ("real-one", "no-such-user"):
        for _ in range(4):
            assert "låst" not in _login(client, name, "wrong-password").get_data(as_text=True)
    real, ghost = (_login(client, name, "wrong-password").get_data(as_text=True)
                   for name in ("real-one", "no-such-user"))
    assert "Kontoen er låst i 15 minutter" in real and "Kontoen er låst i 15 minutter" in ghost
    from tik.auth.throttle import UnknownLoginFailure

    assert "no-such-user" not in str([(r.key,) for r in db.session.scalars(db.select(UnknownLoginFailure))])


def test_logins_are_audited_without_the_password(client, make_user):
    from tik.audit.models import AuditEvent

    make_user(username="audited")
    _login(client, "audited", "wrong-password-xyz")
    _login(client, "typo-name", "another-secret-xyz")
    _login(client, "audited")
    client.post("/logout")
    rows = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(r.action, r.username) for r in rows] == [
        ("auth.login_failed", "audited"), ("auth.login_failed", ""), ("auth.login", "audited"),
        ("auth.logout", "audited")]
    everything = " ".join(f"{r.username} {r.detail}" for r in rows)
    assert "xyz" not in everything and "typo-name" not in everything


def test_list_pages_that_show_names_are_audited(client, login, make_user, make_case):
    from tik.audit.models import AuditEvent

    user = login(make_user())
    make_case(by=user)
    client.get("/saker")
    client.get("/min-side")
    client.post("/saker", data={"q": "Emma"})
    rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.user_id == user.id,
                                                          AuditEvent.action.in_(["case.list", "mywork.view",
                                                                                 "case.search"]))).all()
    assert sorted((r.action, r.detail) for r in rows) == [("case.list", "1 treff"), ("case.search", "1 treff"),
                                                          ("mywork.view", "")]


def test_login_is_rate_limited(database_url, _schema):
    from tik import create_app

    limited = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    statuses = [_login(client, "nobody", "x").status_code for _ in range(12)]
    assert 429 in statuses


def test_unknown_user_and_wrong_password_look_the_same(client, make_user):
    make_user(username="real")
    a = _login(client, "real", "wrong-password").get_data(as_text=True)
    b = _login(client, "ghost", "wrong-password").get_data(as_text=True)
    assert "Feil brukernavn eller passord." in a and "Feil brukernavn eller passord." in b


def test_session_cookie_flags(app, client, make_user):
    app.config["SESSION_COOKIE_SECURE"] = True
    make_user(username="cookie")
    response = _login(client, "cookie")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_idle_timeout_after_30_minutes(client, login, make_user):
    login(make_user())
    assert client.get("/min-side").status_code == 200
    clock.travel(clock.now() + timedelta(minutes=29))
    assert client.get("/min-side").status_code == 200
    clock.travel(clock.now() + timedelta(minutes=31))
    response = client.get("/min-side")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_absolute_timeout_after_10_hours(client, login, make_user):
    login(make_user())
    start = clock.now()
    for minutes in range(25, 10 * 60, 25):  # active all day, never idle for long
        clock.travel(start + timedelta(minutes=minutes))
        assert client.get("/min-side").status_code == 200
    clock.travel(start + timedelta(hours=10, minutes=5))
    assert client.get("/min-side").status_code == 302


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user(username="changer")
    first, second = app.test_client(), app.test_client()
    assert _login(first, "changer").status_code == 302 and _login(second, "changer").status_code == 302
    assert first.get("/min-side").status_code == 200 and second.get("/min-side").status_code == 200
    auth.change_password(user, "a-brand-new-password")
    assert first.get("/min-side").status_code == 302
    assert second.get("/min-side").status_code == 302


def _copy_session(source, target) -> None:
    cookie = source.get_cookie("session", domain="tik.test")
    target.set_cookie("session", cookie.value, domain="tik.test")


@pytest.mark.parametrize("headers", [{}, {"X-Forwarded-For": "10.9.8.7"}, {"User-Agent": "Other/1.0"}])
def test_cookie_copied_before_logout_is_refused_after_it(app, make_user, headers):
    make_user(username="copier")
    browser, thief = app.test_client(), app.test_client()
    assert _login(browser, "copier").status_code == 302
    _copy_session(browser, thief)
    assert thief.get("/min-side", headers=headers).status_code == 200  # the copy is the session, for now
    assert browser.post("/logout").status_code == 302
    assert thief.get("/min-side", headers=headers).status_code == 302
    assert browser.get("/min-side").status_code == 302


def test_the_session_cookie_names_no_user(app, make_user):
    from flask.sessions import SecureCookieSessionInterface

    user = make_user(username="anonymous-cookie")
    browser = app.test_client()
    _login(browser, "anonymous-cookie")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(browser.get_cookie("session", domain="tik.test").value)
    assert data["_user_id"] not in (str(user.id), f"{user.id}:{user.session_epoch}") and len(data["_user_id"]) >= 40
    from tik.auth.sessions import UserSession

    assert db.session.get(UserSession, data["_user_id"]) is None  # the database keeps only a hash of it


def test_timed_out_session_is_revoked_in_the_database(client, login, make_user):
    from tik.auth.sessions import live_count

    user = login(make_user())
    assert live_count(user) == 1
    start = clock.now()
    clock.travel(start + timedelta(minutes=31))
    assert client.get("/min-side").status_code == 302
    clock.travel(start)  # turning the clock back does not bring the session back
    assert live_count(user) == 0 and client.get("/min-side").status_code == 302


def test_deactivation_ends_sessions_and_blocks_login(client, make_user):
    user = make_user(username="leaver")
    _login(client, "leaver")
    assert client.get("/min-side").status_code == 200
    org.deactivate(user)
    assert client.get("/min-side").status_code == 302
    assert _login(client, "leaver").status_code == 422


def test_post_without_csrf_token_is_refused(app, make_user, make_case):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(username="csrf")
    case = make_case(by=user)
    client = app.test_client()
    assert client.post("/login", data={"username": "csrf", "password": PASSWORD}).status_code == 400
    page = client.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "csrf", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post(f"/saker/{case.ref}/beslutning", data={"decision": "done"}).status_code == 400


@pytest.mark.parametrize("target, expected", [
    ("/saker", "/saker"), ("https://evil.example/x", "/min-side"), ("//evil.example", "/min-side"),
    ("/\\evil.example", "/min-side"), ("javascript:alert(1)", "/min-side"),
])
def test_next_redirects_stay_on_the_site(client, make_user, target, expected):
    make_user(username=f"n{abs(hash(target)) % 10000}")
    response = client.post(f"/login?next={target}", data={"username": f"n{abs(hash(target)) % 10000}",
                                                          "password": PASSWORD})
    assert response.headers["Location"].endswith(expected)


def test_stale_plan_save_answers_409_and_keeps_text(app, make_user, make_case):
    from tik.plans import service as plans

    holder = make_user()
    case = make_case(by=holder)
    plan = plans.update_plan(case, holder, goals="Første versjon", child_voice="", parents_voice="")
    stale_version = plan.version
    plans.update_plan(case, holder, goals="Kollegaens endring", child_voice="", parents_voice="",
                      expected_version=stale_version)
    client = app.test_client()
    _login(client, holder.username)
    response = client.post(f"/saker/{case.ref}/plan", data={"goals": "Min tekst som ikke må forsvinne",
                                                            "child_voice": "", "parents_voice": "",
                                                            "internal_notes": "", "version": str(stale_version)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Min tekst som ikke må forsvinne" in text and "Kollegaens endring" in text
    db.session.expire_all()
    assert plans.plan_of(case).goals == "Kollegaens endring"


@pytest.mark.parametrize("version", [None, "", "abc", "1.0", "99999999999999999999", "-1", "٣"])
def test_plan_save_without_a_valid_version_is_refused_and_keeps_text(client, login, make_user, make_case, version):
    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder)
    plans.update_plan(case, holder, goals="Lagret mål", child_voice="Lagret stemme", parents_voice="")
    data = {"goals": "Min tekst som ikke må forsvinne", "child_voice": "", "parents_voice": "", "internal_notes": ""}
    if version is not None:
        data["version"] = version
    response = client.post(f"/saker/{case.ref}/plan", data=data)
    assert response.status_code == 422
    assert "Min tekst som ikke må forsvinne" in response.get_data(as_text=True)
    db.session.expire_all()
    assert plans.plan_of(case).goals == "Lagret mål"


def test_partial_plan_post_never_blanks_fields(client, login, make_user, make_case):
    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder)
    plan = plans.update_plan(case, holder, goals="Lagret mål", child_voice="Lagret stemme", parents_voice="Foreldre",
                             internal_notes="Internt")
    response = client.post(f"/saker/{case.ref}/plan", data={"goals": "Nytt mål", "version": str(plan.version)})
    assert response.status_code == 422 and "Nytt mål" in response.get_data(as_text=True)
    db.session.expire_all()
    saved = plans.plan_of(case)
    assert (saved.goals, saved.child_voice, saved.parents_voice, saved.internal_notes) == (
        "Lagret mål", "Lagret stemme", "Foreldre", "Internt")


@pytest.mark.parametrize("drop", ["version", "what", "responsible"])
def test_measure_save_without_version_or_with_a_field_missing_is_refused(client, login, make_user, make_case, drop):
    from datetime import date

    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder)
    measure = plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål",
                                                                 date(2026, 1, 1), date(2026, 2, 1)))
    data = {"service_key": "school", "responsible_id": "", "responsible": "Meg", "what": "Min nye beskrivelse",
            "goal": "Nytt mål",
            "start_on": "2026-01-01", "evaluate_on": "2026-02-01", "status": "active", "version": str(measure.version)}
    del data[drop]
    response = client.post(f"/saker/{case.ref}/plan/tiltak/{measure.id}", data=data)
    assert response.status_code == 422 and "Nytt mål" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(type(measure), measure.id)
    assert (kept.what, kept.responsible, kept.goal) == ("Leksehjelp", "Lærer", "Mål")


def test_decision_without_version_is_refused(client, login, make_user, make_case):
    from flows import form_data

    holder = login(make_user())
    case = make_case(by=holder)
    data = form_data({"observation": "Min observasjon"}, "done", case.version, "l0-concretise")
    del data["version"]
    response = client.post(f"/saker/{case.ref}/beslutning", data=data)
    assert response.status_code == 422 and "Min observasjon" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(case), case.id).step_id == case.step_id


@pytest.mark.parametrize("observation, message", [("x" * 5001, "høyst 5000 tegn"),
                                                  ("Sover\x00 i timene", "kontrolltegn")])
def test_step_fields_are_bounded_and_refuse_control_characters(client, login, make_user, make_case, observation,
                                                               message):
    from flows import CONCRETISE, form_data

    holder = login(make_user())
    case = make_case(by=holder)
    response = client.post(f"/saker/{case.ref}/beslutning",
                           data=form_data({**CONCRETISE, "observation": observation}, "done", case.version,
                                          "l0-concretise"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and 'maxlength="5000"' in page
    db.session.expire_all()
    assert db.session.get(type(case), case.id).step_id == case.step_id


def test_every_form_built_checks_its_text_once_however_many_were_built_before(app):
    """The house rules (a length limit, no control characters) are added to each bound field, never to the
    declared field: written back, they piled up one more check per form built, in every worker."""
    from tik.cases.forms import ConsentForm, HandoverForm
    from tik.forms import no_control_characters

    with app.test_request_context():
        for _ in range(5):
            form = HandoverForm(formdata=None)
            consent = ConsentForm(formdata=None)
        assert [v for v in form.to_user.validators if v is no_control_characters] == [no_control_characters]
        assert len(form.to_user.validators) == len(HandoverForm.to_user.kwargs["validators"]) + 1
        assert [v for v in consent.given_on.validators if getattr(v, "__name__", "") == "sane_date"] != []
        assert len(consent.given_on.validators) == len(ConsentForm.given_on.kwargs["validators"]) + 1
        form.to_user.validators.append("a check added to one form")
        assert "a check added to one form" not in HandoverForm(formdata=None).to_user.validators


def test_stale_measure_save_answers_409(client, login, make_user, make_case):
    from datetime import date

    from tik.plans import service as plans

    holder = login(make_user())
    case = make_case(by=holder)
    measure = plans.add_measure(case, holder, plans.MeasureInput("school", "Lærer", "Leksehjelp", "Mål",
                                                                 date(2026, 1, 1), date(2026, 2, 1)))
    old = measure.version
    plans.update_measure(case, measure, holder, plans.MeasureInput("school", "Rektor", "Leksehjelp", "Mål",
                                                                   date(2026, 1, 1), date(2026, 2, 1)), old)
    response = client.post(f"/saker/{case.ref}/plan/tiltak/{measure.id}", data={
        "service_key": "school", "responsible_id": "", "responsible": "Meg", "what": "Min nye beskrivelse",
        "goal": "Mål", "start_on": "2026-01-01", "evaluate_on": "2026-02-01", "status": "active", "version": str(old)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "Min nye beskrivelse" in text and "Rektor" in text


def test_stale_decision_answers_409_and_keeps_fields(client, login, make_user, make_case):
    from flows import CONCRETISE, form_data

    from tik.cases.steps import decide

    holder = login(make_user())
    case = make_case(by=holder)
    old = case.version
    decide(case, "done", CONCRETISE, by=holder)
    response = client.post(f"/saker/{case.ref}/beslutning",
                           data=form_data({"observation": "Min observasjon"}, "done", old, "l0-concretise"))
    assert response.status_code == 409 and "Min observasjon" in response.get_data(as_text=True)


def test_double_submitted_measure_creates_one(client, login, make_user, make_case):
    from tik.plans.models import Measure

    holder = login(make_user())
    case = make_case(by=holder)
    data = {"service_key": "school", "responsible": "Lærer", "what": "Leksehjelp", "goal": "Mål",
            "start_on": "2026-01-01", "evaluate_on": "2026-02-01", "status": "planned", "idempotency_key": "k1"}
    client.post(f"/saker/{case.ref}/plan/tiltak", data=data)
    client.post(f"/saker/{case.ref}/plan/tiltak", data=data)
    assert db.session.scalar(db.select(db.func.count(Measure.id))) == 1


def nin_with_control_digits(first9: str) -> str:
    """Add both control digits by the rule in use before 2032 (the tests' own independent computation)."""
    d = [int(c) for c in first9]
    k1 = (11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d, strict=True)) % 11) % 11
    d.append(k1)
    k2 = (11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d, strict=True)) % 11) % 11
    assert k1 != 10 and k2 != 10, "pick another individual number"
    return first9 + str(k1) + str(k2)


@pytest.mark.parametrize("first9, born", [
    ("010107501", "2007-01-01"),     # ordinary, born 2007 (individual number 501)
    ("150583123", "1983-05-15"),     # ordinary, born 1983
    ("410107501", "2007-01-01"),     # D-number (day + 40)
    ("014187123", "1987-01-01"),     # H-number / NAV synthetic (month + 40)
    ("018187123", "1987-01-01"),     # Skatteetaten synthetic (month + 80)
])
def test_valid_national_ids(first9, born):
    assert birth_date_of(nin_with_control_digits(first9)).isoformat() == born


def test_the_2032_rule_accepts_first_control_digits_with_remainder_1_to_3():
    from tik.identity.nin import W1, W2

    base = [0, 1, 0, 1, 3, 2, 5, 0, 0]  # 01.01.32, individual number 500 → 2032
    found = set()
    for k1 in range(10):
        digits = base + [k1]
        r = sum(w * d for w, d in zip(W1, digits, strict=True)) % 11
        k2 = (11 - sum(w * d for w, d in zip(W2[:10], digits, strict=True)) % 11) % 11
        if k2 == 10:
            continue
        nin = "".join(map(str, digits + [k2]))
        if r in (1, 2, 3):
            assert birth_date_of(nin).year == 2032
            found.add(r)
    assert found


def _flip(nin: str, index: int) -> str:
    return nin[:index] + str((int(nin[index]) + 1) % 10) + nin[index + 1:]


@pytest.mark.parametrize("nin, reason", [
    (_flip(nin_with_control_digits("010107501"), 10), "control_digit_2"),
    (_flip(nin_with_control_digits("010107501"), 9), None),  # a wrong first digit breaks a rule
    ("0101075016", "format"), ("abcdefghijk", "format"),
    (nin_with_control_digits("310207501"), "birth_date"),  # 31 February
])
def test_invalid_national_ids(nin, reason):
    with pytest.raises(InvalidNationalId) as error:
        birth_date_of(nin)
    if reason:
        assert error.value.reason == reason


def test_national_id_is_encrypted_at_rest(app, client, login, make_user, database_url):
    login(make_user())
    response = client.post("/bekymring/skjema", data={
        "first_name": "Kari", "last_name": "Nordmann", "birth_date": "2007-01-01", "nin": "01010750160",
        "observation": "Observasjon", "urgency": "none", "guardians-0-name": "Ola"})
    assert response.status_code == 302
    from tik.concerns.models import Child

    child = db.session.scalar(db.select(Child))
    assert child.nin_encrypted and b"01010750160" not in child.nin_encrypted
    from tik import crypto

    assert crypto.decrypt(child.nin_encrypted) == "01010750160"
    if database_url.startswith("sqlite"):
        from pathlib import Path

        db.session.commit()
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        assert b"01010750160" not in raw and b"Nordmann" in raw  # the name is there, the id is not


def test_logs_of_the_full_flow_carry_no_personal_data(client, login, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    user = login(make_user())
    response = client.post("/bekymring/skjema", data={
        "first_name": "Lykkelina", "last_name": "Hemmeligsen", "birth_date": "2007-01-01", "nin": "01010750160",
        "observation": "Sårbar-observasjon-x", "urgency": "none", "guardians-0-name": "Forelder Fornavnsen"})
    ref = response.headers["Location"].split("/saker/")[1].split("?")[0]
    client.get(f"/saker/{ref}")
    client.post("/saker", data={"q": "Lykkelina"})
    client.get(f"/saker/{ref}/plan.pdf?versjon=familie")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Lykkelina", "Hemmeligsen", "01010750160", "Sårbar-observasjon", "Fornavnsen"):
        assert secret not in logged
    assert user.username  # the flow ran as a real user


def test_data_key_must_be_32_bytes(tmp_path):
    from tik.config import ConfigError, settings_from_env

    with pytest.raises(ConfigError, match="TIK_DATA_KEY"):
        settings_from_env({"TIK_ENV": "production", "TIK_INSTANCE_PATH": str(tmp_path), "TIK_SECRET_KEY": "s" * 40,
                           "TIK_DATA_KEY": base64.b64encode(b"short").decode(), "DATABASE_URL": "postgresql://x"})


def test_case_pages_are_not_cached(client, login, make_user, make_case):
    user = login(make_user())
    case = make_case(by=user)
    assert client.get(f"/saker/{case.ref}").headers["Cache-Control"] == "no-store"
    assert isinstance(clock.now(), datetime)


def test_logout_ends_only_this_browser_s_session(app, make_user):
    make_user(username="twice")
    make_user(username="bystander")
    here, there, other = app.test_client(), app.test_client(), app.test_client()
    for client, name in ((here, "twice"), (there, "twice"), (other, "bystander")):
        assert _login(client, name).status_code == 302
    here.post("/logout")
    assert here.get("/min-side").status_code == 302
    assert there.get("/min-side").status_code == 200 and other.get("/min-side").status_code == 200


def test_a_password_change_ends_only_that_user_s_sessions(app, make_user):
    user = make_user(username="changes")
    make_user(username="unaffected")
    other = app.test_client()
    assert _login(other, "unaffected").status_code == 302
    auth.change_password(user, "another-new-password")
    assert other.get("/min-side").status_code == 200


def test_national_ids_typed_with_spaces_are_read(app):
    assert birth_date_of("010107 50160") == birth_date_of("01010750160")
    for typed in ("0101075016X", "0101075016²", "٠١٠١٠٧٥٠١٦٠"):
        with pytest.raises(InvalidNationalId) as error:
            birth_date_of(typed)
        assert str(error.value) == error.value.reason == "format"


def test_the_lookup_hash_tells_national_ids_apart_and_finds_the_same_again(app):
    from tik import crypto

    assert crypto.lookup_hash("01010750160") == crypto.lookup_hash("01010750160")
    assert crypto.lookup_hash("01010750160") != crypto.lookup_hash("15058312345")


def test_the_schedule_run_purges_ended_logins_and_keeps_live_ones(app, runner, make_user):
    """`tik retention run` deletes the logins no cookie can use any more, a day after they ended (logout)
    or after the absolute timeout; live logins and freshly ended ones stay."""
    from tik.auth.sessions import UserSession

    def rows() -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(UserSession))

    for name in ("leaves", "forgets", "stays", "recent"):
        make_user(username=name)
    leaving, forgotten, staying, recent = (app.test_client() for _ in range(4))
    start = clock.now()
    assert _login(leaving, "leaves").status_code == 302 and _login(forgotten, "forgets").status_code == 302
    leaving.post("/logout")
    clock.travel(start + timedelta(hours=25))
    assert _login(staying, "stays").status_code == 302 and _login(recent, "recent").status_code == 302
    recent.post("/logout")
    assert rows() == 4
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "1 utløpte innlogginger slettet" in result.output  # the logout of a day ago
    assert rows() == 3 and staying.get("/min-side").status_code == 200
    hours = app.config["TIK_ABSOLUTE_HOURS"]
    clock.travel(start + timedelta(hours=hours + 24, minutes=1))
    runner.invoke(args=["retention", "run"])
    assert rows() == 2  # the forgotten login, a day past its absolute timeout; the later two stay
    assert runner.invoke(args=["retention", "run", "--dry-run"]).output.count("innlogginger") == 0


def test_an_admin_deactivates_others_never_themselves_and_nobody_else_deactivates_anyone(client, login, make_user):
    from tik.auth.models import Role

    admin, other = make_user(username="admin", roles=[Role.ADMIN]), make_user(username="other")
    colleague = make_user(username="colleague", roles=[Role.EMPLOYEE, Role.LEADER])
    login(admin)
    page = client.get("/admin/brukere").get_data(as_text=True)
    assert f"/admin/brukere/{other.id}/deaktiver" in page and f"/admin/brukere/{admin.id}/deaktiver" not in page
    assert client.post(f"/admin/brukere/{admin.id}/deaktiver").status_code == 404
    login(colleague)
    assert client.post(f"/admin/brukere/{other.id}/deaktiver").status_code == 404
    db.session.expire_all()
    assert admin.active and other.active
    login(admin)
    assert client.post(f"/admin/brukere/{other.id}/deaktiver").status_code == 302
    db.session.expire_all()
    assert not other.active


def test_the_menu_offers_administration_to_an_admin_and_not_to_an_employee(client, login, make_user):
    """The templates' may_use asks the policy for the signed-in user: the link shows where the route lets them in."""
    from tik.auth.models import Role

    admin, employee = make_user(roles=[Role.ADMIN]), make_user()
    login(admin)
    assert 'href="/admin/brukere"' in client.get("/min-side").get_data(as_text=True)
    login(employee)
    assert 'href="/admin/brukere"' not in client.get("/min-side").get_data(as_text=True)


def test_a_timed_out_session_sends_the_user_to_log_in_saying_why_and_back_where_they_were(client, login,
                                                                                         make_user):
    login(make_user())
    clock.travel(clock.now() + timedelta(minutes=31))
    answer = client.get("/saker")
    assert answer.status_code == 302
    assert "/login?" in answer.headers["Location"] and "expired=1" in answer.headers["Location"]
    assert "next=/saker" in answer.headers["Location"].replace("%2F", "/")
