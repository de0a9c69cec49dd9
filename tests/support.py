"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

import yaml
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import text

PASSWORD = "correct-horse-battery"
# Every non-browser test starts on this day (the `app` fixture moves tik.clock there), so dates the tests
# write — a conversation "today", a consent for a year — mean the same whenever the suite runs.
TEST_DAY = datetime(2026, 11, 20, 9, 0)
# The password hashers TIK ships with, kept by tests/conftest.py before it makes them cheap for the suite
# (tests/checks/test_suite_setup.py checks them). Here, not in conftest: "conftest" names two modules in this tree.
SHIPPED_HASHERS: dict = {}
ROOT = Path(__file__).resolve().parent.parent  # the repository (tests live in folders below tests/)
GUIDEBOOK = ROOT / "guidebook"
# The templates' compiled code is shared by every app of the run (the shared one and those tests build), so each
# template is compiled once per run.
TEMPLATE_BYTECODE = FileSystemBytecodeCache(tempfile.mkdtemp(prefix="tik-test-templates-"))


def app_config(database_url: str) -> dict:
    """The configuration of the tests' app (conftest's `app` fixture)."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "tik.test",
        # one municipality, from the settings (tests/municipalities/test_municipalities.py: two)
        "TIK_MUNICIPALITIES": None,
    }


def empty_all_tables() -> None:
    """Every table emptied, and on PostgreSQL every id sequence back at 1 (as TRUNCATE … RESTART IDENTITY
    would do; but TRUNCATE gives each of the ~50 tables new files, ~2 s a test under load, where DELETE on
    tables that are mostly empty costs milliseconds: one round trip for all of them). In an app context."""
    from flask import current_app

    from tik.extensions import db
    from tik.municipalities import forget_ids

    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)))
            used = conn.scalars(text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) "
                                     "FROM pg_sequences WHERE last_value IS NOT NULL")).all()
            if used:
                conn.exec_driver_sql("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in used))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    forget_ids(current_app)  # the municipality rows went too: an app kept across tests must not use their ids


class SharedApp:
    """The app most tests share (conftest's `app`): one per worker, built again only when a test changed it.

    Each test gets it back as the first test got it: its configuration, its `app.extensions` (the guidebook,
    youth door and sign-in registries it caches), its Jinja globals and filters and the rate limiter are put
    back after every test, the database is emptied and the municipality ids forgotten before it, and the
    engine's connections are closed after it (a test may leave a connection with its own settings). A test
    that changed what cannot be put back (a route or a request hook added, the WSGI app wrapped) makes the
    next test build a new app (`rebuilt` counts them).
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app = None
        self.rebuilt = 0
        self.rebuilt_after: list[str] = []  # the tests that left it changed (TIK_TEST_SHARED_APP_LOG lists them)

    def get(self):
        """The shared app, with the rate limiter as the app left it: a test that built an app of its own
        (`create_app`) initialised the one limiter object again, and earlier tests' requests counted in it."""
        from tik.extensions import limiter

        if self.app is None:
            self.app = self._build()
        else:
            vars(limiter).clear()
            vars(limiter).update(self.limiter)
        if limiter.enabled:  # an enabled limiter has its storage (the test's counts start at zero)
            limiter.reset()
        return self.app

    def _build(self):
        from tik import create_app
        from tik.extensions import limiter

        app = create_app(app_config(self.database_url))
        app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
        self._warm(app)
        self.config = copy.deepcopy(dict(app.config))
        self.extensions = _copies(app.extensions)
        self.jinja = _copies(app.jinja_env.globals), _copies(app.jinja_env.filters)
        self.limiter = dict(vars(limiter))
        self.shape = _shape(app)
        return app

    @staticmethod
    def _warm(app) -> None:
        """Load what the app caches on first use for the standard configuration (the guidebook, the youth
        door), so that putting `app.extensions` back keeps it instead of loading it again for every test."""
        from tik.guidebook import current_guide
        from tik.youth.service import has_door, youth

        with app.test_request_context("/"):
            current_guide()
            if has_door():
                youth()

    def put_back(self, test: str = "") -> None:
        """After `test`: everything a test may change put back, or the app dropped when that cannot be done."""
        from tik.extensions import limiter

        app = self.app
        if app is None:
            return
        vars(limiter).clear()
        vars(limiter).update(self.limiter)
        if _shape(app) != self.shape:
            self.app, self.rebuilt = None, self.rebuilt + 1
            self.rebuilt_after.append(test)
            return
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        app.extensions.clear()
        app.extensions.update(_copies(self.extensions))
        for live, kept in zip((app.jinja_env.globals, app.jinja_env.filters), self.jinja, strict=True):
            live.clear()
            live.update(kept)

    def close(self) -> None:
        from tik.extensions import db

        if self.app is not None:
            with self.app.app_context():
                db.engine.dispose()
        log = os.environ.get("TIK_TEST_SHARED_APP_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as out:
                out.writelines(f"rebuilt after {test}\n" for test in self.rebuilt_after)


def _copies(mapping) -> dict:
    """A copy of `mapping` one level down: a dict kept in it (a cache of guides by municipality) is copied."""
    return {key: dict(value) if type(value) is dict else value for key, value in mapping.items()}


def _shape(app) -> tuple:
    """What a test cannot take back from an app: its routes, request hooks, error handlers, blueprints, WSGI app,
    session interface and template environment. (Flask keeps hooks and handlers in defaultdicts that a mere
    lookup grows by an empty entry: only entries that hold something count.)"""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
             app.teardown_appcontext_funcs, app.template_context_processors, app.url_value_preprocessors,
             app.url_default_functions)
    handlers = tuple(sorted((str(scope), str(code), repr(kind), id(handler))
                            for scope, codes in app.error_handler_spec.items() for code, kinds in codes.items()
                            for kind, handler in kinds.items()))
    return (tuple(sorted(str(rule) + " " + rule.endpoint for rule in app.url_map.iter_rules())),
            tuple(tuple(sorted((str(key), tuple(map(id, funcs))) for key, funcs in hook.items() if funcs))
                  if isinstance(hook, dict) else tuple(map(id, hook)) for hook in hooks),
            handlers, tuple(app.blueprints), id(vars(app).get("wsgi_app")), id(app.session_interface),
            id(app.jinja_env), id(app.jinja_loader), tuple(sorted(app.view_functions)))


# The participants `nora_waiting` invites, by the service consented to: (username, unit, key in its people).
_PARTICIPANTS = {"ppt": ("ppt", "ppt", "ppt"), "child-welfare": ("barnevern", "child-welfare", "welfare")}


def nora_waiting(make_unit, make_user, give_consent, services=("ppt",), leader: bool = False,
                 report_draft: str = ""):
    """Nora's case, held by a teacher (a coordinator of school-1, led by "rektor" when `leader`), with `services`
    consented to and a participant of each invited; then a suspicion registered on it as a second concern (with
    `report_draft`): the case waits for child welfare (issue 25). The case, loaded again, and the people by role
    ("holder", "leader", "ppt", "welfare")."""
    from datetime import date

    from tik.auth.models import Role
    from tik.cases.models import Case
    from tik.cases.participants import invite_participant
    from tik.concerns.models import Urgency
    from tik.concerns.service import ChildInput, ConcernInput, GuardianInput, register_concern
    from tik.extensions import db

    people = {}
    if leader:
        people["leader"] = make_user("rektor", service="school", roles=[Role.EMPLOYEE, Role.LEADER])
    school = make_unit("school-1", "school", leaders=[people["leader"]] if leader else ())
    holder = people["holder"] = make_user("lærer", service="school", roles=[Role.EMPLOYEE, Role.COORDINATOR],
                                          unit=school)
    child = ChildInput(first_name="Nora", last_name="Berg", birth_date=date(2015, 5, 1), school="Fjordvik skole",
                       class_name="5A", guardians=[GuardianInput("Per Berg", "far", "", "nb")])
    case = register_concern(child, ConcernInput(observation="Trøtt og lei seg i timene."), by=holder).case
    give_consent(case, holder, list(services))
    for service in services:
        username, unit, key = _PARTICIPANTS[service]
        people[key] = make_user(username, service=service, unit=make_unit(unit, service))
    for service in services:
        invite_participant(case, people[_PARTICIPANTS[service][2]], holder)
    again = register_concern(child, ConcernInput(observation="Blåmerker på armene.", urgency=Urgency.SUSPICION,
                                                 report_draft=report_draft), by=holder).case
    assert again.id == case.id  # the same open case
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.waiting_since is not None
    return case, people


def seeded_municipality(runner, children: int = 400):
    """A municipality seeded by `tik seed-scale` (`children` children, seed 7) with its statistics analysed, as
    the planner sees a real one; returns its user "skala", who holds and follows cases in it."""
    from sqlalchemy import select

    from devkit.scale import seed_scale_command
    from tik.auth.models import User
    from tik.extensions import db

    result = runner.invoke(seed_scale_command, ["--children", str(children), "--seed", "7"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "skala"))
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return user


def statements_of(call):
    """What `call()` returns, and the statements (with their parameters) it sent to the database."""
    from sqlalchemy import event

    from tik.extensions import db

    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, params, context, executemany):
        seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        return call(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def pdf_text(data: bytes) -> str:
    """The text of a PDF as a reader (or a screen reader) gets it, with line breaks folded to spaces."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


class GuidebookCopy:
    """A copy of the default guidebook at `path` and ways to edit its YAML and read its check."""

    def __init__(self, path: Path) -> None:
        shutil.copytree(GUIDEBOOK, path)
        self.path = path

    def edit(self, change, name: str = "guide.yaml") -> None:
        file = self.path / name
        data = yaml.safe_load(file.read_text())
        change(data)
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    @staticmethod
    def step(data: dict, step_id: str) -> dict:
        steps = [s for lv in data["levels"] for s in lv["steps"]] + data["closing"]["steps"]
        return next(s for s in steps if s["id"] == step_id)

    def problems(self) -> list[str]:
        from tik.guides.loader import check_guide

        guide, problems = check_guide(self.path)
        assert guide is None, "the broken guidebook must be refused"
        return [str(p) for p in problems]



# The development provider's two clients (devkit/devidp.py), as TIK is configured for them.
PROVIDER_CLIENTS = {
    "staff": {"client_id": "tik-staff", "client_secret": "dev-staff-secret", "scope": "openid profile email",
              "label": "Testleverandøren"},
    "family": {"client_id": "tik-family", "client_secret": "dev-family-secret", "scope": "openid profile",
               "label": "ID-porten (test)"},
}


def use_test_provider(app, provider, *kinds: str) -> None:
    """Configure `app` to sign in through the test provider as its staff and/or family provider."""
    from tik.auth.oidc import init_oidc

    provider.tamper = {}
    app.config["TIK_OIDC"] = {kind: {"issuer": provider.issuer, **PROVIDER_CLIENTS[kind]} for kind in kinds}
    init_oidc(app)


def family_sign_in_at(app, provider, pid: str, base_url: str):
    """A new browser signs in on "Min familie" at `base_url` through the test provider as the person with national
    id `pid`: the client, the address the provider sent it back to, and whether it got in."""
    from urllib.parse import urlsplit

    import requests

    client = app.test_client()
    provider.identities[f"t-{pid}"] = {"client": "tik-family", "name": "Testperson", "pid": pid,
                                       "acr": "idporten-loa-high", "amr": ["BankID"]}
    start = client.get("/min-familie/logg-inn", base_url=base_url)
    answer = requests.get(start.headers["Location"], params={"login": f"t-{pid}"}, allow_redirects=False,
                          timeout=10)
    back = urlsplit(answer.headers["Location"])
    return client, back, client.get(f"{back.path}?{back.query}", base_url=base_url).status_code == 302
