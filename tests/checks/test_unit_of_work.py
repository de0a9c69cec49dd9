"""The unit of work and the policy, kept in their one place: views never commit or roll back (service functions
own their transactions, tik/db.py; reads commit through tik.audit.service.record_view), and templates never
decide who may do what (they ask the policy: `can`, `life`, `may_use`, `can_deactivate`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tik.audit.models import AuditEvent
from tik.extensions import db
from tik.plans.models import Measure

ROOT = Path(__file__).resolve().parents[2]
TRANSACTION_CALLS = {"commit", "rollback"}


def view_modules() -> list[Path]:
    """Every module of routes: views.py in a feature package, and any *_views.py beside it."""
    return sorted(p for p in (ROOT / "tik").rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py"))


def transaction_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of every `….commit()` or `….rollback()` in `source`, whatever it is called on."""
    return [(node.lineno, ast.unparse(node.func)) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in TRANSACTION_CALLS]


def test_the_commit_finder_finds_commits_and_rollbacks():
    found = transaction_calls("def v():\n    db.session.commit()\n    session = db.session\n"
                              "    session.rollback()\n    db.session.flush()\n")
    assert found == [(2, "db.session.commit"), (4, "session.rollback")]


def test_no_view_module_commits_or_rolls_back():
    modules = view_modules()
    assert len(modules) >= 10 and ROOT / "tik" / "plans" / "views.py" in modules
    offenders = [f"{path.relative_to(ROOT)}:{line} {call}()" for path in modules
                 for line, call in transaction_calls(path.read_text(encoding="utf-8"))]
    assert offenders == [], "views call one service function, which owns its transaction (tik/db.py)"


# -- templates ask the policy -------------------------------------------------------------------------------

# What a template must not compare or test itself: roles, who holds or owns something, the user's identity,
# unit or service, and the kind of access (the policy's Abilities, life_of and may_use say it instead).
DECISIONS = {
    "a role test": re.compile(r"has_role\s*\(|\broles?\b\s*(==|!=|\bin\b)|\bin\s+[\w.]*\broles\b"),
    "the user's identity, unit or service": re.compile(r"current_user\.(id|service_key|unit_id|unit|roles)\b"),
    "an owner comparison": re.compile(
        r"\b(holder|coordinator|user|to|from|by|owner|author|created_by|brought_by|responsible)(_id)?"
        r"\s*(==|!=)|(==|!=)\s*[\w.]*\b(holder|coordinator|user|to|from|owner|author|created_by)(_id)?\b"),
    "a service comparison": re.compile(r"\b(service_key|owning_service|service)\s*(==|!=)|"
                                       r"(==|!=)\s*[\w.]*\b(service_key|owning_service)\b"),
    "an access comparison": re.compile(r"\baccess(\.value)?\s*(==|!=|\bin\b)|(==|!=)\s*[\w.]*\baccess\b"),
}


def decisions_in(text: str) -> list[str]:
    """What `text` (a template) decides on its own, by the kinds above, inside `{% … %}` and `{{ … }}` only."""
    code = " ".join(re.findall(r"\{%.*?%\}|\{\{.*?\}\}", text, flags=re.S))
    return [kind for kind, pattern in DECISIONS.items() if pattern.search(code)]


@pytest.mark.parametrize("snippet, kind", [
    ("{% if current_user.has_role('leader') %}", "a role test"),
    ("{% if 'admin' in current_user.roles %}", "a role test"),
    ("{% if case.coordinator_id == current_user.id %}", "an owner comparison"),
    ("{% if h.to_id != me %}", "an owner comparison"),
    ("{% if u.id != current_user.id %}", "the user's identity, unit or service"),
    ("{% if current_user.service_key == case.owning_service %}", "a service comparison"),
    ("{% for key in covered if key != case.owning_service %}", "a service comparison"),
    ("{% if can.access and can.access.value == 'leader' %}", "an access comparison"),
    ("{% if access == 'holder' %}", "an access comparison"),
])
def test_the_template_scan_finds_each_kind_of_decision(snippet, kind):
    assert kind in decisions_in(f"<p>{snippet}x{{% endif %}}</p>")


def test_the_template_scan_leaves_text_and_the_policy_alone():
    assert decisions_in("<p>Only the holder == the one who decides; role == text</p>") == []
    assert decisions_in("{% if can.edit and life.can_manage and may_use('stats.index') %}{% endif %}") == []


def test_templates_contain_no_access_decisions():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 40
    found = [f"{path.relative_to(ROOT)}: {kind}" for path in templates
             for kind in decisions_in(path.read_text(encoding="utf-8"))]
    assert found == [], "templates ask the policy (tik/auth/policy.py): Abilities, life_of, may_use"


# -- the unit of work at work ---------------------------------------------------------------------------------

