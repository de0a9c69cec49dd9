"""Each request's municipality chosen before anything reads the database; the path prefix; the clock's zone."""

from __future__ import annotations

from flask import current_app, g, has_app_context

from tik import clock
from tik.municipalities import (
    BROKEN,
    REQUEST_KEY,
    MunicipalityFileError,
    PathPrefix,
    choose_for_request,
    current_municipality,
)
from tik.municipalities.scope import register_scope


def register_municipalities(app) -> None:
    """Choose each request's municipality (before anything reads the database), the path prefix, the clock."""
    from flask import render_template

    register_scope()
    app.wsgi_app = PathPrefix(app.wsgi_app, app)
    clock.zone_source(_zone_of_current)

    @app.before_request
    def choose_municipality():
        g.pop(REQUEST_KEY, None)
        municipality = g.tik_municipality = choose_for_request()
        problems = app.extensions.get(BROKEN, {}).get(municipality.key)
        if problems:
            from tik.errors import request_id

            app.logger.error("municipality %s is stopped: %s", municipality.key, "; ".join(problems))
            return render_template("errors/503.html", request_id=request_id()), 503
        return None

    @app.teardown_request
    def forget_municipality(_error=None):
        g.pop(REQUEST_KEY, None)


def _zone_of_current() -> str | None:
    if not has_app_context() or "TIK_GUIDEBOOK" not in current_app.config:  # another app (the test provider)
        return None
    try:
        municipality = current_municipality()
    except (RuntimeError, MunicipalityFileError):
        return None
    return municipality.timezone  # one municipality without municipalities.yaml: the install's setting
