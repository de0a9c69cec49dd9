"""TIK's layers, defined once: `LAYERS` below is the one table of which package sits where. This test reads
it, and docs/architecture.md draws it (a test there holds the drawing to this table).

A unit imports only from its own layer or the layers below it. The graph is read from the source, not from
what Python happens to import: every `import` counts, at module level and inside functions alike, so a
function-level import hides neither an upward import nor a circle from this test. Its nodes ("units") are each
package under tik/ and each top-level module (tik/web.py, tik/forms.py, …); a package's `models` module is a
unit of its own, in the models layer near the bottom, which imports nothing but the foundation and other models.

The test fails on:
- an import from a higher layer (`cases` importing `lifecycle`), or of a unit the table does not place;
- two units that import each other, however indirectly (a circle), and two *files* that do (a file circle,
  e.g. a package's views importing another views module that imports them back);
- a relative import (`from .service import x`) and any `importlib` or `__import__` use: imports this test
  cannot read are not allowed, so the graph it checks is the whole graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TIK = Path(__file__).resolve().parents[2] / "tik"

# The layers, lowest first: (name, units). `*.models` is every package's models module.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("clock", "extensions", "config", "crypto", "bidi", "versioning", "messages", "letter_texts",
                    "forms", "idempotency", "db", "errors", "guides", "dates")),
    ("models", ("*.models",)),
    ("the guidebook in use, the audit trail, users and the access policy", ("municipalities", "guidebook", "identity",
                                                                           "audit", "auth")),
    ("the case's history", ("timeline",)),
    ("what every request shares", ("web",)),
    ("the plan", ("plans",)),
    ("the case", ("cases",)),
    ("features that start from a case", ("concerns", "meetings", "org", "family", "lifecycle", "stats",
                                         "handbook", "backup", "youth")),
    ("Min side", ("mywork",)),
    ("the app and its commands", ("tik", "models", "cli")),
]
# What the models may import: the database, the clock and the pure guide model. Nothing of a feature.
FOUNDATION_FOR_MODELS = {"clock", "extensions", "guides"}
# File circles that exist today and are being taken apart elsewhere. Each entry is a TODO, not a permission
# (none today: the case page's action views are registered by the app factory, not by tik/cases/views.py).
KNOWN_FILE_CIRCLES: set[frozenset[str]] = set()


def layer_of(unit: str) -> int | None:
    """The layer's index (0 = foundation) of a unit, or None when the table does not place it."""
    for index, (_name, units) in enumerate(LAYERS):
        if unit in units or (unit.endswith(".models") and "*.models" in units):
            return index
    return None


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at `root` by its dotted name."""
    found = {}
    for path in root.rglob("*.py"):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def unit_of(module: str) -> str | None:
    """The unit a dotted module name belongs to: `cases` for tik.cases.steps, `cases.models` for the models,
    `web` for tik.web; None outside the package; the package itself (the app factory) is `tik`."""
    parts = module.split(".")
    if len(parts) < 2:
        return parts[0]
    if len(parts) > 2 and parts[2] == "models":
        return f"{parts[1]}.models"
    return parts[1]


def imports(path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """(module imported, line) for each import in the file, at any depth; `from a import b` names a.b when
    that is a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.append((full if full in known else node.module, node.lineno))
    return found


def unit_graph(root: Path = TIK) -> dict[tuple[str, str], list[str]]:
    """Edges between units, each with where it is made ("tik/cases/views.py:41")."""
    known = modules(root)
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, path in known.items():
        source = unit_of(name)
        for target, line in imports(path, known):
            if target.split(".")[0] != root.name:
                continue
            unit = unit_of(target)
            where = f"{path.relative_to(root.parent)}:{line}"
            if unit != source and where not in edges[(source, unit)]:
                edges[(source, unit)].append(where)
    return edges


def cycles(edges) -> list[list[str]]:
    """One cycle through each strongly connected group of units (Tarjan), each as [a, b, …, a]."""
    graph = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(group, graph) for group in groups]


