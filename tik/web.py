"""What every request shares: language, sessions and their timeouts, access, security headers, filters."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date, datetime

from flask import (
    Flask,
    abort,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import IntegerConverter, UnicodeConverter

from tik.auth.policy import ACCESS_ATTR, can_deactivate, is_writable, may_use, public
from tik.bidi import isolate, isolate_user_text
from tik.clock import overdue
from tik.config import ROOT
from tik.dates import show_date, show_datetime
from tik.db import read_request, request_ended
from tik.extensions import interface_language, login_manager
from tik.guides.markdown import render_guidance
from tik.municipalities import current_municipality
from tik.timeline.describe import describe

DESIGNSYSTEM = ROOT / "node_modules" / "@digdir"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")


class BoundedInt(IntegerConverter):
    """`<int:…>` in every route: 0 … 2³¹−1, the range of the database's integer ids, in at most ten digits
    (a longer run is not even converted); anything else is a 404."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 0, max: int | None = 2**31 - 1,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = r"-?\d{1,10}" if signed else r"\d{1,10}"


class PlainText(UnicodeConverter):
    """`<name>` (the default converter) in every route: at most 200 characters and no control characters
    (NUL among them), so that no such value reaches a query; anything else is a 404."""

    regex = r"[^/\x00-\x1f\x7f-\x9f]{1,200}"

    def __init__(self, url_map, minlength: int = 1, maxlength: int | None = None, length: int | None = None):
        super().__init__(url_map, minlength=minlength, maxlength=maxlength, length=length)
        if maxlength is None and length is None:
            self.regex = rf"[^/\x00-\x1f\x7f-\x9f]{{{minlength},200}}"


# Line breaks and other control characters in what a request sent (a path, a header) would start a forged line.
_LOG_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value: object) -> object:
    """A string as it may appear in a log line: control characters (CR, LF …) written as \\xNN."""
    if not isinstance(value, str):
        return value
    return _LOG_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                             else f"\\u{ord(m.group()):04x}", value)


class OneLinePerRecord(logging.Filter):
    """Escapes the arguments of a log record (where request data goes: gunicorn's access atoms, Werkzeug's
    request line), so that nothing a client sends can end a line and write one of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn's atoms (a dict of its own): escaped in place
            for key, value in list(record.args.items()):
                record.args[key] = one_line(value)
        elif isinstance(record.args, Mapping):
            record.args = {k: one_line(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(one_line(v) for v in record.args)
        return True


ONE_LINE = OneLinePerRecord()
REQUEST_LOGGERS = ("gunicorn.access", "gunicorn.error", "werkzeug")


def locale_for_request() -> str:
    """The user's chosen language, else the session's, else the municipality's own; only the languages the
    municipality offers (bokmål first for one municipality without municipalities.yaml). A command (no
    request) speaks the municipality's own."""
    if not has_request_context():
        return municipality_language()
    offered = current_municipality().languages
    if current_user and current_user.is_authenticated and current_user.locale in offered:
        return current_user.locale
    if session.get("lang") in offered:
        return session["lang"]
    return municipality_language()


def timezone_for_request() -> str:
    """flask-babel's time zone: the request's municipality's (municipalities.yaml `timezone`), the same zone
    tik.clock and tik.dates show every time and "today" in; one municipality without that file: the install's."""
    return current_municipality().timezone


def municipality_language() -> str:
    """The municipality's first language (municipalities.yaml); one municipality without that file speaks its
    guidebook's first that the interface has (a Swedish guidebook's sign-in page is Swedish), else bokmål."""
    from tik.auth.service import interface_language_of_guide

    municipality = current_municipality()
    return interface_language_of_guide() if municipality.single else municipality.languages[0]


