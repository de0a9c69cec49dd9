"""Row-level security (PostgreSQL): a query that forgets the application's scope, run under the app's role,
returns nothing of another municipality, and the app's role cannot turn the policies off. On SQLite there is no
such second line: the application's scope is the only one (docs/operations.md, "Several municipalities")."""

from __future__ import annotations

import importlib.util
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from test_municipalities import places, register, two  # noqa: F401 - the two municipalities' fixtures

from tik.extensions import db
from tik.municipalities import municipality_scope
from tik.municipalities.rls import (
    drop_statements,
    first_statements,
    held_tables,
    row_security_statements,
    second_statements,
)

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
MIGRATIONS = ("b28c0e1f5a90_several_municipalities.py", "d6a4f2c8b1e3_row_security_on_people_units_stats_audit.py")


def _migration(name: str):
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), VERSIONS / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_apply_exactly_the_policies_of_the_code():
    first, second = (_migration(name) for name in MIGRATIONS)
    assert first.row_security_statements() == first_statements()
    assert second.row_security_statements() == second_statements()
    assert first.row_security_statements() + second.row_security_statements() == row_security_statements()


def test_every_table_that_holds_a_municipality_s_rows_is_under_a_policy():
    """Every table with a municipality_id, and every table reached from one by a foreign key, is held; the
    exceptions are named here with their reason."""
    not_held = {
        "municipality": "the municipalities themselves (the platform's list; no person's data)",
        "unit_municipality": "pairs of ids read by the unit's and user's policies (a policy there would recurse)",
        "unit_leader": "pairs of ids; both the unit and the user are held",
        "guide_snapshot": "the guidebooks' text, shared by cases of every municipality (no person's data)",
        "user_session": "looked up by a secret token before the municipality is known; holds ids only",
        "recovery_code": "one user's hashed codes, found by that user's id",
        "mfa_enrolment_code": "one user's hashed code, found by that user's id",
        "unknown_login_failure": "counts per hashed name, no municipality's data",
        "used_form_key": "idempotency keys, no data",
        "operator_certificate": "the youth service operators' certificates, found by fingerprint",
    }
    held = set(held_tables())
    for table in db.metadata.sorted_tables:
        if table.name in held:
            continue
        assert table.name in not_held, f"{table.name} holds rows but has no row-level policy and no reason"


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


# -- every table, on the demo's two municipalities -----------------------------------------------------------


@contextmanager
def running_as(app, engine):
    """The app (its requests, commands, sequencer) connects as `engine`'s role for the block."""
    engines = app.extensions["sqlalchemy"]._app_engines[app]
    owner = engines[None]
    db.session.commit()
    engines[None] = engine
    try:
        yield
    finally:
        db.session.rollback()
        db.session.close()
        engines[None] = owner


@pytest.fixture
def demo(app):
    """The demo's two municipalities (Fjordvik, Åmål) with a unit shared between them, and their statistics."""
    from test_municipalities import use_file
    from test_municipality_probe import ROOT, SHARED, _share_a_unit

    from devkit.demo import load_all
    from tik.municipalities import by_key, each_municipality
    from tik.stats.refresh import refresh

    use_file(app, ROOT / "municipalities.yaml")
    assert len(load_all()) == 2
    _share_a_unit(by_key("amal"), by_key("fjordvik"), SHARED)
    for _municipality in each_municipality():
        refresh()
    db.session.commit()
    return by_key("fjordvik"), by_key("amal")


def _count(conn, table: str, mid: int | None = None) -> int:
    if mid is not None:
        conn.execute(text("SELECT set_config('tik.municipality', :m, true)"), {"m": str(mid)})
    found = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
    conn.rollback()
    return found


