"""requirements.lock pins every dependency, transitive ones included, with hashes, and agrees with pyproject.toml:
`make run` and `make test` install from it, so a fresh clone installs the same stack next month."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, tuple[str, int]]:
    """Each locked package: its version and how many hashes follow it."""
    locked: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _norm(match.group(1))
            locked[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
    return locked


def test_every_direct_dependency_is_locked_at_the_version_pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    locked = _locked()
    for requirement in wanted:
        match = PIN.match(requirement)
        assert match, f"{requirement!r} in pyproject.toml is not pinned with =="
        name, version = _norm(match.group(1)), match.group(2)
        assert name in locked, f"{name} is missing from requirements.lock: run `make lock`"
        assert locked[name][0] == version, (f"{name} is {version} in pyproject.toml but {locked[name][0]} in "
                                            "requirements.lock: run `make lock`")


def test_every_locked_package_has_a_hash_and_transitive_ones_are_there():
    locked = _locked()
    assert {"werkzeug", "markupsafe", "itsdangerous", "blinker"} <= set(locked)  # Flask's own dependencies
    assert all(hashes >= 1 for _version, hashes in locked.values()), [n for n, (_v, h) in locked.items() if not h]


def test_make_installs_from_the_lock_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "install -q -e '.[test]'" not in makefile  # nothing resolved outside the lock
