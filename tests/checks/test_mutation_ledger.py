"""The mutation ledger (tests/mutation_ledger.yaml): its verdicts live there, not in code comments, each still names
a function that exists and code that is in it, and tools/mutation_score.py counts the survivors it explains."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("mutation_score", ROOT / "tools" / "mutation_score.py")
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)

LEDGER = score.load_ledger()
VERDICTS = {"equivalent", "not meaningful", "not checked"}


def _function(module: str, name: str):
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    return inspect.unwrap(target)


@pytest.mark.parametrize("entry", LEDGER, ids=lambda e: f"{e['module']}.{e['function']}")
def test_each_entry_names_a_function_that_exists_and_code_in_it(entry):
    function = _function(entry["module"], entry["function"])
    assert function is not None and inspect.isfunction(function), entry["function"]
    assert entry["code"] in inspect.getsource(function), (
        f"{entry['module']}.{entry['function']} no longer holds {entry['code']!r}: judge its mutants again")
    assert entry["verdict"] in VERDICTS
    assert entry["why"].strip() and entry["mutated"] and all(isinstance(p, str) and p for p in entry["mutated"])


def test_the_ledger_covers_the_security_core_and_names_each_function_once_per_verdict():
    assert len(LEDGER) >= 50
    keys = [(e["module"], e["function"], e["code"], e["verdict"]) for e in LEDGER]
    assert len(keys) == len(set(keys))


def test_no_mutation_verdicts_are_left_in_the_code():
    notes = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted((ROOT / "tik").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "mutmut:" in line]
    assert notes == [], "mutation verdicts belong in tests/mutation_ledger.yaml"


def _diff(old: str, new: str) -> str:
    return f"--- a\n+++ b\n@@ -1,3 +1,3 @@\n def f():\n-    {old}\n+    {new}\n     return x"


def test_the_score_counts_a_survivor_the_ledger_explains_and_no_other():
    name = "tik.identity.nin.x_birth_date_of__mutmut_28"
    old = "if sum(w * x for w, x in zip(W1, d[:10], strict=True)) % 11 not in (0, 1, 2, 3):"
    explained = score.verdict_of(name, _diff(old, old.replace("strict=True", "strict=False")), LEDGER)
    assert explained is not None and explained["verdict"] == "equivalent"
    # The same function, another change: a gap, not explained.
    assert score.verdict_of(name, _diff(old, old.replace("% 11", "% 12")), LEDGER) is None
    # The same change in a function the entry does not name.
    assert score.verdict_of("tik.identity.nin.x_other__mutmut_1",
                            _diff(old, old.replace("strict=True", "strict=False")), LEDGER) is None


def test_the_pattern_kinds():
    removed, added = score.changed_lines(_diff("a = f(x, y)", "a = f(x, )"))
    assert (removed, added) == (["a = f(x, y)"], ["a = f(x, )"])
    assert score.matches("f(x, )", removed, added)
    assert score.matches("^a = f", removed, added) and not score.matches("^f(x", removed, added)
    assert not score.matches("-a = f(x, y)", removed, added)  # "-": only a line removed with nothing in its place
    assert score.matches("-a = f(x, y)", ["a = f(x, y)"], [])


def test_mutant_names_map_to_functions_and_methods():
    assert score.function_of("tik.auth.sessions.x_start__mutmut_3") == ("tik.auth.sessions", "start")
    assert score.function_of("tik.auth.sessions.x__holds__mutmut_12") == ("tik.auth.sessions", "_holds")
    assert score.function_of("tik.auth.models.xǁUserǁget_id__mutmut_1") == ("tik.auth.models", "User.get_id")
    assert score.function_of("tik.web.xǁPlainTextǁ__init____mutmut_1") == ("tik.web", "PlainText.__init__")


def test_the_untested_mutants_are_those_without_a_result_matching_the_globs(tmp_path):
    """`--untested` names what a narrowed run has not reached, so naming them goes on where it stopped."""
    import json

    cases = tmp_path / "tik" / "cases"
    cases.mkdir(parents=True)
    (cases / "steps.py.meta").write_text(json.dumps({"exit_code_by_key": {
        "tik.cases.steps.x_a__mutmut_1": 1, "tik.cases.steps.x_a__mutmut_2": None,
        "tik.cases.steps.x_b__mutmut_1": 0, "tik.cases.steps.x_b__mutmut_2": 2}}))
    (tmp_path / "tik" / "web.py.meta").write_text(json.dumps({"exit_code_by_key": {"tik.web.x_c__mutmut_1": None}}))
    assert score.untested(["tik.cases.*"], root=tmp_path / "tik") == [
        "tik.cases.steps.x_a__mutmut_2", "tik.cases.steps.x_b__mutmut_2"]
    assert score.untested([], root=tmp_path / "tik") == [
        "tik.cases.steps.x_a__mutmut_2", "tik.cases.steps.x_b__mutmut_2", "tik.web.x_c__mutmut_1"]
