"""Every link TIK builds names a route that exists: each `url_for` target in the Python code and the templates,
each `may_use(...)` a template asks about and each `request.endpoint == ...` it compares against, read from the
source and checked against the endpoints the app registers. A misspelt or removed endpoint fails here, not on
the one page (or the one error path) that builds the link.

Targets that are not string literals cannot be checked statically and are refused, except a lambda that only
hands its argument on (the templates' `may_use` global in tik/web.py): the templates that call it are checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# In templates: url_for('x.y' …), may_use('x.y'), request.endpoint == 'x.y' (or !=).
TEMPLATE_TARGET = re.compile(
    r"""(?:url_for|may_use)\(\s*(['"])(?P<a>[^'"]*)\1|request\.endpoint\s*[!=]=\s*(['"])(?P<b>[^'"]*)\3""")
TEMPLATE_DYNAMIC = re.compile(r"""(?:url_for|may_use)\(\s*(?!['"])""")


def python_targets(root: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, "file:line") for each url_for("…") in the package, and "file:line" of each non-literal one."""
    targets, dynamic = [], []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handed_on = {id(arg) for lam in ast.walk(tree) if isinstance(lam, ast.Lambda) and isinstance(lam.body, ast.Call)
                     for arg in lam.body.args
                     if isinstance(arg, ast.Name) and arg.id in {a.arg for a in lam.args.args}}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in ("url_for", "may_use"):
                continue
            first = node.args[0] if node.args else None
            if name == "may_use":  # may_use(user, "endpoint")
                first = node.args[1] if len(node.args) > 1 else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                targets.append((first.value, f"{where}:{node.lineno}"))
            elif id(first) not in handed_on and (first is not None or name == "url_for"):
                dynamic.append(f"{where}:{node.lineno}")
    return targets, dynamic


def template_targets(root: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(endpoint, "file:line") for each target named in the templates, and "file:line" of each dynamic one."""
    targets, dynamic = [], []
    for path in sorted(root.rglob("*.html")):
        where = path.relative_to(root.parent)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            targets += [(m.group("a") or m.group("b"), f"{where}:{number}") for m in TEMPLATE_TARGET.finditer(line)]
            dynamic += [f"{where}:{number}" for _ in TEMPLATE_DYNAMIC.finditer(line)]
    return targets, dynamic


def unknown(targets: list[tuple[str, str]], endpoints: set[str]) -> list[str]:
    return [f"{where}: {endpoint!r}" for endpoint, where in targets if endpoint not in endpoints]


def registered_endpoints() -> set[str]:
    from tik import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return set(app.view_functions)


def test_every_url_for_in_the_code_names_a_registered_endpoint():
    targets, dynamic = python_targets(ROOT / "tik")
    assert len(targets) > 50, "the scan found too few links to be reading the code"
    assert not dynamic, f"url_for/may_use with a target that is not a string literal: {dynamic}"
    assert not (wrong := unknown(targets, registered_endpoints())), "no such endpoint:\n" + "\n".join(wrong)


def test_every_link_in_the_templates_names_a_registered_endpoint():
    targets, dynamic = template_targets(ROOT / "templates")
    assert len(targets) > 100, "the scan found too few links to be reading the templates"
    assert not dynamic, f"url_for/may_use with a target that is not a string literal: {dynamic}"
    assert not (wrong := unknown(targets, registered_endpoints())), "no such endpoint:\n" + "\n".join(wrong)


def test_the_check_finds_a_misspelt_endpoint_in_code_and_templates(tmp_path):
    """The check itself, on a planted tree: a wrong endpoint and a dynamic one are found, with file and line."""
    package, templates = tmp_path / "tik", tmp_path / "templates"
    package.mkdir()
    templates.mkdir()
    (package / "views.py").write_text(
        "def view():\n    return redirect(url_for('cases.show', ref=ref))\n\n"
        "def other():\n    return url_for(\n        'cases.shwo')\n\n"
        "def third(name):\n    return url_for(name), may_use(user, 'org.nothing')\n\n"
        "globals = {'may_use': lambda endpoint: may_use(current_user, endpoint)}\n")
    (templates / "page.html").write_text(
        "<a href=\"{{ url_for('cases.show', ref=c.ref) }}\">\n"
        "{% if may_use('org.unit_overveiw') %}{% endif %}{% if request.endpoint == 'mywork.strat' %}{% endif %}\n"
        "{{ url_for(endpoint) }}\n")
    endpoints = {"cases.show", "org.unit_overview", "mywork.start"}
    targets, dynamic = python_targets(package)
    assert unknown(targets, endpoints) == ["tik/views.py:5: 'cases.shwo'", "tik/views.py:9: 'org.nothing'"]
    assert dynamic == ["tik/views.py:9"]
    targets, dynamic = template_targets(templates)
    assert unknown(targets, endpoints) == ["templates/page.html:2: 'org.unit_overveiw'",
                                           "templates/page.html:2: 'mywork.strat'"]
    assert dynamic == ["templates/page.html:3"]