def register_web(app: Flask) -> None:
    from tik.auth.service import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    for name in (*REQUEST_LOGGERS, app.logger.name):
        if ONE_LINE not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(ONE_LINE)
    login_manager.login_message = None
    # Sessions are server-side rows (tik/auth/sessions.py); nothing a header can forge (the address,
    # X-Forwarded-For) decides whether one holds.
    login_manager.session_protection = None

    @app.before_request
    def load_user_afresh():
        """Each request loads its user and language afresh, never from an outer app context (tests, CLI)."""
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        g.pop("session_expired", None)
        if request.method in ("GET", "HEAD"):
            read_request()

    @app.teardown_request
    def end_reading(_error=None):
        request_ended()

    @app.before_request
    def deny_undeclared_routes():
        """Default deny: a route that does not declare its access answers 404."""
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and not hasattr(view, ACCESS_ATTR):
            abort(404)

    @app.before_request
    def session_timeouts():
        """A session that timed out (the loader revoked it) sends the user to log in again, saying why."""
        if current_user.is_authenticated or not g.get("session_expired"):
            return None
        session.clear()
        return redirect(url_for("auth.login", next=request.path, expired=1))

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["TIK_ENV"] == "production":
            response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static" and not request.endpoint == "designsystem":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(429)
    def too_many(_error):
        return render_template("errors/429.html"), 429

    import redis

    @app.errorhandler(redis.exceptions.RedisError)
    def redis_unavailable(_error):
        """Redis (the shared login counters) is down: a clear page saying so, 503, never a 500."""
        from tik.errors import request_id
        from tik.extensions import db

        db.session.rollback()
        app.logger.error("request %s: Redis is unavailable", request_id())
        return render_template("errors/503.html", request_id=request_id()), 503

    @app.route("/designsystem/<path:filename>", endpoint="designsystem")
    @public
    def designsystem(filename: str):
        """Designsystemet's CSS from npm (installed by the setup, never copied into the repository)."""
        return send_from_directory(DESIGNSYSTEM, filename, max_age=86400)

    app.view_functions["static"] = public(app.view_functions["static"])

    @app.get("/")
    @public
    def index():
        if current_user.is_authenticated:
            return redirect(url_for("mywork.start"))
        return redirect(url_for("auth.login"))

    @app.get("/healthz")
    @public
    def healthz():
        """Each dependency's state ("ok", "down"; Redis "not used" without TIK_REDIS_URL); 503 if one is down."""
        checks = {"db": _database_state(), "redis": _redis_state(app.config.get("TIK_REDIS_URL"))}
        healthy = "down" not in checks.values()
        return {"status": "ok" if healthy else "down", **checks}, 200 if healthy else 503

    isolate_user_text(app.jinja_env)  # a right-to-left override in user text stays inside that text
    app.jinja_env.filters["bdi"] = isolate  # for user text a template gets otherwise than from an attribute
    app.jinja_env.filters["date"] = _date
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["guidance"] = render_guidance  # guidebook text under the page's own heading
    app.jinja_env.globals["overdue"] = overdue  # a deadline or evaluation date before the day (tik.clock)
    app.jinja_env.globals["is_writable"] = is_writable  # the policy's rule: an open, unrestricted case
    app.jinja_env.globals["describe"] = describe  # a timeline entry's words (tik/timeline/describe.py)
    # Templates ask the policy, never decide (tests/checks/test_unit_of_work.py scans them for decisions of their own).
    app.jinja_env.globals["may_use"] = lambda endpoint: may_use(current_user, endpoint)
    app.jinja_env.globals["can_deactivate"] = lambda user: can_deactivate(current_user, user)

    has_designsystem = (DESIGNSYSTEM / "designsystemet-css").is_dir()

    @app.context_processor
    def shared():
        here = current_municipality()  # the language picker offers only this municipality's languages
        return {"municipality": here.name, "lang": interface_language(),
                "LANGUAGES": {code: LANGUAGE_NAMES[code] for code in here.languages},
                "has_designsystem": has_designsystem, **translations_for_render()}



LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English", "sv": "Svenska"}  # each in its own language


def _database_state() -> str:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from tik.extensions import db

    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError:
        db.session.rollback()
        return "down"


def _redis_state(url: str | None) -> str:
    if not url:
        return "not used"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.exceptions.RedisError:
        return "down"


def translations_for_render() -> dict:
    """`_()` and `ngettext` bound to this render's catalogue, looked up once: the case page translates more
    than a hundred strings, and flask-babel's own callables look the request's catalogue up for each.
    They do what Jinja's i18n extension does with flask-babel's (newstyle: autoescaped, %-formatted)."""
    catalogue = get_translations()

    @pass_context
    def gettext(context, string, /, **variables):
        text = catalogue.ugettext(string)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # nosec B704 - as Jinja's i18n

    @pass_context
    def ngettext(context, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        text = catalogue.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # nosec B704 - as Jinja's i18n

    return {"gettext": gettext, "ngettext": ngettext}


# The dates and times on a page: local time, in the reader's language, through tik.dates (as every print).
def _date(value: date | None, fmt: str = "short") -> str:
    return show_date(value, str(get_locale() or "nb"), fmt)


def _datetime(value: datetime | None) -> str:
    return show_datetime(value, str(get_locale() or "nb"))



def pdf_response(filename: str, data: bytes):
    """A PDF download. The file name carries a reference, never a child's name."""
    from flask import make_response

    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
