"""`tik backup` and `tik restore`: a restored database holds exactly what was backed up."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from test_municipalities import places, two  # noqa: F401 - fixtures the two municipalities' cases need
from test_rls import app_role, two_cases  # noqa: F401 - two municipalities' cases, a role held by the policies

from tik.audit.service import verify
from tik.backup import BackupError, restore
from tik.cases.models import CaseEvent
from tik.concerns.models import Child
from tik.extensions import db


def _everything() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    db.session.remove()
    with db.engine.connect() as conn:
        return {table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]
                for table in db.metadata.sorted_tables}


@pytest.fixture
def some_cases(app, make_case, make_user, give_consent):
    holder = make_user(username="holder", service="school")
    cases = [make_case(by=holder, first_name=name) for name in ("Emma", "Noah", "Sara")]
    give_consent(cases[0], holder, ["health-nurse"])
    return cases


def test_restore_brings_back_exactly_what_was_backed_up(app, runner, some_cases, make_case, tmp_path):
    path = tmp_path / "tik.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    before = _everything()
    assert before["case"] and before["audit_event"] and before["consent_service"]

    db.session.execute(update(Child).values(first_name="Endret"))
    db.session.execute(delete(CaseEvent))
    db.session.commit()
    make_case(first_name="Etter")
    assert _everything() != before

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert _everything() == before
    assert verify() == []


def test_a_backup_is_private_and_audited(app, runner, some_cases, tmp_path):
    import stat

    from tik.audit.models import AuditEvent

    path = tmp_path / "tik.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert db.session.scalar(db.select(AuditEvent.remote_addr).where(AuditEvent.action == "backup")) == "cli"


def test_a_restored_database_goes_on_numbering_after_the_restored_rows(app, runner, some_cases, make_case,
                                                                       tmp_path):
    path = tmp_path / "tik.backup"
    last_id = max(c.id for c in some_cases)
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    assert runner.invoke(args=["restore", "--yes", str(path)]).exit_code == 0
    case = make_case(first_name="Ny")
    assert case.id > last_id
    assert verify() == []


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(app, runner, some_cases, tmp_path):
    before = _everything()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all, just some bytes")
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "backup" in result.output or "pg_dump" in result.output
    assert _everything() == before


def test_restore_asks_before_replacing_the_database(app, runner, some_cases, make_case, tmp_path):
    from tik.cases.models import Case

    path = tmp_path / "tik.backup"
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    newer = make_case(first_name="Etter").ref  # written after the backup: a restore would remove it
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code != 0
    assert "?" in result.output  # it asked
    db.session.remove()
    assert db.session.scalar(db.select(Case).where(Case.ref == newer)) is not None  # nothing was replaced


def test_backup_of_an_in_memory_database_is_refused(tmp_path):
    with pytest.raises(BackupError):
        restore("sqlite://", tmp_path / "missing")


# -- several municipalities, row-level security on (PostgreSQL) ---------------------------------------------


@pytest.fixture
def two_municipalities_under_policies(request, app):
    """Two municipalities with a case each; on PostgreSQL the row-level policies in force
    (tests/municipalities/test_rls.py)
    and a role like the app's, held by them."""
    cases = request.getfixturevalue("two_cases")
    role = request.getfixturevalue("app_role") if db.engine.dialect.name == "postgresql" else None
    return cases, role


def test_a_backup_of_two_municipalities_restores_both_municipalities_rows(
        app, runner, two_municipalities_under_policies, tmp_path):
    from tik.cases.models import Case

    _cases, _role = two_municipalities_under_policies
    path = tmp_path / "tik.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    before = _everything()
    assert len(before["case"]) == 2
    assert len({row.municipality_id for row in _rows("child")}) == 2  # both municipalities' children

    db.session.execute(delete(CaseEvent))
    db.session.execute(update(Child).values(first_name="Endret").execution_options(all_municipalities=True))
    db.session.commit()
    assert _everything() != before

    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert _everything() == before
    if db.engine.dialect.name == "postgresql":  # and the policies came back with the tables
        with db.engine.connect() as conn:
            assert conn.execute(db.text("SELECT count(*) FROM pg_policies WHERE policyname = 'tik_municipality'")
                                ).scalar() == len(held_tables_now())
    assert db.session.scalar(db.select(db.func.count(Case.id)).execution_options(all_municipalities=True)) == 2


def _rows(table: str) -> list:
    db.session.remove()
    with db.engine.connect() as conn:
        return conn.execute(db.text(f'SELECT * FROM "{table}"')).all()


def held_tables_now() -> list[str]:
    from tik.municipalities.rls import held_tables

    return held_tables()


def test_a_backup_as_a_role_held_by_row_security_names_the_maintenance_setting(
        app, runner, two_municipalities_under_policies, tmp_path):
    """pg_dump as the app's role would refuse (or, told to obey the policies, copy one municipality): `tik backup`
    says which setting to use; with TIK_MAINTENANCE_DATABASE_URL it backs up every municipality."""
    (_case_a, _case_b), role = two_municipalities_under_policies
    path = tmp_path / "tik.backup"
    owner_url = app.config["SQLALCHEMY_DATABASE_URI"]
    if role is None:  # SQLite: no roles, no policies; the maintenance URL, when set, is the file backed up
        app.config["TIK_MAINTENANCE_DATABASE_URL"] = owner_url
        assert runner.invoke(args=["backup", str(path)]).exit_code == 0
        return
    role_url = role.url.render_as_string(hide_password=False)
    app.config["SQLALCHEMY_DATABASE_URI"] = role_url  # what the backup connects as: the app's held role
    try:
        result = runner.invoke(args=["backup", str(path)])
        assert result.exit_code != 0
        assert "TIK_MAINTENANCE_DATABASE_URL" in result.output and "row-level security" in result.output
        app.config["TIK_MAINTENANCE_DATABASE_URL"] = role_url  # a maintenance URL that is held is refused too
        assert "TIK_MAINTENANCE_DATABASE_URL" in runner.invoke(args=["backup", str(path)]).output
        app.config["TIK_MAINTENANCE_DATABASE_URL"] = owner_url
        result = runner.invoke(args=["backup", str(path)])
        assert result.exit_code == 0, result.output
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = owner_url
    assert path.stat().st_size > 0
