"""The app factory, configuration, the handbook pages and the response headers."""

from __future__ import annotations

import base64
import re
import secrets

import pytest

from tik.config import ConfigError, settings_from_env


def test_factory_uses_given_config(app):
    assert app.config["TESTING"] is True
    assert "auth" in app.blueprints and "cases" in app.blueprints and "plans" in app.blueprints


def test_development_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    settings = settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path)})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tik.sqlite'}"
    assert len(settings["SECRET_KEY"]) >= 32
    assert len(base64.b64decode(settings["TIK_DATA_KEY"])) == 32
    assert settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"] == settings["SECRET_KEY"]


def test_database_url_comes_from_the_environment(tmp_path):
    url = "postgresql+psycopg://tik@db/tik"
    assert settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})[
        "SQLALCHEMY_DATABASE_URI"] == url


SECRET = secrets.token_urlsafe(40)
KEY = base64.b64encode(secrets.token_bytes(32)).decode()
SAFE = {"TIK_SECRET_KEY": SECRET, "TIK_DATA_KEY": KEY, "DATABASE_URL": "postgresql+psycopg://db/tik",
        "TIK_REDIS_URL": "redis://cache:6379/0",
        "TIK_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}


@pytest.mark.parametrize("env, complaint", [
    ({}, "TIK_SECRET_KEY"),
    ({"TIK_SECRET_KEY": "short"}, "TIK_SECRET_KEY"),
    ({"TIK_SECRET_KEY": SECRET}, "TIK_DATA_KEY"),
    ({"TIK_SECRET_KEY": SECRET, "TIK_DATA_KEY": KEY}, "DATABASE_URL"),
    ({**SAFE, "FLASK_DEBUG": "1"}, "DEBUG"),
    ({**SAFE, "TIK_REDIS_URL": ""}, "TIK_REDIS_URL"),
    ({**SAFE, "TIK_SECRET_KEY": "a" * 32}, "TIK_SECRET_KEY is not random"),
    ({**SAFE, "TIK_SECRET_KEY": "abc123" * 8}, "TIK_SECRET_KEY is not random"),
    ({**SAFE, "TIK_SECRET_KEY": "0123456789abcdef" * 2}, "TIK_SECRET_KEY is not random"),
    ({**SAFE, "TIK_DATA_KEY": base64.b64encode(bytes(32)).decode()}, "TIK_DATA_KEY is not random"),
    ({**SAFE, "TIK_DATA_KEY": base64.b64encode(b"k" * 32).decode()}, "TIK_DATA_KEY is not random"),
    ({**SAFE, "TIK_DATA_KEY": base64.b64encode(bytes(range(16)) * 2).decode()}, "TIK_DATA_KEY is not random"),
])
def test_production_refuses_to_start_unsafe(tmp_path, env, complaint):
    with pytest.raises(ConfigError, match=complaint):
        settings_from_env({"TIK_ENV": "production", "TIK_INSTANCE_PATH": str(tmp_path), **env})


def test_production_with_everything_set_starts(tmp_path):
    settings = settings_from_env({"TIK_ENV": "production", "TIK_INSTANCE_PATH": str(tmp_path), **SAFE})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["RATELIMIT_STORAGE_URI"] == SAFE["TIK_REDIS_URL"]


def test_development_keys_and_the_sqlite_file_are_private(tmp_path):
    import stat

    from tik import create_app
    from tik.extensions import db

    settings = settings_from_env({"TIK_INSTANCE_PATH": str(tmp_path)})
    app = create_app({"SQLALCHEMY_DATABASE_URI": settings["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
    with app.app_context():
        db.create_all()
        db.session.execute(db.text("SELECT 1"))
        db.engine.dispose()
    for name in ("secret_key", "data_key", "tik.sqlite"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name


def test_a_secret_another_process_kept_first_is_the_one_read_and_nothing_is_left_behind(tmp_path):
    from tik.config import kept_secret

    def make_while_another_process_writes_its_own():
        (tmp_path / "data_key").write_text("the first process's key\n")
        return "this process's key"

    assert kept_secret(tmp_path, "data_key", make_while_another_process_writes_its_own) == "the first process's key"
    assert kept_secret(tmp_path, "data_key", lambda: "never made") == "the first process's key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data_key"]


def test_handbook_shows_levels_steps_and_hard_stops(client):
    page = client.get("/handbok/").get_data(as_text=True)
    for text in ("Nivå 0", "Undring", "Nivå 3", "Stopp-punkter", "112"):
        assert text in page


def test_every_step_and_tool_page_renders(client, app):
    from tik.guidebook import current_guide

    guide = current_guide()
    for step in guide.steps.values():
        page = client.get(f"/handbok/steg/{step.id}")
        assert page.status_code == 200 and step.title.get("nb") in page.get_data(as_text=True)
    for tool in guide.tools.values():
        page = client.get(f"/handbok/verktoy/{tool.key}")
        assert page.status_code == 200 and tool.title.get("nb") in page.get_data(as_text=True)


def test_service_directory_signals_and_measures_render(client, app):
    from tik.guidebook import current_guide

    guide = current_guide()
    services = client.get("/handbok/tjenester").get_data(as_text=True)
    assert all(s.name.get("nb") in services for s in guide.services.values())
    signals = client.get("/handbok/tegn").get_data(as_text=True)
    assert all(g.title.get("nb") in signals for g in guide.age_groups)
    measures = client.get("/handbok/tiltak").get_data(as_text=True)
    assert all(a.title.get("nb") in measures for a in guide.measure_areas)


def test_handbook_in_english(client):
    client.post("/language", data={"lang": "en", "next": "/handbok/"})
    page = client.get("/handbok/").get_data(as_text=True)
    assert "Wondering" in page


def test_unknown_handbook_step_is_404(client):
    assert client.get("/handbok/steg/no-such-step").status_code == 404


def test_security_headers_on_every_response(client):
    for url in ("/login", "/handbok/", "/nowhere"):
        headers = client.get(url).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_have_no_inline_scripts(client, login, make_user, make_case):
    user = make_user()
    case = make_case(by=user)
    login(user)
    for url in ("/login", "/handbok/", f"/saker/{case.ref}", "/min-side", "/bekymring/skjema"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "onclick=" not in page and "javascript:" not in page


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok", "redis": "not used"}


def test_static_files_are_cached_but_pages_are_not(client):
    css = client.get("/static/tik.css")
    assert css.status_code == 200 and "max-age=3600" in css.headers["Cache-Control"]
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_behind_a_proxy_the_client_address_is_recorded(database_url, _schema):
    from tik import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TIK_PROXY_COUNT": 1})
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                  headers={"X-Forwarded-For": "203.0.113.7"}):
        from flask import request

        assert request.remote_addr == "10.0.0.1"  # the test context bypasses WSGI middleware
    client = app.test_client()
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == ["203.0.113.7"]


def test_behind_a_proxy_the_audit_trail_records_the_client(app, database_url, make_user, make_case):
    """Not the proxy's address: the audit row of a case view carries the client's."""
    from support import PASSWORD

    from tik import create_app
    from tik.audit.models import AuditEvent
    from tik.extensions import db

    holder = make_user()
    case = make_case(by=holder)
    username, ref, case_id = holder.username, case.ref, case.id
    db.session.remove()  # the proxied app below writes to the same database
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TIK_PROXY_COUNT": 1,
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "TIK_MUNICIPALITIES": None})
    client = proxied.test_client()
    via_proxy = {"headers": {"X-Forwarded-For": "203.0.113.7"}, "environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
    client.post("/login", data={"username": username, "password": PASSWORD}, **via_proxy)
    assert client.get(f"/saker/{ref}", **via_proxy).status_code == 200
    with proxied.app_context():
        db.engine.dispose()
    db.session.remove()
    row = db.session.scalar(db.select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                        AuditEvent.action == "case.view"))
    assert row is not None and row.remote_addr == "203.0.113.7"


def test_dates_print_in_the_users_language_and_a_missing_date_prints_nothing(app):
    from datetime import date

    render = app.jinja_env.filters["date"]
    with app.test_request_context():
        assert render(None) == "" and app.jinja_env.filters["datetime"](None) == ""
        assert render(date(2026, 12, 1)) == "01.12.2026"
        assert render(date(2026, 3, 5), "long") == "5. mars 2026"  # another pattern goes through Babel


def _page_language(client, url: str = "/login") -> str:
    return re.search(r'<html lang="([^"]*)"', client.get(url).get_data(as_text=True)).group(1)


def test_the_interface_language_is_the_users_then_the_sessions_then_bokmal(client, login, make_user):
    """A signed-in user's saved language wins over the session's; a language TIK does not have falls back."""
    assert _page_language(client) == "nb"
    client.post("/language", data={"lang": "nn", "next": "/login"})
    assert _page_language(client) == "nn"
    with client.session_transaction() as session:
        session["lang"] = "de"
    assert _page_language(client) == "nb"
    login(make_user(locale="en"))
    with client.session_transaction() as session:
        session["lang"] = "nn"
    assert _page_language(client, "/min-side") == "en"
    login(make_user(locale="de"))
    with client.session_transaction() as session:
        session["lang"] = "nn"
    assert _page_language(client, "/min-side") == "nn"


def test_the_language_chooser_offers_each_language_by_its_own_name_and_each_choice_works(client):
    chooser = client.get("/login").get_data(as_text=True).split('id="lang-select"')[1].split("</select>")[0]
    options = re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)</option>', chooser)
    assert options == [("nb", "selected", "Bokmål"), ("nn", "", "Nynorsk"), ("en", "", "English"),
                       ("sv", "", "Svenska")]
    for code, _selected, _name in options:
        client.post("/language", data={"lang": code, "next": "/login"})
        assert _page_language(client) == code


def test_pages_link_designsystemet_and_it_is_served(client):
    """`make test` installs Designsystemet from npm (make assets): without it this fails, never skips."""
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="(/designsystem/[^"]+)"', page)
    assert len(links) == 2
    for link in links:
        css = client.get(link)
        assert css.status_code == 200 and "max-age=86400" in css.headers["Cache-Control"]
