"""viz's modules meet at public seams: no private names across modules, no import cycle.

Read from the source with ``ast`` (nothing is imported), so a new module is checked as
soon as it exists. Each checker is also shown to fail on a small bad example.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

VIZ = Path(__file__).resolve().parents[2] / "viz"
SELF_NAMES = frozenset({"self", "cls"})


def is_private(name: str) -> bool:
    """``_name`` is private; ``__dunder__`` names are Python's, not a module's."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def viz_modules() -> dict[str, str]:
    """Every module of the viz package, by dotted name (``viz`` is ``__init__.py``)."""
    out = {}
    for path in sorted(VIZ.glob("*.py")):
        name = "viz" if path.stem == "__init__" else f"viz.{path.stem}"
        out[name] = path.read_text(encoding="utf-8")
    return out


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (types only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                stack.extend(child.orelse)  # the else branch does run
            else:
                stack.append(child)


def private_uses(source: str, module: str) -> list[str]:
    """Private names ``module`` takes from another module or reads off another object.

    Flags ``from viz.x import _name`` and ``something._name`` where ``something`` is not
    ``self`` or ``cls`` (a module's or another class's private attribute).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module != module:
            found += [
                f"line {node.lineno}: from {node.module} import {alias.name}"
                for alias in node.names
                if is_private(alias.name)
            ]
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in SELF_NAMES):
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def imported_modules(source: str, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``source`` imports when it runs (anywhere in it,
    functions included; imports under ``if TYPE_CHECKING:`` are for types only)."""
    out: set[str] = set()
    for node in runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module in known and node.level == 0:
            names = {f"{node.module}.{alias.name}" for alias in node.names}
            submodules = names & known
            out.update(submodules)
            if names - submodules:  # names defined in the module itself
                out.add(node.module)
    return out


def find_cycle(imports: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle of the import graph as a list of modules (first == last), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once explored

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(imports.get(module, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[module] = "done"
        return None

    for module in sorted(imports):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def import_graph(modules: Mapping[str, str]) -> dict[str, set[str]]:
    known = set(modules)
    return {name: imported_modules(source, known) - {name} for name, source in modules.items()}


# -- the package --------------------------------------------------------------------------


@pytest.mark.parametrize("module", sorted(viz_modules()))
def test_no_private_names_across_modules(module: str) -> None:
    assert private_uses(viz_modules()[module], module) == []


def test_no_import_cycle_among_viz_modules() -> None:
    graph = import_graph(viz_modules())
    assert find_cycle(graph) is None
    # the seams the package is built on, one way each
    assert "viz.graph" in graph["viz.stepper"] and "viz.player" in graph["viz.stepper"]
    assert "viz.stepper" not in graph["viz.player"]
    assert "viz.modules" in graph["viz.graph"] and "viz.surfaces" in graph["viz.plots"]
    assert not any("viz" in targets for name, targets in graph.items() if name != "viz")


# -- the checkers can fail ----------------------------------------------------------------


def test_the_private_name_checker_finds_both_kinds() -> None:
    bad = (
        "from viz.graph import _Builder, draw_graph\n"
        "def f(stepper):\n"
        "    return stepper._frame(0), self._ok, cls._ok, stepper.__len__()\n"
    )
    assert private_uses(bad, "viz.stepper") == [
        "line 1: from viz.graph import _Builder",
        "line 3: stepper._frame",
    ]


def test_the_cycle_finder_finds_function_level_cycles_but_not_type_only_imports() -> None:
    modules = {
        "viz.a": "from viz.b import thing\n",
        "viz.b": "def later():\n    from viz.c import other\n",
        "viz.c": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from viz.a import T\n",
    }
    assert find_cycle(import_graph(modules)) is None
    modules["viz.c"] += "import viz.a\n"
    assert find_cycle(import_graph(modules)) == ["viz.a", "viz.b", "viz.c", "viz.a"]
    assert find_cycle(import_graph({"viz": "from viz.a import x\n", "viz.a": "import viz\n"}))
