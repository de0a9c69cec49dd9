"""One place per rule: the consent age is one function, and nothing else compares an age with it; each rule the
code and the templates share (overdue, open for evaluation, writable, the durations, the status words, the
holder-deactivated sentinel, the date formats, the refusal with a code) is defined once and imported."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from tik.guides.model import age_on

ROOT = Path(__file__).resolve().parents[2]


def test_the_consent_age_is_reached_on_the_birthday(app):
    from tik.guidebook import current_guide

    with app.app_context():
        guide = current_guide()
    age = guide.consent_age
    birth = date(2010, 3, 15)
    assert not guide.of_consent_age(birth, date(2010 + age, 3, 14))
    assert guide.of_consent_age(birth, date(2010 + age, 3, 15))
    leap = date(2008, 2, 29)  # born on a leap day: the birthday is 1 March in other years
    assert age_on(leap, date(2009, 2, 28)) == 0 and age_on(leap, date(2009, 3, 1)) == 1


def test_nothing_but_the_rule_reads_the_consent_age():
    """Code and templates ask `guide.of_consent_age(birth, on)`; none compares an age with the number (showing
    the number, "from 15 the young person consents", is fine)."""
    allowed = {ROOT / "tik/guides/model.py", ROOT / "tik/guides/loader.py"}
    found = [f"{path.relative_to(ROOT)}:{n}"
             for path in [*ROOT.glob("tik/**/*.py"), *ROOT.glob("templates/**/*.html")] if path not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"(?:[<>]=?|==)\s*[\w.()\[\]'\"]*\bconsent_age\b|\bconsent_age\b\s*(?:[<>]=?|==|[-+])", line)]
    assert not found, f"the consent age is read outside its rule: {found}"


# -- each rule once: a rule is defined in one place, named, and imported everywhere it is used -------------------
#
# Each check below names a rule, where it lives, and a pattern that matches a copy of its definition (the
# comparison, the number, the literal). A copy anywhere else in tik/ or templates/ fails the test. The demo and
# the scale seeder are left out where they state their own scenario data (durations of the demo's consents).

def copies(pattern: str, home: set[str], root: Path = ROOT, skip: frozenset[str] = frozenset()) -> list[str]:
    """Lines outside `home` (paths relative to root) in tik/**/*.py and templates/**/*.html matching `pattern`."""
    return [f"{path.relative_to(root)}:{n}"
            for path in sorted([*root.glob("tik/**/*.py"), *root.glob("templates/**/*.html")])
            if str(path.relative_to(root)) not in home | skip
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if re.search(pattern, line)]


RULES = {
    # rule: (pattern of a copy, its one home, how the home defines it, files left out)
    "overdue: a date before the day":
        (r"\b(?:deadline|evaluate_on|feedback_due)\s*<(?!=)\s*\(?\s*(?:on|today)\b", "tik/clock.py", r"def overdue\(",
         ()),
    "open for evaluation: planned or active":
        (r"PLANNED,\s*MeasureStatus\.ACTIVE|['\"]planned['\"]\s*,\s*['\"]active['\"]", "tik/plans/models.py",
         r"OPEN_FOR_EVALUATION = \(MeasureStatus.PLANNED, MeasureStatus.ACTIVE\)", ()),
    "writable: an open, unrestricted case":
        (r"is_open\s+and\s+not\s+[\w.]*restricted|not\s+[\w.]*restricted\s+and\s+[\w.]*is_open", "tik/auth/policy.py",
         r"def is_writable\(", ()),
    "a consent lasts a year":
        (r"expires_on\s*=\s*[^,]*\+\s*timedelta\(|CONSENT_DAYS", "tik/cases/consent.py",
         r"CONSENT_LASTS = timedelta\(days=365\)", ("devkit/demo.py",)),
    "a consent ending within 30 days is flagged":
        (r"(?i)consent_warning\w*\s*[=:]\s*(?:timedelta\(|\d)", "tik/cases/consent.py",
         r"CONSENT_WARNING = timedelta\(days=30\)", ()),
    "a measure is evaluated after six weeks":
        (r"timedelta\(weeks=6\)|timedelta\(days=42\)", "tik/plans/service.py", r"EVALUATE_AFTER = timedelta\(weeks=6\)",
         ()),
    "a measure's status in words":
        (r"['\"]planned['\"]\s*:\s*_l?\(|\(\s*['\"]planned['\"]\s*,\s*_l?\(", "tik/plans/models.py",
         r"STATUS_LABELS = \{MeasureStatus.PLANNED: _l\(", ()),
    "the handover proposed because the holder was deactivated":
        (r"['\"]deactivated['\"]", "tik/cases/models.py", r"HOLDER_DEACTIVATED = \"deactivated\"", ()),
    "the plan is written only by the plan service (a blank print makes an unsaved empty plan)":
        (r"(?<!class )\b(?:Plan|Measure|PlanRevision|Evaluation)\(", "tik/plans/service.py", r"def ensure_plan\(",
         ("tik/plans/printing.py", "devkit/demo.py", "devkit/scale.py")),
    "a consent in force is the young adult's own, given alone":
        (r"young_person\b[^\n]*\bconsents_alone\(|\bconsents_alone\([^\n]*\byoung_person", "tik/timeline/maturity.py",
         r"def adult_consents_alone\(", ()),
    "whom the family's copy of the plan is to (the young person or the guardians)":
        (r"\byoung\s*=\s*young\s+and\b|\band\s+young_person_consents\(", "tik/plans/letter.py",
         r"def to_young_person\(", ()),
    "the formats a date field accepts":
        (r"DATE_FORMATS\s*=|['\"]%d\.%m\.%Y['\"]", "tik/dates.py", r"DATE_FORMATS = \[", ()),
}


def test_each_rule_is_defined_once():
    found = {rule: where for rule, (pattern, home, _defined, skip) in RULES.items()
             if (where := copies(pattern, {home}, skip=frozenset(skip)))}
    assert not found, "a rule copied instead of imported from its one place:\n" + "\n".join(
        f"  {rule} (import it from {RULES[rule][1]}): {', '.join(where)}" for rule, where in found.items())


def test_each_rule_is_in_its_home():
    """The check above looks for copies; this one holds that each rule is still defined where it says, so a
    moved rule cannot make the check vacuous."""
    missing = [rule for rule, (_pattern, home, defined, _skip) in RULES.items()
               if not re.search(defined, (ROOT / home).read_text(encoding="utf-8"))]
    assert not missing, f"these rules are no longer in their home: {missing}"


def refusal_classes(root: Path = ROOT) -> list[str]:
    """Classes that copy DomainError: an `__init__` that stores its `code` argument, outside tik/errors.py (and
    the guide engine's DecisionRefused, which carries the rule's parameters and imports nothing from Flask)."""
    found = []
    for path in sorted(root.glob("tik/**/*.py")):
        if str(path.relative_to(root)) in ("tik/errors.py", "tik/guides/engine.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__" and any(
                        isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name) and stmt.value.id == "code"
                        and any(isinstance(t, ast.Attribute) and t.attr == "code" for t in stmt.targets)
                        for stmt in ast.walk(item)):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {node.name}")
    return found


def test_one_domain_error_with_a_code():
    """A service refuses with tik.errors.DomainError(code) or a subclass that only names it; no copies."""
    found = refusal_classes()
    assert not found, f"subclass tik.errors.DomainError instead of copying it: {found}"


def test_views_catch_domain_error_not_each_subclass(app):
    """The app (its views import every service) is made first, so every subclass of DomainError is known."""
    from tik.errors import DomainError

    names = {cls.__name__ for cls in _subclasses(DomainError)}
    found = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in sorted(ROOT.glob("tik/**/*views.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ExceptHandler) and node.type is not None and names & {
                 n.attr if isinstance(n, ast.Attribute) else n.id for n in ast.walk(node.type)
                 if isinstance(n, ast.Attribute | ast.Name)}]
    assert names and not found, f"views catch DomainError once, not its subclasses: {found}"


def _subclasses(cls) -> set[type]:
    seen, todo = set(), [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


def test_the_checks_find_the_copies_they_were_written_for(tmp_path):
    """Each check finds a copy planted in a tree like ours (the copies this change removed, as they were)."""
    planted = {
        "templates/cases/case.html": "{% if case.deadline < today %}passert{% endif %}",
        "tik/cases/queries.py": "overdue = bool(case.deadline and case.deadline < today())",
        "tik/mywork/service.py": "DueEvaluation(ref, m, m.evaluate_on < on)\n"
                                 "Measure.status.in_((MeasureStatus.PLANNED, MeasureStatus.ACTIVE)),\n"
                                 "CONSENT_WARNING = timedelta(days=30)",
        "tik/cases/carry.py": 'for m in plan.measures if m.status.value in ("planned", "active")]',
        "templates/family/case.html": "{% if case.is_open and not case.restricted %}",
        "tik/family/service.py": "expires_on=on + timedelta(days=CONSENT_DAYS)",
        "tik/youth/service.py": "expires_on=today() + timedelta(days=365)",
        "tik/cases/views.py": "consent_warning_days=30,",
        "tik/meetings/views.py": "evaluate_on=today() + timedelta(weeks=6)",
        "templates/pdf/plan.html": "{{ {'planned': _('Planlagt'), 'active': _('Pågår')}[m.status.value] }}",
        "templates/mywork/start.html": "{% if h.note == 'deactivated' %}",
        "tik/plans/forms.py": 'DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]',
        "tik/concerns/forms.py": 'format=["%Y-%m-%d", "%d.%m.%Y"]',
        "tik/cases/steps.py": "        plan = Plan(case_id=case.id)",
        "tik/family/letters.py": "alone = any(c.young_person and guide.consents_alone(birth, c.given_on) for c in cs)",
        "tik/plans/printing.py": "        young = young and young_person_consents(case, guide_of(case))",
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
    found = {rule: copies(pattern, {home}, tmp_path, frozenset(skip))
             for rule, (pattern, home, _defined, skip) in RULES.items()}
    assert all(found.values()), f"a check finds nothing: {[r for r, w in found.items() if not w]}"
    assert found[next(r for r in RULES if r.startswith("overdue"))] == [
        "templates/cases/case.html:1", "tik/cases/queries.py:1", "tik/mywork/service.py:1"]
    copied = tmp_path / "copied"
    (copied / "tik/lifecycle").mkdir(parents=True)
    (copied / "tik/lifecycle/access.py").write_text(
        "class WithholdError(ValueError):\n    def __init__(self, code: str) -> None:\n        super().__init__(code)\n"
        "        self.code = code\n\n\nclass Named(DomainError):\n    \"\"\"Only a name.\"\"\"\n", encoding="utf-8")
    assert refusal_classes(copied) == ["tik/lifecycle/access.py:1: WithholdError"]
