"""Development-only code stays out of the production package: the demo, the scale seeder and the OpenID Connect
test provider live in devkit/ (a second small distribution, installed for development by `make install`), and
reach the `tik` command as Flask plugin commands only where that kit is installed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_ONLY = ("demo.py", "youth_demo.py", "scale.py", "devidp.py")


def test_the_wheel_ships_no_development_code(tmp_path):
    """The wheel's library part, built by setuptools from pyproject.toml as `pip wheel .` builds it."""
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                    "--build-lib", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    shipped = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.py"))
    assert {"tik/__init__.py", "tik/web.py", "tik/cli.py", "tik/auth/oidc.py"} <= set(shipped)
    assert [path for path in shipped if not path.startswith("tik/")] == []
    assert [path for path in shipped if path.rsplit("/", 1)[-1] in DEVELOPMENT_ONLY] == []


def test_no_production_module_imports_the_development_kit():
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tik").rglob("*.py")
                 if re.search(r"^\s*(from|import)\s+devkit\b", path.read_text(encoding="utf-8"), re.MULTILINE)]
    assert offenders == []


def test_in_development_the_tik_command_has_the_demo_the_seeder_and_the_provider():
    tik = Path(sys.executable).parent / "tik"
    listing = subprocess.run([str(tik), "--help"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    commands = {line.split()[0] for line in listing.split("Commands:", 1)[1].splitlines() if line.strip()}
    assert {"demo", "dev-idp", "seed-scale", "init-db", "audit"} <= commands
