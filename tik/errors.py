"""Error pages and logs that carry no personal data: a request id links the two, never the form or the SQL; and
`DomainError`, the one error a service raises when it refuses what was asked."""

from __future__ import annotations

import logging
import secrets
import traceback

from flask import Flask, g, render_template
from werkzeug.exceptions import HTTPException

REDACTED = "[message withheld: it may hold personal data]"


class DomainError(ValueError):
    """A service refuses what was asked; `code` says why (a key of tik.messages.refusal_message). The services'
    own names for it (ConsentError, PlanError, …) only say whose refusal it is; views catch DomainError."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def request_id() -> str:
    """The id of this request, shown on the error page and written in the log line of its error."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    return g.request_id


def _frames(exc_info) -> str:
    """The traceback of `exc_info` as types and code locations only, for every exception in the chain."""
    _type, error, _tb = exc_info
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        stack = "".join(traceback.format_tb(error.__traceback__))
        parts.append(f"{type(error).__module__}.{type(error).__qualname__}: {REDACTED}\n{stack}")
        error = error.__cause__ or error.__context__
    return "\n".join(reversed(parts))


class NoPersonalData(logging.Filter):
    """Keeps exception messages and SQL parameters out of log lines; they may hold names and concern text.

    Attached to the app's logger, SQLAlchemy's and Werkzeug's: a record with an exception keeps the
    exception's type and code locations, never its message (a database error repeats the values it refused).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}\n{_frames(record.exc_info)}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        if record.name.startswith("sqlalchemy") and record.args:
            record.args = tuple(REDACTED for _ in record.args) if isinstance(record.args, tuple) else None
        return True


FILTER = NoPersonalData()


def register_errors(app: Flask) -> None:
    """Request ids, the filter on every logger that may see request data, and the 4xx/5xx pages."""
    for name in (app.logger.name, "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "werkzeug"):
        logger = logging.getLogger(name)
        if FILTER not in logger.filters:
            logger.addFilter(FILTER)

    @app.after_request
    def tag_response(response):
        response.headers["X-Request-ID"] = request_id()
        return response

    @app.errorhandler(500)
    def server_error(_error):
        from tik.extensions import db

        db.session.rollback()  # a failed transaction must not break the page that says so
        app.logger.error("request %s ended in a server error", request_id())
        return render_template("errors/500.html", request_id=request_id()), 500

    @app.errorhandler(HTTPException)
    def client_error(error: HTTPException):
        """Any other 4xx (bad request, too large, wrong method) as a page in the user's language."""
        if error.code is None or error.code >= 500:
            return error.get_response()
        response = error.get_response()
        response.data = render_template("errors/4xx.html", code=error.code, request_id=request_id())
        response.content_type = "text/html; charset=utf-8"
        return response
