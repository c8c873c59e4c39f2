"""The package's shape: no import cycle between its parts, no module too long to read.

A part is a subpackage (``xlbudget.rules``) or a top-level module (``xlbudget.engine``); every
import counts, those inside functions and under ``TYPE_CHECKING`` too, since a cycle there is
still a cycle in what the code means.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "xlbudget"
MAX_LINES = 420

#: part -> imported part -> where ("xlbudget/x.py:12")
Graph = dict[str, dict[str, list[str]]]


def _part(module: str) -> str:
    """``xlbudget.rules.t1`` -> ``xlbudget.rules``; top-level modules stay themselves."""
    return ".".join(module.split(".")[:2])


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


def _targets(node: ast.AST, here: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:  # relative: resolve against this module's package
        base = here.split(".")
        base = base[:len(base) - node.level + (1 if is_package else 0)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    # ``from xlbudget import api`` imports the part ``xlbudget.api``
    return [f"{module}.{a.name}" if module == "xlbudget" else module for a in node.names]


def import_graph() -> Graph:
    graph: Graph = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _module(path)
        source = _part(here)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, here, path.name == "__init__.py"):
                if target != "xlbudget" and target.startswith("xlbudget."):
                    part = _part(target)
                    if part != source:
                        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                        graph[source][part].append(where)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one part (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_parts() -> None:
    graph = import_graph()
    lines = []
    for component in cycles(graph):
        inside = set(component)
        lines.append("cycle: " + " ↔ ".join(component))
        for source in component:
            for target, where in sorted(graph[source].items()):
                if target in inside:
                    lines.append(f"  {source} -> {target}: {', '.join(dict.fromkeys(where))}")
    assert not lines, "\n".join(lines)


def test_the_graph_sees_imports_inside_functions() -> None:
    """The check would pass vacuously if it missed deferred imports: the CLI imports the
    library only inside its commands."""
    assert "xlbudget.api" in import_graph()["xlbudget.cli"]


def test_no_module_is_too_long() -> None:
    long = {str(p.relative_to(PACKAGE.parent)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