def test_under_the_apps_role_every_table_shows_a_municipality_only_its_own_rows(request, app, demo):
    from tik.municipalities import row_id

    ids = [row_id(m) for m in demo]
    if not _is_postgresql():
        # SQLite: only the application's scope. It holds the same tables: each municipality sees its own cases.
        from tik.cases.models import Case
        from tik.municipalities import municipality_scope

        for municipality, mid in zip(demo, ids, strict=True):
            with municipality_scope(municipality):
                assert {c.municipality_id for c in db.session.scalars(db.select(Case))} == {mid}
        return
    with db.engine.connect() as conn:  # the owner (superuser in the suite): every row
        totals = {table: _count(conn, table) for table in held_tables()}
        shared = conn.execute(text("SELECT count(*) FROM unit_municipality")).scalar()
        shared_staff = conn.execute(text('SELECT count(*) FROM "user" WHERE unit_id IN '
                                         "(SELECT unit_id FROM unit_municipality)")).scalar()
        unplaced = conn.execute(text("SELECT count(*) FROM audit_event WHERE municipality_id IS NULL")).scalar()
    engine = request.getfixturevalue("app_role")
    in_both = []
    with engine.connect() as conn:
        for table in held_tables():
            assert _count(conn, table) == 0, f"{table}: rows without a municipality's scope"
            a, b = (_count(conn, table, mid) for mid in ids)
            twice = {"unit": shared, "user": shared_staff}.get(table, 0)
            lost = unplaced if table == "audit_event" else 0
            assert a + b == totals[table] + twice - lost, f"{table}: {a} + {b} rows seen of {totals[table]}"
            if a and b:
                in_both.append(table)
    # The demo fills these in both municipalities: each alone saw only part of every one of them.
    assert {"case", "child", "concern", "guardian", "consent", "consent_service", "plan", "measure", "unit",
            "user", "stat_cell", "stat_run", "audit_event",
            "case_event", "case_counter"} <= set(in_both), sorted(set(held_tables()) - set(in_both))
    assert shared and shared_staff  # the shared unit and its staff were seen by both (counted twice above)


def test_under_the_apps_role_no_table_takes_a_row_for_another_municipality(request, app, demo):
    from tik.municipalities import row_id

    a, b = (row_id(m) for m in demo)
    if not _is_postgresql():
        return _sqlite_stamps_the_scope(demo, a)
    engine = request.getfixturevalue("app_role")
    with engine.connect() as conn:
        conn.execute(text("SELECT set_config('tik.municipality', :m, true)"), {"m": str(a)})
        own_only = {"user": " AND unit_id NOT IN (SELECT unit_id FROM unit_municipality)",
                    "unit": " AND id NOT IN (SELECT unit_id FROM unit_municipality)"}  # a shared one is both's
        for table in ("user", "unit", "meeting", "team", "stat_cell", "audit_event"):
            assert conn.execute(text(f'UPDATE "{table}" SET municipality_id = municipality_id '
                                     f"WHERE municipality_id = :b{own_only.get(table, '')}"),
                                {"b": b}).rowcount == 0, table
            with pytest.raises(DBAPIError, match="row-level security"), conn.begin_nested():
                moved = conn.execute(text(f'UPDATE "{table}" SET municipality_id = :b WHERE municipality_id = :a'),
                                     {"a": a, "b": b})
                raise AssertionError(f"{table}: {moved.rowcount} rows moved to another municipality")
        conn.rollback()


def _sqlite_stamps_the_scope(demo, a: int) -> None:
    """SQLite: a new row takes the scope's municipality whatever was asked."""
    from tik.meetings.models import Team
    from tik.municipalities import municipality_scope

    with municipality_scope(demo[0]):
        team = Team(name="Nytt team")
        db.session.add(team)
        db.session.flush()
        assert team.municipality_id == a
        db.session.rollback()


def test_the_apps_role_cannot_turn_off_any_table_s_policy(request, app, demo):
    if not _is_postgresql():  # SQLite has no policies to turn off: the statement is not SQL there
        with db.engine.connect() as conn, pytest.raises(DBAPIError):
            conn.exec_driver_sql('ALTER TABLE "case" DISABLE ROW LEVEL SECURITY')
        return
    engine = request.getfixturevalue("app_role")
    with engine.connect() as conn:
        for table in held_tables():
            for statement in (f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
                              f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
                              f'DROP POLICY tik_municipality ON "{table}"'):
                with pytest.raises(DBAPIError, match="must be owner"):
                    conn.exec_driver_sql(statement)
                conn.rollback()


# -- what must see across municipalities, under the app's role -----------------------------------------------


