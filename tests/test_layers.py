"""Packages depend one way: the import graph between TIK's packages has no cycle (see README, "Layout").

The graph is read from the source, not from what Python happens to import: every `import` counts, at module
level and inside functions alike, so a function-level import hides a cycle from the interpreter but not from
this test. Its nodes ("units") are each package under tik/ and each top-level module (tik/web.py, tik/forms.py,
…); a package's `models` module is a unit of its own, the models layer at the bottom, which imports nothing
but the foundation.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TIK = Path(__file__).resolve().parent.parent / "tik"
# What the models may import: the database, the clock and the pure guide model. Nothing of a feature.
FOUNDATION_FOR_MODELS = {"clock", "extensions", "guides"}


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


def test_no_package_imports_one_that_imports_it_back():
    edges = unit_graph()
    found = cycles(edges)
    assert not found, "Packages depend one way; these import each other in a circle:\n" + "\n".join(
        describe(c, edges) for c in found)


def test_the_models_import_no_feature():
    edges = unit_graph()
    wrong = {(a, b): where for (a, b), where in edges.items()
             if a.endswith(".models") and not b.endswith(".models") and b not in FOUNDATION_FOR_MODELS}
    assert not wrong, f"models import only the database, the clock and other models: {wrong}"


def test_the_check_names_a_cycle_hidden_in_a_function(tmp_path):
    """The check itself: a cycle made by an import inside a function is found and named."""
    package = tmp_path / "tik"
    for folder in ("a", "b", "c"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a" / "service.py").write_text("from tik.b.service import g\n")
    (package / "b" / "service.py").write_text("import tik.c.models\n\ndef g():\n    from tik.a.service import f\n")
    (package / "c" / "models.py").write_text("from tik.a import service\n")
    edges = unit_graph(package)
    assert cycles(edges) == [["a", "b", "a"]]
    assert "tik/b/service.py:4" in describe(["a", "b", "a"], edges)
    assert ("c.models", "a") in edges  # a model importing a feature: the models test names it
