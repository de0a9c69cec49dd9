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
