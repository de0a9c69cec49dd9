"""Real-browser fixtures: the app served on 127.0.0.1 with the demo municipality (CSRF and the
Content-Security-Policy on, as in production), Debian's chromium driven by Playwright, axe-core from npm."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browserkit import ARTIFACTS, AXE, CHROMIUM, CHROMIUM_ARGS, CHROMIUM_LOCALE, CHROMIUM_NORWEGIAN
from flask import Flask
from playwright.sync_api import expect

# An assertion waits as long as an action (15 s): on a loaded 2-core machine a page can take seconds.
expect.set_options(timeout=15_000)

ASSET_TYPES = {"stylesheet", "script", "image", "font"}


@dataclass(frozen=True)
class LiveServer:
    """The running app and its address."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The real app on a free port, a fresh SQLite database with the demo municipality loaded: one per
    pytest-xdist worker (`make test` sends whole files to a worker, so a file's tests share one server)."""
    from werkzeug.serving import make_server

    from devkit import demo
    from tik import create_app
    from tik.extensions import db

    path = tmp_path_factory.mktemp("browser-db") / "tik.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        assert demo.load()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tik-live-server", daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless; a missing browser or axe-core fails the run instead of skipping it."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists() or not CHROMIUM_NORWEGIAN.exists():
        pytest.fail(f"{CHROMIUM} or its Norwegian locale is missing: `make browser-deps` installs Debian's "
                    "chromium and chromium-l10n.", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make assets` installs axe-core from npm.", pytrace=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                              env={**os.environ, **CHROMIUM_LOCALE})
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser profile (no cookies) in Norwegian, desktop size, downloads allowed, paths relative
    to the app."""
    ctx = browser.new_context(base_url=live_server.url, locale="nb-NO", timezone_id="Europe/Oslo",
                              viewport={"width": 1280, "height": 900}, accept_downloads=True,
                              reduced_motion="reduce")  # details open at once: no half-open screenshots
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A tab in the fresh profile. Every page must load without browser errors: a stylesheet or script that
    the Content-Security-Policy blocks, or a missing asset, fails the test (answers 4xx to forms are fine)."""
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "the server responded with a status of 4" not in message.text:
            errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("response", lambda r: errors.append(f"{r.url} answered {r.status}")
           if r.status >= 400 and r.request.resource_type in ASSET_TYPES else None)
    yield tab
    assert not errors, f"console errors in the browser: {errors}"


@pytest.fixture
def demo_ref(live_server):
    """The reference of an open demo case held by `username` (at `level` when given)."""
    from sqlalchemy import select

    from tik.auth.models import User
    from tik.cases.models import Case, CaseStatus
    from tik.extensions import db

    def find(username: str, level: int | None = None) -> str:
        with live_server.app.app_context():
            query = (select(Case.ref).join(User, Case.coordinator_id == User.id)
                     .where(User.username == username, Case.status == CaseStatus.OPEN).order_by(Case.id))
            if level is not None:
                query = query.where(Case.level == level)
            ref = db.session.scalars(query).first()
            db.session.remove()
        assert ref, f"the demo has no open case held by {username} at level {level}"
        return ref

    return find


@pytest.fixture
def new_case(live_server):
    """Register a concern for a new child as `username` (through the service, as the form would) and
    return the case reference; the reporter, a coordinator, holds the case at level 0."""
    import secrets
    from datetime import date

    from sqlalchemy import select

    from tik.auth.models import User
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
    from tik.extensions import db

    def make(username: str, first_name: str, last_name: str, guardian_language: str = "nb",
             birth_date: date = date(2015, 5, 4), gender: str = "girl") -> str:
        with live_server.app.app_context():
            by = db.session.scalar(select(User).where(User.username == username))
            result = register_concern(
                ChildInput(first_name=first_name, last_name=last_name, birth_date=birth_date, gender=gender,
                           school="Fjordvik barneskole", class_name="5B",
                           guardians=[GuardianInput(f"Hilde {last_name}", "mor", "412 34 567", guardian_language)]),
                ConcernInput(observation=f"{first_name} sover i timene og har ofte ikke matpakke.",
                             since_when="Siden høstferien", how_often="Tre dager i uka"),
                by=by, form_key=secrets.token_urlsafe(16))
            ref = result.case.ref
            db.session.remove()
        return ref

    return make
