"""The house rules of ``planner/``: no import circles, and imports point down the layers only.

The module import graph is read from the source with :mod:`ast` (every ``import`` and
``from … import``, at the top of a module or inside a function: a deferred import is still
a dependency), so the check costs no imports and sees lazy cycles too. ``docs/architecture.md``
describes the layers this test enforces.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "planner"

#: Layer of each top-level part of ``planner``: a module may import its own layer or lower ones.
LAYERS = {
    "planner._errors": 0,
    "planner.catalogue": 0,
    "planner.engine": 1,
    "planner.analysis": 2,
    "planner.interop": 2,
    "planner.outputs": 2,
    "planner.verify": 2,
    "planner.store": 3,
    "planner.boundary": 3,
    "planner.api": 4,
    "planner.cli": 4,
    "planner.ui": 4,
    "planner.__main__": 5,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> nx.DiGraph:
    """Edges ``a -> b`` when module ``a`` imports module ``b`` of ``planner`` (anywhere in ``a``)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                # ``from pkg import mod`` depends on the module; ``from mod import name`` on mod
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                while target and target not in modules:  # ``import planner.x.y`` names a module or a package
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def layer(module: str) -> int | None:
    for prefix, rank in sorted(LAYERS.items(), key=lambda kv: -len(kv[0])):
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


GRAPH = import_graph()


def test_the_graph_is_read():
    # the reader must see the edges it is meant to police, or the other tests prove nothing
    assert GRAPH.has_edge("planner.engine.routing", "planner.engine.selection")
    assert GRAPH.has_edge("planner.engine.selection", "planner.catalogue.models")
    assert GRAPH.number_of_nodes() > 100


def test_no_import_circles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert cycles == [], f"import circles: {cycles}"


def test_every_module_has_a_layer():
    # the root package is only a lazy facade (``planner.load``, ``planner.recommend``, ``__version__``)
    unplaced = sorted(m for m in GRAPH if m != "planner" and layer(m) is None)
    assert unplaced == [], f"add these to LAYERS and docs/architecture.md: {unplaced}"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m != "planner"))
def test_imports_point_down(module):
    here = layer(module)
    upward = sorted(t for t in GRAPH.successors(module) if t != "planner" and (layer(t) or 0) > here)
    assert upward == [], f"{module} (layer {here}) imports from a higher layer: {upward}"


def test_architecture_page_names_every_package():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted({".".join(m.split(".")[:2]) for m in GRAPH if m.count(".") >= 1} - {"planner.__main__"})
    missing = [p for p in packages if f"`{p.replace('.', '/')}" not in text]
    assert missing == [], f"docs/architecture.md does not describe {missing}"


#: A function may run longer than this only when its docstring says why (issue: long functions).
LONG_FUNCTION = 80
_SAYS_WHY = re.compile(r"(?i)\b(long|kept (whole|as one)|over 80 lines)\b")


def long_functions() -> list[tuple[str, str, int, str]]:
    """(file, name, lines, docstring) of every function in ``planner/`` over LONG_FUNCTION lines."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LONG_FUNCTION:
                    found.append((path.relative_to(ROOT).as_posix(), node.name, lines, ast.get_docstring(node) or ""))
    return found


def test_a_long_function_says_why_it_is_kept_long():
    unexplained = [f"{path}::{name} ({lines} lines)" for path, name, lines, doc in long_functions()
                   if not _SAYS_WHY.search(doc)]
    assert unexplained == [], f"split these, or say in the docstring why they are kept long: {unexplained}"


def test_long_functions_are_found():
    # the reader must see the long functions it is meant to police
    assert any(name == "build_problem" for _, name, _, _ in long_functions())
