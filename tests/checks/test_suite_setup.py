"""The suite's own shortcuts do not hide what TIK ships, nor leak from one test into the next: tests/conftest.py
makes argon2 cheap for the run, so the hashers TIK ships with are checked here, before the swap; and the `app`
most tests share (support.SharedApp) comes back to each test as the first one got it."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.profiles import RFC_9106_LOW_MEMORY
from support import SHIPPED_HASHERS, SharedApp


def test_tik_ships_argon2id_at_the_recommended_cost():
    assert set(SHIPPED_HASHERS) == {"service", "mfa"}  # kept by conftest before the swap, never empty
    for name, hasher in SHIPPED_HASHERS.items():
        assert isinstance(hasher, PasswordHasher), name
        assert hasher.type is Type.ID, name
        assert hasher.time_cost >= RFC_9106_LOW_MEMORY.time_cost, name
        assert hasher.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost, name
        assert hasher.parallelism >= RFC_9106_LOW_MEMORY.parallelism, name


def test_the_suite_hashes_cheaply_and_in_the_same_format():
    from tik.auth import mfa, service

    assert service._hasher is mfa._hasher and service._hasher.memory_cost == 8
    assert service.hash_password("ein-lang-passord").startswith("$argon2id$")


def test_what_a_test_changes_on_the_shared_app_is_put_back(database_url, _schema):
    from tik.extensions import limiter

    shared = SharedApp(database_url)
    try:
        app = shared.get()
        guide, oidc, mfa = app.extensions["tik_guide"], app.extensions["tik.oidc"], app.config["TIK_MFA_REQUIRED"]
        app.config.update(WTF_CSRF_ENABLED=True, TIK_MFA_REQUIRED=True)
        app.config["TIK_OIDC"]["family"] = {"issuer": "http://elsewhere.test"}
        app.extensions["tik_guide"] = object()
        app.extensions.pop("tik.oidc")
        app.jinja_env.globals["left_behind"] = "x"
        limiter.enabled = True
        shared.put_back()

        assert shared.get() is app and shared.rebuilt == 0  # nothing it could not take back: the same app
        assert app.config["WTF_CSRF_ENABLED"] is False and app.config["TIK_MFA_REQUIRED"] == mfa
        assert "family" not in app.config["TIK_OIDC"]
        assert app.extensions["tik_guide"] is guide and app.extensions["tik.oidc"] is oidc
        assert "left_behind" not in app.jinja_env.globals
        assert limiter.enabled is False
        with app.app_context():  # and it serves: a login form posted without a CSRF token is not refused
            assert app.test_client().post("/login", data={"username": "x", "password": "y"}).status_code != 400
    finally:
        shared.close()


def test_a_test_that_adds_a_route_to_the_shared_app_leaves_the_next_test_a_new_one(database_url, _schema):
    shared = SharedApp(database_url)
    try:
        app = shared.get()
        app.add_url_rule("/leaky", "leaky", lambda: "secret")
        shared.put_back()
        fresh = shared.get()
        assert fresh is not app and shared.rebuilt == 1
        assert "leaky" not in fresh.view_functions
    finally:
        shared.close()


# Two tests in a row on the real fixture: what the first changes is gone for the second (pytest runs a file's
# tests in order, on one worker).
def test_a_test_may_change_the_shared_apps_configuration_for_itself(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    app.jinja_env.globals["left_behind"] = "x"
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 400  # CSRF refused


def test_the_next_test_gets_the_shared_app_without_that_change(app, client):
    assert app.config["WTF_CSRF_ENABLED"] is False and "left_behind" not in app.jinja_env.globals
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code != 400
