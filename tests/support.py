"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

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
# (tests/test_suite_setup.py checks them). Here, not in conftest: "conftest" names two modules in this tree.
SHIPPED_HASHERS: dict = {}
GUIDEBOOK = Path(__file__).resolve().parent.parent / "guidebook"
# Every test builds its own app (tests/test_fuzz.py shares one); the templates' compiled code is shared so each
# is compiled once per run.
TEMPLATE_BYTECODE = FileSystemBytecodeCache(tempfile.mkdtemp(prefix="tik-test-templates-"))


def app_config(database_url: str) -> dict:
    """The configuration of the tests' app (conftest's `app` fixture)."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "tik.test",
        "TIK_MUNICIPALITIES": None,  # one municipality, from the settings (tests/test_municipalities.py: two)
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
