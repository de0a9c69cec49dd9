"""Print the mutation score of the last `mutmut run` (killed / tested), with what was not tested.

    python tools/mutation_score.py
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - runs mutmut, a fixed program with fixed arguments
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    subprocess.run([str(BIN / "mutmut"), "export-cicd-stats"], check=False)  # nosec B603
    path = Path("mutants/mutmut-cicd-stats.json")
    if not path.exists():
        print("mutmut: no results (the run did not get far enough to test a mutant).")
        return 1
    s = json.loads(path.read_text())
    killed = s["killed"] + s["timeout"] + s["segfault"]
    tested = killed + s["survived"] + s["suspicious"]
    score = 100 * killed / tested if tested else 0.0
    print(f"mutmut: {score:.1f}% killed ({killed} of {tested} tested mutants; {s['survived']} survived, "
          f"{s['no_tests']} on lines no selected test reaches, {s['total'] - tested - s['no_tests']} not run yet, "
          f"of {s['total']} in all). Survivors: `{BIN / 'mutmut'} results`, one at a time: `mutmut show NAME`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
