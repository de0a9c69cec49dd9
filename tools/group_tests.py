"""Group the tests by feature: move every tests/test_*.py at the top level into its folder, tests/<feature>/.

    .venv/bin/python tools/group_tests.py          # move, and point every reference in the repository to the new place
    .venv/bin/python tools/group_tests.py --check  # only say what it would move; exit 1 if a file has no folder

FOLDER below is the one table from a test file's name to its folder. The script is idempotent: a file already in
its folder stays, and running it again after new tests were added moves only those. A top-level test file the
table does not name stops it before anything moves (add the file to the table). After moving, it rewrites
`tests/<name>` in the files git tracks (pyproject's mutmut list, the Makefile, docs, the mutation ledger, comments)
to `tests/<folder>/<name>`, and in a moved file the paths it built from its own place
(`Path(__file__).resolve().parent.parent` is the repository at the top level, `.parents[2]` one folder down).

Basenames stay unique across folders (pytest imports test files by name): the script refuses a duplicate.
"""

from __future__ import annotations

import argparse
import re
import subprocess  # nosec B404 - runs git on the repository's own files
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"

FEATURES = {
    "app": ["app", "backup", "bench", "cli", "demo", "health", "local_time", "migrations", "redis", "rendering",
            "scale", "sqlite"],
    "audit": ["audit", "audit_edges", "audit_forgery", "audit_municipalities"],
    "auth": ["access", "auth_edges", "mfa", "mfa_enrolment_code", "oidc"],
    "cases": ["ask_once", "blank_forms", "case_page_model", "closed_case_forms", "consent_endings", "consent_grid",
              "page_budgets",
              "consent_kinds", "consent_maturity", "flow", "handover", "invite", "queries", "references",
              "report_need_to_know", "report_path", "suspicion_path", "timeline", "typed_text",
              "waiting_need_to_know"],
    "checks": ["dependency_audit", "endpoints", "fuzz", "layers", "lock", "mutation_ledger", "one_place",
               "packaging", "suite_setup", "translations", "unit_of_work"],
    "concerns": ["concerns", "identity", "nin_rules"],
    "family": ["family", "family_language"],
    "guides": ["catalogue", "engine", "guide_rules", "guidebook_check", "guidebook_data", "guidebook_languages",
               "sharing_guide"],
    "lifecycle": ["access_export_reports", "lifecycle", "lifecycle_access", "lifecycle_archive",
                  "lifecycle_retention"],
    "meetings": ["meeting_minutes_kinds", "meetings"],
    "municipalities": ["municipalities", "municipality_probe", "rls", "sweden", "sweden_screens",
                       "sweden_sign_in", "sweden_sip_print", "unique_names"],
    "mywork": ["mywork"],
    "org": ["org"],
    "pdf": ["letter", "pdf", "printing"],
    "plans": ["evaluation", "plan_from_known"],
    "security": ["bidi", "bidi_staff", "config_keys", "csrf_exemptions", "logs", "lookup_shape", "rules",
                 "security"],
    "stats": ["stats", "stats_cooperation", "stats_subtraction", "stats_suppression"],
    "youth": ["youth", "youth_assignment", "youth_demo", "youth_family", "youth_guidebook", "youth_outcomes",
              "youth_stats"],
}
FOLDER = {f"test_{name}.py": folder for folder, names in FEATURES.items() for name in names}
# Text files whose `tests/test_….py` references follow the move (those git tracks).
REFERRING = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".txt", ".ini", ".html", ""}
REFERENCE = re.compile(r"(?<![\w./-])tests/(test_\w+\.py)")
OWN_PLACE = [  # a moved file sits one folder deeper: what it built from its own path goes one step further up
    (re.compile(r"Path\(__file__\)\.resolve\(\)\.parent\.parent\b"), "Path(__file__).resolve().parents[2]"),
    (re.compile(r"Path\(__file__\)\.resolve\(\)\.parents\[1\]"), "Path(__file__).resolve().parents[2]"),
    (re.compile(r"Path\(__file__\)\.resolve\(\)\.parent(?=\s*/)"), "Path(__file__).resolve().parents[1]"),
]


def plan() -> tuple[list[tuple[Path, Path]], list[str]]:
    """The moves to make, and the top-level test files the table has no folder for."""
    moves, unknown = [], []
    for path in sorted(TESTS.glob("test_*.py")):
        folder = FOLDER.get(path.name)
        if folder is None:
            unknown.append(path.name)
        else:
            moves.append((path, TESTS / folder / path.name))
    return moves, unknown


def duplicates() -> list[str]:
    """Test file names that stand in more than one place below tests/ (pytest would refuse them)."""
    seen: dict[str, Path] = {}
    twice = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.name in seen:
            twice.append(f"{path.relative_to(ROOT)} and {seen[path.name].relative_to(ROOT)}")
        seen[path.name] = path
    return twice


def tracked() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout  # nosec
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts]
    return [ROOT / name for name in out.decode().split("\0") if name]


def move(source: Path, target: Path) -> None:
    target.parent.mkdir(exist_ok=True)
    moved = subprocess.run(["git", "mv", str(source), str(target)], cwd=ROOT, capture_output=True)  # nosec
    if moved.returncode != 0:  # not tracked (yet), or no git: a plain move
        source.rename(target)
    text = target.read_text(encoding="utf-8")
    for pattern, replacement in OWN_PLACE:
        text = pattern.sub(replacement, text)
    target.write_text(text, encoding="utf-8")


def _long(text: str) -> set[str]:
    return {line for line in text.splitlines() if len(line) > 120}


def point_references() -> list[tuple[Path, int]]:
    """Rewrite `tests/test_x.py` to `tests/<folder>/test_x.py` wherever the file now lives in its folder; returns
    the files changed, each with how many of its Python lines the longer paths made too long for ruff."""
    changed = []
    where = {path.name: path.relative_to(ROOT).as_posix() for path in TESTS.glob("*/test_*.py")}
    for path in tracked():
        if path.suffix not in REFERRING or not path.is_file() or path.name == Path(__file__).name:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        new = REFERENCE.sub(lambda m: where.get(m.group(1), m.group(0)), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append((path, len(_long(new) - _long(text)) if path.suffix == ".py" else 0))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="say what would move; change nothing")
    args = parser.parse_args(argv)
    moves, unknown = plan()
    if unknown:
        print("No folder for: " + ", ".join(unknown) + " (add each to FEATURES in tools/group_tests.py)",
              file=sys.stderr)
        return 1
    clash = [f"{target.relative_to(ROOT)} (from the top level)" for _source, target in moves if target.exists()]
    if clash or duplicates():
        print("Already there: " + ", ".join(clash + duplicates()), file=sys.stderr)
        return 1
    for source, target in moves:
        print(f"{source.relative_to(ROOT)} -> {target.relative_to(ROOT)}")
        if not args.check:
            move(source, target)
    if not args.check:
        for path, too_long in point_references():
            print(f"references updated: {path.relative_to(ROOT)}")
            if too_long:
                print(f"  {too_long} line(s) longer than 120 characters now (ruff): {path.relative_to(ROOT)}",
                      file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
