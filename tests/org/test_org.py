"""The organisation file: units, their service and leaders — checked like the guidebook, loaded into the database."""

from __future__ import annotations

from pathlib import Path

from tik.auth.models import Role
from tik.extensions import db
from tik.org.file import read_organisation
from tik.org.models import Unit

SERVICES = {"school", "kindergarten", "ppt"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "organisation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_organisation_file_is_valid(app):
    from tik.org.service import check_organisation

    units, problems = check_organisation()
    assert problems == []
    by_service = {}
    for unit in units:
        by_service.setdefault(unit.service, []).append(unit)
    assert len(by_service["school"]) >= 2 and len(by_service["kindergarten"]) >= 2
    assert all(unit.leaders for unit in units)


def test_each_fault_is_named_with_file_and_entry(tmp_path):
    path = _write(tmp_path, """
units:
  - {key: skole-a, name: Skole A, service: school, leaders: [rektor]}
  - {key: skole-a, name: Skole A igjen, service: school, leaders: [rektor2]}
  - {key: svommehall, name: Svømmehallen, service: swimming, leaders: [x]}
  - {key: ppt, name: PPT, service: ppt, leaders: []}
  - {key: Bad Key, name: "", service: ppt, leaders: [y], colour: red}
""")
    units, problems = read_organisation(path, SERVICES)
    text = [str(p) for p in problems]
    assert [u.key for u in units] == ["skole-a"]
    assert "organisation.yaml: units[1] (skole-a): duplicate unit key 'skole-a'" in text
    assert "organisation.yaml: units[2] (svommehall): unknown service 'swimming'" in text
    assert any(t.startswith("organisation.yaml: units[3] (ppt): unit without leader") for t in text)
    assert any("units[4] (Bad Key): key must be" in t for t in text)
    assert any("units[4] (Bad Key): name is missing" in t for t in text)
    assert any("units[4] (Bad Key): unknown field(s): colour" in t for t in text)


def test_duplicate_yaml_keys_and_broken_files_are_problems_not_tracebacks(tmp_path):
    dup = _write(tmp_path, "units:\n  - {key: a, key: b, name: A, service: school, leaders: [x]}\n")
    assert "duplicate key" in str(read_organisation(dup, SERVICES)[1][0])
    assert "not valid YAML" in str(read_organisation(_write(tmp_path, "units: [\n"), SERVICES)[1][0])
    assert "must be a non-empty list" in str(read_organisation(_write(tmp_path, "units: 3\n"), SERVICES)[1][0])
    assert "file not found" in str(read_organisation(tmp_path / "none.yaml", SERVICES)[1][0])


def test_loading_creates_units_and_makes_the_named_leaders_leaders(app, tmp_path, make_unit, make_user):
    from tik.org.service import load_organisation

    home = make_unit("stab", "culture-leisure")
    rektor = make_user("rektor", unit=home)
    path = _write(tmp_path, """
units:
  - {key: skole-a, name: Skole A, service: school, leaders: [rektor]}
  - {key: skole-b, name: Skole B, service: school, leaders: [ny-rektor]}
""")
    missing = load_organisation(path)
    assert missing == ["ny-rektor"]
    unit = db.session.scalar(db.select(Unit).where(Unit.key == "skole-a"))
    assert unit.leader_ids == {rektor.id} and rektor.has_role(Role.LEADER)
    load_organisation(path)  # again: nothing doubles
    assert db.session.scalar(db.select(db.func.count()).select_from(Unit)) == 3


def test_the_check_command_exits_1_listing_every_problem(runner, tmp_path):
    path = _write(tmp_path, "units:\n  - {key: a, name: A, service: nowhere, leaders: [x]}\n")
    result = runner.invoke(args=["org", "check", str(path)])
    assert result.exit_code == 1
    assert "units[0] (a): unknown service 'nowhere'" in result.output
    assert runner.invoke(args=["org", "check"]).exit_code == 0
