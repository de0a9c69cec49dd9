"""`tik backup` and `tik restore`: a restored database holds exactly what was backed up."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

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