def test_the_audit_chain_seals_and_verifies_every_municipality_s_events_under_the_apps_role(
        request, app, demo, runner):
    """The chain is the install's: the sequencer and `tik audit verify` read every municipality's events."""
    from tik.audit.models import AuditEvent
    from tik.audit.service import record, seal
    from tik.municipalities import municipality_scope, row_id

    seal()
    engine = request.getfixturevalue("app_role") if _is_postgresql() else db.engine
    with running_as(app, engine):
        for municipality in demo:
            with municipality_scope(municipality):
                record(None, "test.event", detail=municipality.key)
                db.session.commit()
        assert seal() == 2  # both municipalities' events, though no scope is set
        result = runner.invoke(args=["audit", "verify"])
        assert result.exit_code == 0, result.output
    db.session.rollback()
    sealed = db.session.execute(db.select(AuditEvent.municipality_id, AuditEvent.seq)
                                .where(AuditEvent.action == "test.event")
                                .execution_options(all_municipalities=True)).all()
    assert sorted(m for m, _seq in sealed) == sorted(row_id(m) for m in demo)
    assert all(seq is not None for _m, seq in sealed)


def test_staff_sign_in_at_their_municipality_and_a_shared_unit_s_at_each_under_the_apps_role(
        request, app, client, demo):
    from test_municipality_probe import PASSWORD, SHARED

    engine = request.getfixturevalue("app_role") if _is_postgresql() else db.engine
    fjordvik, amal = (f"http://{m.hosts[0]}" for m in demo)

    def sign_in(username, base):
        client.post("/logout", base_url=base)
        return client.post("/login", data={"username": username, "password": PASSWORD}, base_url=base)

    with running_as(app, engine):
        from tik.auth.models import User
        from tik.municipalities import municipality_scope

        with municipality_scope(demo[0]):
            from tik.municipalities.models import UnitMunicipality

            # someone of a unit Fjordvik alone owns (a shared unit's staff may sign in at each of its municipalities)
            own = db.session.scalar(db.select(User.username).where(
                User.unit_id.is_not(None), User.username != SHARED,
                User.unit_id.not_in(db.select(UnitMunicipality.unit_id))).order_by(User.id).limit(1))
        db.session.rollback()
        assert sign_in(own, fjordvik).status_code == 302
        assert client.get("/min-side", base_url=fjordvik).status_code == 200
        assert sign_in(own, amal).status_code == 422  # refused at the other municipality: the form again
        for base in (fjordvik, amal):  # the shared unit's counsellor, at each
            response = sign_in(SHARED, base)
            assert response.status_code == 302, base
            assert client.get("/min-side", base_url=base).status_code == 200


def test_a_nightly_command_loops_over_every_municipality_under_the_apps_role(request, app, runner, demo):
    from tik.municipalities import row_id
    from tik.stats.models import StatRun

    engine = request.getfixturevalue("app_role") if _is_postgresql() else db.engine
    before = db.session.scalar(db.select(db.func.count(StatRun.id)).execution_options(all_municipalities=True))
    with running_as(app, engine):
        result = runner.invoke(args=["stats", "refresh"])
        assert result.exit_code == 0, result.output
    runs = db.session.scalars(db.select(StatRun.municipality_id).order_by(StatRun.id)
                              .execution_options(all_municipalities=True)).all()
    assert sorted(runs[before:]) == sorted(row_id(m) for m in demo)


def test_the_platform_admin_s_page_works_under_the_apps_role(request, app, client, demo, make_user):
    from support import PASSWORD

    from tik.auth.models import Role
    from tik.municipalities import municipality_scope

    with municipality_scope(demo[0]):
        make_user("plattform", roles=[Role.PLATFORM_ADMIN])
    engine = request.getfixturevalue("app_role") if _is_postgresql() else db.engine
    base = f"http://{demo[0].hosts[0]}"
    with running_as(app, engine):
        response = client.post("/login", data={"username": "plattform", "password": PASSWORD}, base_url=base)
        assert response.status_code == 302
        page = client.get("/plattform/kommuner", base_url=base)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert demo[0].name in html and demo[1].name in html