def _cycle_in(group: set[str], graph) -> list[str]:
    """A shortest way from the group's first unit back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    following.append(w)
        frontier = following
    raise AssertionError("a strongly connected group always has a cycle")


def describe(cycle: list[str], edges) -> str:
    return " -> ".join(cycle) + "\n" + "\n".join(
        f"  {a} -> {b}: {', '.join(edges[(a, b)][:3])}" for a, b in zip(cycle, cycle[1:], strict=False))


def upward_imports(edges) -> dict[tuple[str, str], list[str]]:
    """Every edge that goes up the table, or to or from a unit the table does not place."""
    wrong = {}
    for (a, b), where in edges.items():
        la, lb = layer_of(a), layer_of(b)
        if la is None or lb is None or lb > la:
            wrong[(a, b)] = where
    return wrong


def module_graph(root: Path = TIK) -> dict[tuple[str, str], list[str]]:
    """Edges between the package's files (dotted module names), each with where it is made."""
    known = modules(root)
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, path in known.items():
        for target, line in imports(path, known):
            while target not in known and "." in target:  # `import tik.a.b.c` of a name inside tik.a.b
                target = target.rsplit(".", 1)[0]
            if target in known and target != name:
                edges[(name, target)].append(f"{path.relative_to(root.parent)}:{line}")
    return edges


def file_circles(root: Path = TIK) -> list[list[str]]:
    """One circle through each group of files that import each other, known exceptions left out."""
    edges = module_graph(root)
    return [c for c in cycles(edges) if frozenset(c) not in KNOWN_FILE_CIRCLES]


def unreadable_imports(root: Path = TIK) -> list[str]:
    """Relative imports and dynamic ones (importlib, __import__), each as "file:line: what"."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                found.append(f"{where}:{node.lineno}: relative import")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if any(n and n.split(".")[0] == "importlib" for n in names):
                    found.append(f"{where}:{node.lineno}: importlib")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                found.append(f"{where}:{node.lineno}: __import__")
    return found


def layer_table_markdown() -> str:
    """The table as docs/architecture.md draws it: one row per layer, highest first."""
    rows = ["| layer | units (packages and modules of `tik/`) |", "|---|---|"]
    for index, (name, units) in reversed(list(enumerate(LAYERS))):
        rows.append(f"| {index}. {name} | {', '.join(f'`{u}`' for u in units)} |")
    return "\n".join(rows)


def test_no_package_imports_one_that_imports_it_back():
    edges = unit_graph()
    found = cycles(edges)
    assert not found, "Packages depend one way; these import each other in a circle:\n" + "\n".join(
        describe(c, edges) for c in found)


def test_every_import_goes_down_the_table():
    wrong = upward_imports(unit_graph())
    assert not wrong, "A unit imports only from its layer or below (LAYERS in " \
        "tests/checks/test_layers.py):\n" + "\n".join(
        f"  {a} (layer {layer_of(a)}) -> {b} (layer {layer_of(b)}): {', '.join(where[:3])}"
        for (a, b), where in sorted(wrong.items()))


def test_no_file_imports_one_that_imports_it_back():
    edges = module_graph()
    found = file_circles()
    assert not found, "These files import each other in a circle:\n" + "\n".join(describe(c, edges) for c in found)


def test_the_known_file_circles_still_exist():
    """An exception that no longer exists is removed from KNOWN_FILE_CIRCLES (it would hide a new one)."""
    present = {frozenset(c) for c in cycles(module_graph())}
    assert KNOWN_FILE_CIRCLES <= present, f"no longer circles, remove them: {KNOWN_FILE_CIRCLES - present}"


def test_every_import_is_readable():
    found = unreadable_imports()
    assert not found, "Import by absolute name, at the top of a module or in a function:\n" + "\n".join(found)


def models_importing_features(edges) -> dict[tuple[str, str], list[str]]:
    """Every edge from a models module to anything but other models and FOUNDATION_FOR_MODELS."""
    return {(a, b): where for (a, b), where in edges.items()
            if a.endswith(".models") and not b.endswith(".models") and b not in FOUNDATION_FOR_MODELS}


def test_the_models_import_no_feature():
    wrong = models_importing_features(unit_graph())
    assert not wrong, f"models import only the database, the clock and other models: {wrong}"


def test_the_architecture_page_draws_this_table():
    page = (TIK.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert layer_table_markdown() in page, "docs/architecture.md must hold the table as layer_table_markdown() draws it"


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package tree named tik under tmp_path, every folder a package, with `files` written into it."""
    package = tmp_path / "tik"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)
    return package


