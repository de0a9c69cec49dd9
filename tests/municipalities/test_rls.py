"""Row-level security (PostgreSQL): a query that forgets the application's scope, run under the app's role,
returns nothing of another municipality, and the app's role cannot turn the policies off. On SQLite there is no
such second line: the application's scope is the only one (docs/operations.md, "Several municipalities")."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from test_municipalities import places, register, two  # noqa: F401 - the two municipalities' fixtures

from tik.extensions import db
from tik.municipalities import municipality_scope
from tik.municipalities.rls import drop_statements, row_security_statements

MIGRATION = (Path(__file__).resolve().parents[2] / "migrations" / "versions"
             / "b28c0e1f5a90_several_municipalities.py")


def test_the_migration_applies_exactly_the_policies_of_the_code():
    spec = importlib.util.spec_from_file_location("several_municipalities", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.row_security_statements() == row_security_statements()


@pytest.fixture
def two_cases(places):  # noqa: F811 - the fixture imported above
    a, b = places
    with municipality_scope(a.municipality):
        case_a = register(a.holder).case
    with municipality_scope(b.municipality):
        case_b = register(b.holder).case
    return case_a, case_b


@pytest.fixture
def app_role(app):
    """On PostgreSQL: the policies in force and a role like the app's in production (NOSUPERUSER NOBYPASSRLS,
    not the tables' owner), with the rights the app has; an engine connected as that role."""
    role = f"tik_app_{secrets.token_hex(3)}"
    db.session.commit()  # the test's own session holds no table while the policies are put in place
    with db.engine.begin() as conn:
        for statement in row_security_statements():
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    engine = create_engine(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(username=role, password=None))
    try:
        yield engine
    finally:
        engine.dispose()
        db.session.rollback()
        with db.engine.begin() as conn:
            for statement in drop_statements():
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")


def _is_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_a_raw_query_under_the_apps_role_sees_nothing_of_another_municipality(request, two_cases):
    case_a, case_b = two_cases
    if not _is_postgresql():
        # SQLite: no second line. A raw query sees both; only the application's scope holds it (see the module).
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "case"')).scalar() == 2
        return
    engine = request.getfixturevalue("app_role")
    with engine.connect() as conn:
        for table in ("case", "child", "concern", "guardian", "case_event", "consent"):
            assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == 0, table  # no scope: nothing
        conn.rollback()
        conn.execute(text("SELECT set_config('tik.municipality', :m, true)"), {"m": str(case_a.municipality_id)})
        assert conn.execute(text('SELECT ref FROM "case"')).scalars().all() == [case_a.ref]
        assert conn.execute(text("SELECT count(*) FROM child")).scalar() == 1
        assert conn.execute(text('SELECT count(*) FROM "case" WHERE ref = :r'), {"r": case_b.ref}).scalar() == 0
        assert conn.execute(text('UPDATE "case" SET close_reason = \'x\' WHERE ref = :r'),
                            {"r": case_b.ref}).rowcount == 0  # nor written to
        conn.rollback()


def test_the_apps_role_cannot_turn_row_security_off(request, two_cases):
    if not _is_postgresql():
        with db.engine.connect() as conn:  # SQLite has no such switch to try: the statement is not SQL there
            with pytest.raises(DBAPIError):
                conn.exec_driver_sql("SET row_security = off")
        return
    engine = request.getfixturevalue("app_role")
    with engine.connect() as conn:
        conn.exec_driver_sql("SET row_security = off")
        with pytest.raises(DBAPIError, match="row-level security"):
            conn.execute(text('SELECT count(*) FROM "case"'))
        conn.rollback()
        for statement in ('ALTER TABLE "case" DISABLE ROW LEVEL SECURITY', 'ALTER TABLE "case" NO FORCE ROW LEVEL '
                          'SECURITY', 'DROP POLICY tik_municipality ON "case"'):
            with pytest.raises(DBAPIError, match="must be owner"):
                conn.exec_driver_sql(statement)
            conn.rollback()


def test_the_app_under_its_role_sets_the_municipality_per_transaction(request, app, client, two_cases, places):  # noqa: F811
    """The app itself, connected as the role the policies hold, works: each transaction carries its municipality."""
    if not _is_postgresql():
        return
    from test_municipalities import A, log_in

    engine = request.getfixturevalue("app_role")
    ref_a, ref_b = (case.ref for case in two_cases)
    engines = app.extensions["sqlalchemy"]._app_engines[app]
    owner = engines[None]
    db.session.commit()
    engines[None] = engine  # the app now connects as the role the policies hold
    try:
        log_in(client, places[0].holder, A)
        assert client.get(f"/saker/{ref_a}", base_url=A).status_code == 200
        assert client.get(f"/saker/{ref_b}", base_url=A).status_code == 404
    finally:
        db.session.rollback()
        db.session.close()
        engines[None] = owner
