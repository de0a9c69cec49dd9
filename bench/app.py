"""The app as production serves it, plus a bare "hello" route that every ratio is measured against."""

from __future__ import annotations

from flask import Flask

from tik import create_app
from tik.auth.policy import public


def create_bench_app() -> Flask:
    """TIK with login rate limits off (the load driver logs in many times from one address)."""
    app = create_app({"RATELIMIT_ENABLED": False})

    @app.get("/bench/hello")
    @public
    def bench_hello():
        return "hello"

    return app
