"""No personal data in any log line, error paths included: the log names a request id, never the form or SQL."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from tik.extensions import db

NAME = "Lykkelina"
SURNAME = "Hemmeligsen"


def _fail_with_sql(*_args, **_kwargs):
    """A database error whose statement carries the child's name as a parameter."""
    db.session.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": f"{NAME} {SURNAME}"})


def _fail_with_cast(*_args, **_kwargs):
    """A database error whose message repeats the refused value itself (PostgreSQL does; SQLite casts)."""
    db.session.execute(text("SELECT CAST(:name AS INTEGER) FROM no_such_table"), {"name": f"{NAME} {SURNAME}"})


def _fail_in_python(*_args, **_kwargs):
    raise ValueError(f"could not handle {NAME} {SURNAME}")


@pytest.mark.parametrize("failure", [_fail_with_sql, _fail_with_cast, _fail_in_python])
def test_an_error_with_a_child_s_name_in_the_form_leaves_no_name_in_the_log(app, client, login, make_user,
                                                                            monkeypatch, caplog, failure):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error becomes a 500 page and a log line
    monkeypatch.setattr("tik.concerns.views.register_concern", failure)
    login(make_user())
    caplog.set_level(logging.DEBUG)
    response = client.post("/bekymring/skjema", data={
        "first_name": NAME, "last_name": SURNAME, "birth_date": "2015-01-01", "observation": f"{NAME} gråter",
        "urgency": "none", "guardians-0-name": f"Mor {SURNAME}"})
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert records, "the error was not logged at all"
    logged = "\n".join(caplog.handler.format(r) for r in caplog.records)
    assert request_id in logged and "test_logs.py" in logged  # where it failed, never what it held
    assert NAME not in logged and SURNAME not in logged
    assert NAME not in caplog.text and SURNAME not in caplog.text


def test_sql_parameters_are_hidden_from_database_errors(app):
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as error:
        _fail_with_sql()
    db.session.rollback()
    assert NAME not in str(error.value)
