"""Print the mutation score of the last `mutmut run` per module and in all: killed / (killed + survived), with
what was not tested (lines no selected test reaches; mutants the run did not get to).

    python tools/mutation_score.py              # the table
    python tools/mutation_score.py --survivors # and every survivor the ledger does not explain, with its change
    python tools/mutation_score.py --untested 'tik.cases.*'  # the names of the mutants not tested yet

Naming mutants to `mutmut run` tests each named one again, done or not; a plain `mutmut run` tests only the
mutants without a result, but all of the scope. To go on with a narrowed run where it stopped, name only the
untested ones: `make mutate MUTANTS="$(python tools/mutation_score.py --untested 'tik.cases.*')"`.

A survivor that tests/mutation_ledger.yaml explains (verdict "equivalent" or "not meaningful") is counted in the
"ledger" column and left out of the score; one marked "not checked" stays a survivor (a known gap). A timeout or
a crash of the tests counts as killed, as mutmut counts it. Exit 1 when no mutant was tested.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

import yaml

LEDGER = Path(__file__).resolve().parent.parent / "tests" / "mutation_ledger.yaml"
COLUMNS = ("killed", "survived", "ledger", "no tests", "not checked")
EXPLAINED = {"equivalent", "not meaningful"}


def load_ledger(path: Path = LEDGER) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def function_of(mutant: str) -> tuple[str, str]:
    """(module, function) of a mutmut name: tik.auth.sessions.x_start__mutmut_3 -> (tik.auth.sessions, start);
    a method's tik.web.xǁPlainTextǁ__init____mutmut_1 -> (tik.web, PlainText.__init__)."""
    module, _, name = mutant.rpartition(".")
    name = name.rsplit("__mutmut_", 1)[0]
    if name.startswith("xǁ"):
        _, cls, method = name.split("ǁ")
        return module, f"{cls}.{method}"
    return module, name[2:]


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The removed and the added lines of a unified diff, stripped."""
    body = [line for line in diff.splitlines() if not line.startswith(("---", "+++", "@@"))]
    return ([line[1:].strip() for line in body if line.startswith("-")],
            [line[1:].strip() for line in body if line.startswith("+")])


def matches(pattern: str, removed: list[str], added: list[str]) -> bool:
    if pattern.startswith("-"):
        return not added and pattern[1:] in removed
    if pattern.startswith("^"):
        return any(line.startswith(pattern[1:]) for line in added)
    return any(pattern in line for line in added)


def verdict_of(mutant: str, diff: str, ledger: list[dict]) -> dict | None:
    """The ledger entry that explains `mutant` (whose change is `diff`), or None."""
    module, function = function_of(mutant)
    removed, added = changed_lines(diff)
    for entry in ledger:
        if (entry["module"], entry["function"]) == (module, function) and any(
                matches(pattern, removed, added) for pattern in entry["mutated"]):
            return entry
    return None


def results(meta: Path) -> dict[str, str]:
    """Each mutant of one module with its status, mutmut's statuses folded into COLUMNS."""
    from mutmut.stats import status_by_exit_code

    folded = {"timeout": "killed", "segfault": "killed", "caught by type check": "killed",
              "suspicious": "survived", "skipped": "not checked", "check was interrupted by user": "not checked"}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    statuses = {name: status_by_exit_code[code] for name, code in codes.items()}
    return {name: folded.get(status, status) for name, status in statuses.items()}


def untested(patterns: list[str], root: Path = Path("mutants/tik")) -> list[str]:
    """The mutants in `root` without a result yet (never run, or stopped mid-run), those that match one of the
    fnmatch `patterns` (mutmut's own globs) or all when none is given."""
    return [mutant for meta in sorted(root.rglob("*.py.meta")) for mutant, status in results(meta).items()
            if status == "not checked" and (not patterns or any(fnmatch(mutant, p) for p in patterns))]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--untested"]:
        print(" ".join(untested(argv[1:])))
        return 0
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    ledger = load_ledger()
    rows: dict[str, Counter] = {}
    gaps: list[tuple[str, str, str]] = []
    for meta in sorted(Path("mutants/tik").rglob("*.py.meta")):
        source = str(meta.relative_to("mutants"))[:-len(".meta")]
        counts = Counter()
        for mutant, status in results(meta).items():
            if status == "survived":
                diff = get_diff_for_mutant(mutant, path=source)
                entry = verdict_of(mutant, diff, ledger)
                if entry and entry["verdict"] in EXPLAINED:
                    status = "ledger"
                else:
                    gaps.append((mutant, entry["verdict"] if entry else "", diff))
            counts[status] += 1
        if counts:
            rows[source] = counts
    if not rows:
        print("mutmut: no results (run `mutmut run` first).")
        return 1
    total = sum(rows.values(), Counter())
    print(f"{'module':<26}{'killed':>8}{'survived':>10}{'ledger':>8}{'no tests':>10}{'not run':>9}{'total':>7}"
          f"{'score':>8}")
    for module, c in [*rows.items(), ("all", total)]:
        tested = c["killed"] + c["survived"]
        score = f"{100 * c['killed'] / tested:.1f}%" if tested else "-"
        print(f"{module:<26}" + "".join(f"{c[k]:>{w}}" for k, w in zip(COLUMNS, (8, 10, 8, 10, 9), strict=True))
              + f"{sum(c.values()):>7}{score:>8}")
    if "--survivors" in argv:
        for mutant, verdict, diff in gaps:
            print(f"\n{mutant}" + (f"  (ledger: {verdict})" if verdict else ""))
            print("\n".join(line for line in diff.splitlines()[2:] if line.startswith(("+", "-"))))
    else:
        print("Survivors the ledger does not explain: `python tools/mutation_score.py --survivors`.")
    return 0 if total["killed"] + total["survived"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
