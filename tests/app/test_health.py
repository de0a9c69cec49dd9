"""When a dependency is down: /healthz names it and answers 503; with Redis down, login is a clear 503 page."""

from __future__ import annotations

import socket

import pytest

from tik import create_app


@pytest.fixture
def nothing_listening() -> str:
    """A Redis URL where nothing answers (a port just closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_healthz_reports_each_dependency(app, client):
    app.config["TIK_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok", "redis": "ok"}


def test_healthz_is_unhealthy_when_redis_is_down(app, client, nothing_listening):
    app.config["TIK_REDIS_URL"] = nothing_listening
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "db": "ok", "redis": "down"}


def test_healthz_is_unhealthy_when_the_database_is_down(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/tik.sqlite"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "db": "down", "redis": "not used"}


def test_login_with_redis_down_is_a_clear_503_page(database_url, _schema, nothing_listening, monkeypatch):
    monkeypatch.setenv("TIK_REDIS_URL", nothing_listening)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": True})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Tjenesten er midlertidig utilgjengelig" in page and "Prøv igjen om noen minutter" in page
