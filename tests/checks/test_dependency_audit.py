"""`make check` says how many packages pip-audit audited, and never calls an unreachable service a pass."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "audit_dependencies", Path(__file__).resolve().parents[2] / "tools" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

OFFLINE = {"dependencies": [{"name": "flask", "version": "3.1.3",
                             "skip_reason": "Dependency not found on PyPI and could not be audited"},
                            {"name": "tik", "version": "0.1.0", "skip_reason": "distribution marked as editable"}]}


def test_an_unreachable_service_is_reported_as_not_audited_but_not_as_a_failure(monkeypatch):
    monkeypatch.delenv("TIK_AUDIT_STRICT", raising=False)
    text, code = audit.summary(OFFLINE)
    assert "0 of 1 packages audited" in text and "NOT AUDITED" in text and "could not be reached" in text
    assert code == 0
    monkeypatch.setenv("TIK_AUDIT_STRICT", "1")
    assert audit.summary(OFFLINE)[1] != 0


def test_a_clean_audit_counts_its_packages_and_a_vulnerability_fails():
    clean = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []},
                              {"name": "jinja2", "version": "3.1.6", "vulns": []}]}
    text, code = audit.summary(clean)
    assert text.startswith("pip-audit: 2 of 2 packages audited, 0 with") and "NOT AUDITED" not in text and code == 0
    clean["dependencies"][1]["vulns"] = [{"id": "GHSA-xxxx", "fix_versions": ["3.1.7"]}]
    text, code = audit.summary(clean)
    assert "VULNERABLE jinja2 3.1.6: GHSA-xxxx" in text and code == 1
