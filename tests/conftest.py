"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when TIK_TEST_DATABASE_URL is set),
a client, login, factories, a controllable clock and a statement counter.

The suite runs in parallel (pytest-xdist; `make test`: `-n 2 --dist loadfile`, a file's tests on one worker):
every session fixture here belongs to one worker process, so each worker has its own database, its own OIDC
provider on a free port and its own browser server. Passwords are hashed with argon2 at its cheapest
(see `cheap_password_hashing`).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

# Tests live in folders by feature (docs/testing.md), and some use another file's helpers by its module name
# (`from test_family import valid_nin`): every folder is importable, as pytest makes a test file's own folder.
sys.path += [str(folder) for folder in sorted(Path(__file__).resolve().parent.iterdir())
             if folder.is_dir() and folder.name[0] not in "._" and str(folder) not in sys.path]

os.environ.setdefault("TIK_INSTANCE_PATH", tempfile.mkdtemp(prefix="tik-test-instance-"))

from support import (  # noqa: E402
    PASSWORD,
    SHIPPED_HASHERS,
    TEST_DAY,
    SharedApp,
    app_config,
    empty_all_tables,
)

from tik import clock, create_app  # noqa: E402
from tik.auth import mfa as _mfa  # noqa: E402
from tik.auth import service as _auth_service  # noqa: E402
from tik.extensions import db  # noqa: E402

# The hashers TIK ships with (argon2id at the library's recommended cost, ~0.2 s of CPU per hash or check);
# tests/checks/test_suite_setup.py holds them to that, since the suite below swaps them out.

SHIPPED_HASHERS.update({"service": _auth_service._hasher, "mfa": _mfa._hasher})


def cheap_password_hashing() -> None:
    """argon2id at its cheapest for the suite: the tests create and log in thousands of users, and at the
    shipped cost that was most of the suite's CPU time. The hashes keep their format (`$argon2id$…`); the
    cost is a setting no test states (the shipped setting is tested on its own)."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _auth_service._hasher = _mfa._hasher = cheap
    _auth_service._DUMMY_HASH = cheap.hash("not-a-real-password")


cheap_password_hashing()



@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One database for the run: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    server = os.environ.get("TIK_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tik-test.sqlite'}"
        return
    name = f"tik_test_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server ends the run loudly
        pytest.exit(f"PostgreSQL at {make_url(server).render_as_string(hide_password=True)} is not reachable "
                    f"({error.__class__.__name__}: {error}). The PostgreSQL run cannot be skipped.", returncode=3)
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app(app_config(database_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return True


@pytest.fixture(scope="session")
def shared_app(database_url, _schema):
    """The worker's shared app (support.SharedApp): tests reach it through `app`."""
    shared = SharedApp(database_url)
    yield shared
    shared.close()


@pytest.fixture
def app(shared_app, tmp_path, request):
    """The app with an empty database, its own audit anchor file and an app context pushed, on the fixed
    test day (the clock still runs, and tests move it with clock.travel): dates written in tests mean the
    same in any year.

    The app is the worker's shared one, as the previous test left it minus everything that test changed
    (support.SharedApp says what is put back): a test may change `app.config` for itself. A test that adds a route
    or a request hook or error handler (Flask allows that only before an app's first request) is marked
    `@pytest.mark.own_app` and gets an app of its own; a test that needs another configuration from the start
    builds it with `create_app(app_config(url) | {...})`."""
    own = request.node.get_closest_marker("own_app") is not None
    app = create_app(app_config(shared_app.database_url)) if own else shared_app.get()
    app.config["TIK_AUDIT_ANCHOR"] = str(tmp_path / "audit-anchor")
    clock.travel(TEST_DAY)
    try:
        with app.app_context():
            empty_all_tables()
            yield app
            db.session.remove()
            db.engine.dispose()  # a test may leave a connection with settings of its own (a lock timeout)
    finally:
        clock.reset()
        if not own:
            shared_app.put_back(request.node.nodeid)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_unit(app):
    """A unit of `service` (e.g. one school), with `leaders` (users) when given."""
    from tik.org.models import Unit, UnitLeader

    def make(key: str, service: str = "school", name: str | None = None, leaders=()):
        unit = db.session.scalar(db.select(Unit).where(Unit.key == key))
        if unit is None:
            unit = Unit(key=key, name=name or key.replace("-", " ").title(), service_key=service)
            db.session.add(unit)
            db.session.flush()
        for leader in leaders:
            db.session.add(UnitLeader(unit_id=unit.id, user_id=leader.id))
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(app, make_unit):
    """A user; in `unit` when given, else in the one default unit of `service` (e.g. "school-1")."""
    from tik.auth.models import Role
    from tik.auth.service import create_user

    counter = iter(range(1, 10_000))

    def make(username: str | None = None, service: str = "school", roles=(Role.EMPLOYEE,), name: str | None = None,
             unit=None, **extra):
        n = next(counter)
        unit = unit or make_unit(f"{service}-1", service)
        user = create_user(username or f"user{n}", name or f"Ansatt Nummer{n}", unit, PASSWORD,
                           set(roles), **extra)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Log `user` in on the shared test client (and out of whoever was logged in)."""

    def do(user):
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


# The youth door's unit and its two roles (tests/test_youth*.py).
@pytest.fixture
def youth_unit(make_unit):
    return make_unit("ungdomstjenesten", "youth-service")


@pytest.fixture
def operator(make_user, youth_unit):
    from tik.auth.models import Role

    return make_user("operator", service="youth-service", roles=(Role.YOUTH_OPERATOR,), unit=youth_unit)


@pytest.fixture
def professional(make_user, youth_unit):
    from tik.auth.models import Role

    return make_user("profesjonell", service="youth-service", roles=(Role.YOUTH_PROFESSIONAL,), unit=youth_unit)


@pytest.fixture
def make_case(app, make_user):
    """A case registered by a user of `service` (a real concern through the service function)."""
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern

    def make(service: str = "school", by=None, first_name: str = "Emma", last_name: str | None = None,
             birth_date: date = date(2016, 3, 14), observation: str = "Trøtt og lei seg i timene.", **child):
        by = by or make_user(service=service)
        last_name = last_name or f"Hansen{secrets.token_hex(2)}"
        result = register_concern(
            ChildInput(first_name=first_name, last_name=last_name, birth_date=birth_date,
                       school=child.pop("school", "Fjordvik barneskole"), class_name=child.pop("class_name", "5B"),
                       guardians=child.pop("guardians", [GuardianInput("Kari Hansen", "mor", "400 00 000", "nb")]),
                       **child),
            ConcernInput(observation=observation, since_when="i høst", how_often="flere ganger i uka"),
            by=by,
        )
        return result.case

    return make


@pytest.fixture
def move_case(app):
    """Drive a case through the guide with filled-in fields until it stands at `step_id`."""
    from tik.cases.steps import decide

    def move(case, by, path: list[tuple[str, dict]]):
        for decision, values in path:
            decide(case, decision, values, by=by)
        return case

    return move


@pytest.fixture
def give_consent(app):
    from tik.cases.consent import record_consent
    from tik.cases.models import ConsentForm

    def give(case, by, services, days: int = 365, young_person: bool = False):
        return record_consent(case, by, given_by="Kari Hansen", services=list(services),
                              purpose="Samarbeid om tiltak", form=ConsentForm.PAPER,
                              given_on=clock.today(), expires_on=clock.today().fromordinal(
                                          clock.today().toordinal() + days), young_person=young_person)

    return give


@pytest.fixture(name="clock")
def clock_fixture(app):
    """The app's clock (tik.clock), on the fixed test day: `clock.travel(...)` moves it, the `app` fixture
    puts it back."""
    return clock


@pytest.fixture
def make_measure(app):
    """A measure in the case's plan through the service (the holder's own service unless given)."""
    from datetime import timedelta

    from tik.plans import service as plans
    from tik.plans.models import MeasureStatus

    def make(case, by, service: str | None = None, what: str = "Faste samtaler", responsible: str = "Noen",
             responsible_id: int | None = None, evaluate_in: int = 42, status=MeasureStatus.ACTIVE):
        start = clock.today()
        return plans.add_measure(case, by, plans.MeasureInput(
            service_key=service or case.owning_service, responsible=responsible, responsible_id=responsible_id,
            what=what, goal="Bedre hverdag", start_on=start, evaluate_on=start + timedelta(days=evaluate_in),
            status=status))

    return make


@pytest.fixture
def make_meeting(app):
    """A network meeting about `case`, or a team meeting of `team`, in `days` days (in a request context:
    the participants' role names are translated)."""
    from datetime import timedelta

    from tik.meetings import service as meetings

    def make(by, case=None, team=None, days: int = 3, title: str = "Møte"):
        with app.test_request_context():
            return meetings.create_meeting(by, title=title, case=case, team=team,
                                           starts_at=clock.now() + timedelta(days=days))

    return make


@pytest.fixture
def count_queries(app):
    """Count SQL statements issued inside the `with` block: `with count_queries() as n: …; n()`.

    SQLite's plain `BEGIN` (DEFERRED, how a page that only reads begins: tik.db.read_request) is not counted:
    it takes no lock and reads nothing until the first statement. `BEGIN IMMEDIATE` (the write lock) is."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, params, context, executemany):
            if statement != "BEGIN":
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider (devkit/devidp.py) for a TIK at http://tik.test, on a free port."""
    from devkit.devidp import dev_provider, serve

    provider = dev_provider("http://tik.test")
    server = serve(provider)
    yield provider
    server.shutdown()


@pytest.fixture
def family_sso(app, oidc_provider):
    """The test provider as the family's sign-in (ID-porten's stand-in); the people it made up are forgotten."""
    from support import use_test_provider

    use_test_provider(app, oidc_provider, "family")
    yield oidc_provider
    for key in [k for k in oidc_provider.identities if k.startswith("t-")]:
        del oidc_provider.identities[key]
