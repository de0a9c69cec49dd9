"""Run pip-audit and say plainly what it did: how many packages were audited, and whether the vulnerability
service could be reached at all. Offline (CI reaches only a package mirror) it reports "not audited" and
exits 0, never "no known vulnerabilities"; a found vulnerability exits 1. TIK_AUDIT_STRICT=1 makes an
unreachable service an error too.

    python tools/audit_dependencies.py [pip-audit binary]
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs pip-audit, a fixed program with fixed arguments
import sys


def summary(report: dict) -> tuple[str, int]:
    """(the lines to print, the exit code) for a pip-audit JSON report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d and "editable" not in d["skip_reason"]]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = [f"pip-audit: {len(audited)} of {len(audited) + len(skipped)} packages audited, "
             f"{len(vulnerable)} with known vulnerabilities."]
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        lines.append(f"  VULNERABLE {dep['name']} {dep['version']}: {ids}")
    if vulnerable:
        return "\n".join(lines), 1
    if skipped and not audited:
        lines.append("  NOT AUDITED: the vulnerability service could not be reached (no internet here?); "
                     "this is not a clean result. Run `make check` where PyPI's JSON API is reachable.")
        return "\n".join(lines), 2 if os.environ.get("TIK_AUDIT_STRICT") == "1" else 0
    if skipped:
        lines.append(f"  {len(skipped)} packages could not be audited: "
                     + ", ".join(sorted(d["name"] for d in skipped)))
    return "\n".join(lines), 0


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "pip-audit"
    run = subprocess.run([binary, "--progress-spinner", "off", "--skip-editable", "--format", "json"],  # nosec B603
                         capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout or "{}")
    except json.JSONDecodeError:
        print(f"pip-audit failed (exit {run.returncode}); nothing was audited:\n{run.stderr.strip()}")
        return 2 if os.environ.get("TIK_AUDIT_STRICT") == "1" else 0
    text, code = summary(report)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
