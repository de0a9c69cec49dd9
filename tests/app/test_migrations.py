"""The migrations are the schema: from an empty database they reach exactly what the models declare,
and downgrading to base removes everything they made (so upgrading again works)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tik import create_app
from tik.backup import scratch_database
from tik.extensions import db


@pytest.fixture
def empty_app(tmp_path) -> Iterator:
    """An app on a database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    server = os.environ.get("TIK_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    with scratch_database(server, prefix="tik_migrations") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def _migrate(direction: str, revision: str) -> None:
    """Run Alembic as `tik init-db` does, without letting its logging config silence other tests."""
    import flask_migrate

    enabled = {name for name, lg in logging.root.manager.loggerDict.items()
               if isinstance(lg, logging.Logger) and not lg.disabled}
    try:
        getattr(flask_migrate, direction)(revision=revision)
    finally:
        for name in enabled:
            logging.getLogger(name).disabled = False


def _differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_upgrade_from_empty_matches_the_models_exactly(empty_app):
    _migrate("upgrade", "head")
    assert _tables() >= {t.name for t in db.metadata.sorted_tables}
    differences = _differences()
    assert differences == [], (
        "The migrations do not match the models. Generate a migration "
        "(`.venv/bin/flask --app tik db migrate -m '…'`) and review it. Differences:\n"
        + "\n".join(map(repr, differences)))


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(empty_app):
    _migrate("upgrade", "head")
    _migrate("downgrade", "base")
    assert _tables() <= {"alembic_version"}
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            leftover = inspect(conn).get_enums()
        assert leftover == [], f"downgrade left PostgreSQL enum types behind: {[e['name'] for e in leftover]}"
    _migrate("upgrade", "head")
    assert _differences() == []


def test_units_migration_carries_existing_cases_over(empty_app):
    """Before units: access by service. After: each user in their service's unit, each case owned by its
    holder's unit, and those who saw or worked on it participants where consent allows."""
    from datetime import date, datetime, timedelta

    from sqlalchemy import text

    _migrate("upgrade", "1d46e7028aab")
    now, today = datetime(2026, 11, 1, 12), date.today()
    users = [(1, "holder", "school", "employee,coordinator"), (2, "colleague", "school", "employee"),
             (3, "nurse", "health-nurse", "employee"), (4, "nav", "nav", "employee"),
             (5, "rektor", "school", "employee,leader")]
    with db.engine.begin() as conn:
        for uid, username, service, roles in users:
            conn.execute(text(
                'INSERT INTO "user" (id, username, name, title, email, phone, service_key, roles, password_hash, '
                "locale, active, session_epoch, failed_logins, created_at) VALUES "
                "(:id, :u, :u, '', '', '', :s, :r, 'x', 'nb', :t, 1, 0, :now)"),
                {"id": uid, "u": username, "s": service, "r": roles, "t": True, "now": now})
        conn.execute(text("INSERT INTO guide_snapshot (digest, files, created_at) VALUES ('d', '{}', :now)"),
                     {"now": now})
        conn.execute(text(
            "INSERT INTO child (id, first_name, last_name, first_name_key, last_name_key, birth_date, gender, "
            "school, class_name, created_at) VALUES (1, 'A', 'B', 'a', 'b', :b, '', '', '', :now)"),
            {"b": date(2015, 1, 1), "now": now})
        conn.execute(text(
            'INSERT INTO "case" (id, ref, child_id, level, step_id, status, close_reason, coordinator_id, '
            "owning_service, guide_digest, opened_at, step_since, version) VALUES "
            "(1, 'TIK-2026-0001', 1, 2, 'l2-meeting', 'OPEN', '', 1, 'school', 'd', :now, :now, 1)"), {"now": now})
        conn.execute(text(
            "INSERT INTO consent (id, case_id, given_by, young_person, information, purpose, form, given_on, "
            "expires_on, recorded_by_id) VALUES (1, 1, 'Mor', :f, '', 'x', 'PAPER', :g, :e, 1)"),
            {"f": False, "g": today - timedelta(days=10), "e": today + timedelta(days=300)})
        conn.execute(text("INSERT INTO consent_service (id, consent_id, service_key) VALUES (1, 1, 'health-nurse')"))
        for eid, by in ((1, 1), (2, 3), (3, 4)):  # the holder, the nurse (covered), NAV (not covered)
            conn.execute(text(
                "INSERT INTO case_event (id, case_id, at, by_id, kind, step_id, decision, data) VALUES "
                "(:id, 1, :now, :by, 'STEP', '', '', '{}')"), {"id": eid, "by": by, "now": now})
        conn.execute(text(
            "INSERT INTO audit_event (id, at, user_id, username, service_key, action, case_id, case_ref, "
            "remote_addr, detail, prev_hash, hash) VALUES (1, :now, 2, 'colleague', 'school', 'case.view', 1, "
            "'TIK-2026-0001', '', '', 'x', 'y')"), {"now": now})
    _migrate("upgrade", "head")
    with db.engine.connect() as conn:
        units = dict(conn.execute(text("SELECT service_key, id FROM unit")).all())
        assert set(units) == {"school", "health-nurse", "nav"}
        assert dict(conn.execute(text('SELECT username, unit_id FROM "user"')).all())["nurse"] == units["health-nurse"]
        assert conn.execute(text('SELECT unit_id FROM "case"')).scalar() == units["school"]
        participants = set(conn.execute(text("SELECT user_id FROM case_participant WHERE case_id = 1")).scalars())
        assert participants == {2, 3}  # the colleague (same unit) and the nurse (consent); not NAV, not the holder
        leaders = conn.execute(text("SELECT unit_id, user_id FROM unit_leader")).all()
        assert [tuple(r) for r in leaders] == [(units["school"], 5)]
