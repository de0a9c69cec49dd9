"""Print the mutation score of the last `mutmut run` per module and in all: killed / tested, with what was
not tested (lines no selected test reaches; mutants the run did not get to).

    python tools/mutation_score.py

A timeout or a crash of the tests counts as killed, as mutmut counts it. Exit 1 when no mutant was tested.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ("killed", "survived", "no tests", "not checked")


def counts(meta: Path) -> Counter:
    """The mutants of one module by status, mutmut's statuses folded into COLUMNS."""
    folded = {"timeout": "killed", "segfault": "killed", "caught by type check": "killed",
              "suspicious": "survived", "skipped": "not checked", "check was interrupted by user": "not checked"}
    codes = json.loads(meta.read_text())["exit_code_by_key"].values()
    return Counter(folded.get(status_by_exit_code[code], status_by_exit_code[code]) for code in codes)


def main() -> int:
    rows = {str(meta.relative_to("mutants"))[:-len(".meta")]: counts(meta)
            for meta in sorted(Path("mutants/tik").rglob("*.py.meta"))}
    rows = {module: c for module, c in rows.items() if c}
    if not rows:
        print("mutmut: no results (run `mutmut run` first).")
        return 1
    total = sum(rows.values(), Counter())
    print(f"{'module':<24}{'killed':>8}{'survived':>10}{'no tests':>10}{'not run':>9}{'total':>7}{'score':>8}")
    for module, c in [*rows.items(), ("all", total)]:
        tested = c["killed"] + c["survived"]
        score = f"{100 * c['killed'] / tested:.1f}%" if tested else "-"
        print(f"{module:<24}" + "".join(f"{c[k]:>{w}}" for k, w in zip(COLUMNS, (8, 10, 10, 9), strict=True))
              + f"{sum(c.values()):>7}{score:>8}")
    print("Survivors: `.venv/bin/mutmut results`; one of them: `.venv/bin/mutmut show NAME`.")
    return 0 if total["killed"] + total["survived"] else 1


if __name__ == "__main__":
    sys.exit(main())