def test_the_check_names_a_cycle_hidden_in_a_function(tmp_path):
    """The check itself: a cycle made by an import inside a function is found and named."""
    package = _plant(tmp_path, {
        "a/service.py": "from tik.b.service import g\n",
        "b/service.py": "import tik.c.models\n\ndef g():\n    from tik.a.service import f\n",
        "c/models.py": "from tik.a import service\n",
    })
    edges = unit_graph(package)
    assert cycles(edges) == [["a", "b", "a"]]
    assert "tik/b/service.py:4" in describe(["a", "b", "a"], edges)
    assert models_importing_features(edges) == {("c.models", "a"): ["tik/c/models.py:1"]}


def test_the_check_fails_on_an_upward_import_even_inside_a_function(tmp_path):
    package = _plant(tmp_path, {
        "cases/service.py": "def close():\n    from tik.lifecycle.service import archive\n",
        "lifecycle/service.py": "from tik.cases.service import close\n",  # downward: fine
        "timeline/service.py": "from tik.clock import now\n",
        "clock.py": "",
    })
    assert upward_imports(unit_graph(package)) == {("cases", "lifecycle"): ["tik/cases/service.py:2"]}


def test_the_check_fails_on_a_unit_the_table_does_not_place(tmp_path):
    package = _plant(tmp_path, {"newthing/service.py": "from tik.clock import now\n", "clock.py": ""})
    assert set(upward_imports(unit_graph(package))) == {("newthing", "clock")}


def test_the_check_fails_on_a_relative_and_a_dynamic_import(tmp_path):
    package = _plant(tmp_path, {
        "cases/views.py": "from .service import close\nfrom . import forms\n",
        "cases/service.py": "import importlib\n",
        "cases/forms.py": "from importlib import import_module\n",
        "cases/steps.py": "def load():\n    return __import__('tik.lifecycle.service')\n",
        "cases/fine.py": "from tik.cases.service import close\n",
    })
    assert unreadable_imports(package) == [
        "tik/cases/forms.py:1: importlib", "tik/cases/service.py:1: importlib", "tik/cases/steps.py:2: __import__",
        "tik/cases/views.py:1: relative import", "tik/cases/views.py:2: relative import"]


def test_the_check_fails_on_a_file_circle_inside_one_package(tmp_path):
    package = _plant(tmp_path, {
        "meetings/views.py": "from tik.meetings import agenda_views  # registers its routes\nbp = None\n",
        "meetings/agenda_views.py": "def page():\n    from tik.meetings.views import bp\n",
    })
    assert cycles(unit_graph(package)) == []  # one unit: the package graph cannot see it
    assert file_circles(package) == [["tik.meetings.agenda_views", "tik.meetings.views", "tik.meetings.agenda_views"]]


def test_the_check_fails_on_an_upward_import_at_module_level_and_from_a_models_module(tmp_path):
    package = _plant(tmp_path, {
        "plans/service.py": "from tik.cases.steps import decide\n",  # the plan sits below the case
        "cases/steps.py": "from tik.plans.service import ensure_plan\n",
        "cases/models.py": "from tik.clock import now\nfrom tik.timeline.service import log\n",
        "timeline/service.py": "", "clock.py": "",
    })
    edges = unit_graph(package)
    assert upward_imports(edges) == {("plans", "cases"): ["tik/plans/service.py:1"],
                                     ("cases.models", "timeline"): ["tik/cases/models.py:2"]}
    assert models_importing_features(edges) == {("cases.models", "timeline"): ["tik/cases/models.py:2"]}
    assert cycles(edges) == [["cases", "plans", "cases"]]