def _measure_form(prefix: str = "", **values) -> dict:
    data = {"service_key": "school", "responsible": "Kari", "what": "Faste samtaler", "goal": "Trygg i friminuttene",
            "start_on": "2026-11-20", "evaluate_on": "2027-01-10", "status": "planned", "idempotency_key": "k1"}
    return {prefix + k: v for k, v in {**data, **values}.items()}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_refused_save_undoes_itself_keeps_the_read_audited_and_frees_its_form_key(client, login, make_user,
                                                                                    make_case):
    holder = make_user()
    case = make_case(by=holder)
    login(holder)
    refused = client.post(f"/saker/{case.ref}/plan/tiltak", data=_measure_form(evaluate_on="2026-11-01"))
    assert refused.status_code == 422 and "Trygg i friminuttene" in refused.get_data(as_text=True)
    assert _count(Measure) == 0
    assert _count(AuditEvent, AuditEvent.case_id == case.id, AuditEvent.action == "plan.view") == 1
    corrected = client.post(f"/saker/{case.ref}/plan/tiltak", data=_measure_form())  # the same form, same key
    assert corrected.status_code == 302 and _count(Measure) == 1


def test_a_double_submitted_measure_is_added_once(client, login, make_user, make_case):
    holder = make_user()
    case = make_case(by=holder)
    login(holder)
    first = client.post(f"/saker/{case.ref}/plan/tiltak", data=_measure_form())
    second = client.post(f"/saker/{case.ref}/plan/tiltak", data=_measure_form())
    assert first.status_code == second.status_code == 302
    assert _count(Measure) == 1


def _committed_reads(case_id: int, action: str) -> int:
    """Audit events another connection sees: committed ones only (read_only: SQLite begins DEFERRED)."""
    with db.engine.connect().execution_options(read_only=True) as conn:
        return conn.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.case_id == case_id, AuditEvent.action == action))


def test_a_read_is_committed_with_the_page_it_showed_and_dropped_with_an_error_page(client, login, make_user,
                                                                                    make_case):
    holder = make_user()
    case = make_case(by=holder)
    login(holder)
    assert client.get(f"/saker/{case.ref}/plan").status_code == 200
    assert _committed_reads(case.id, "plan.view") == 1
    assert client.get(f"/saker/{case.ref}/plan/revisjon/99").status_code == 404  # read the case, showed nothing
    assert _committed_reads(case.id, "plan.view") == 1


def _a_writer_gets_through(case_id: int) -> bool:
    """Whether another connection can write to the case at once, without waiting (SQLite: take the one write
    lock; PostgreSQL: update the case's row)."""
    raw = db.engine.raw_connection()
    cursor = raw.cursor()
    try:
        if db.engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute('UPDATE "case" SET version = version WHERE id = ?', (case_id,))
        else:
            cursor.execute("SET lock_timeout = '200ms'")
            cursor.execute('UPDATE "case" SET version = version WHERE id = %s', (case_id,))
        return True
    except db.engine.dialect.dbapi.OperationalError:  # SQLite "database is locked", PostgreSQL's lock timeout
        return False
    finally:
        raw.rollback()
        raw.close()


def test_a_page_that_only_reads_leaves_writers_free_while_it_renders(app, client, login, make_user, make_case):
    """The case page renders outside any write lock (on SQLite its read begins DEFERRED and its audit event is
    written in a transaction of its own afterwards); the read is still audited."""
    from flask import before_render_template

    holder = make_user()
    case = make_case(by=holder)
    case_id, ref = case.id, case.ref
    login(holder)
    db.session.remove()  # as in production: the request starts with a session of its own
    assert _a_writer_gets_through(case_id)  # nothing else holds the lock: the check itself works
    seen: list[bool] = []

    def while_rendering(_app, template, context):
        if template.name == "cases/case.html":
            seen.append(_a_writer_gets_through(case_id))

    with before_render_template.connected_to(while_rendering, app):
        assert client.get(f"/saker/{ref}").status_code == 200
    assert seen == [True]
    assert _committed_reads(case_id, "case.view") == 1


def test_a_read_request_that_writes_must_stop_reading_first(app, make_user):
    """A write slipped into a read request is refused (on SQLite it would upgrade a DEFERRED transaction,
    which fails under load); after `stop_reading()` it goes through, and what was loaded stays loaded."""
    from tik.db import read_request, stop_reading
    from tik.extensions import reading
    from tik.idempotency import UsedFormKey

    user_id = make_user().id
    db.session.remove()
    with app.test_request_context("/"):
        read_request()
        sqlite = db.engine.dialect.name == "sqlite"
        assert reading() == sqlite  # PostgreSQL readers never block writers: nothing to change there
        from tik.auth.models import User

        user = db.session.get(User, user_id)
        db.session.add(UsedFormKey(key="k" * 20))
        if sqlite:
            with pytest.raises(RuntimeError, match="stop_reading"):
                db.session.flush()
            db.session.rollback()
            user = db.session.get(User, user_id)
            stop_reading()
            assert not reading() and "username" in user.__dict__  # ended the read without expiring the user
            db.session.add(UsedFormKey(key="k" * 20))
        db.session.commit()
    assert db.session.get(UsedFormKey, "k" * 20) is not None
