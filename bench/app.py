"""The app as production serves it, plus a bare "hello" route that every ratio is measured against."""

from __future__ import annotations

from flask import Flask, abort
from flask_login import current_user
from sqlalchemy import select

from tik import create_app
from tik.auth.policy import public, requires

# The floor's answer has the size of a case page (about 40 kB of HTML), so sending it costs the same.
FLOOR_BODY = "<!doctype html><title>floor</title>" + "<p>" + "x" * 40_000 + "</p>"


def create_bench_app() -> Flask:
    """TIK with login rate limits off (the load driver logs in many times from one address)."""
    app = create_app({"RATELIMIT_ENABLED": False})
    add_bench_routes(app)
    return app


def add_bench_routes(app: Flask) -> None:
    """The references every ratio is measured against: hello (no database) and the floor."""

    @app.get("/bench/hello")
    @public
    def bench_hello():
        return "hello"

    @app.get("/bench/session")
    @requires()
    def bench_session():
        """A logged-in page that reads nothing: what the session, the user and the municipality cost."""
        return FLOOR_BODY

    @app.get("/bench/floor/<ref>")
    @requires()
    def bench_floor(ref: str):
        """The least an audited case page must do: the session's user (loaded by the login machinery), one
        indexed select of the case, the audit event, the commit, and a body of the page's size."""
        from tik.audit.service import record
        from tik.cases.models import Case
        from tik.extensions import db

        case = db.session.scalar(select(Case).where(Case.ref == ref))
        if case is None:
            abort(404)
        record(current_user, "case.view", case)
        db.session.commit()
        return FLOOR_BODY
