"""Imports flow one way (docs/architecture.md): the function's modules import each other without
a cycle, the function never imports the local tooling, and the fake CCC and the local cloud (the
far side of the wire) never import the function. Imports inside functions count too: a lazy
import that closes a cycle is a cycle at the first call."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import REPO

FUNCTION = REPO / "functions" / "describe_auto_callout_task"
PACKAGE = FUNCTION / "callout_task"
FAR_SIDE = [REPO / "src" / "autocallout" / "fake_ccc", REPO / "src" / "autocallout" / "local_cloud"]


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it, by its full dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def package_graph() -> dict[str, set[str]]:
    """callout_task's modules, each with the modules of the package it imports."""
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    graph = {}
    for module in modules:
        names = imported(PACKAGE / f"{module}.py")
        graph[module] = {m for m in modules - {module} if f"callout_task.{m}" in names}
    return graph


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the modules along it, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for dependency in sorted(graph[module]):
            found = visit(dependency, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    return next(filter(None, (visit(module, []) for module in sorted(graph))), None)


def test_the_functions_modules_import_each_other_without_a_cycle() -> None:
    graph = package_graph()
    assert {"handler", "upstream", "sdk_transport", "watch_tick"} <= set(graph)
    assert "sdk_transport" in graph["tencent_call"]  # the graph sees imports at all
    assert a_cycle(graph) is None, " -> ".join(a_cycle(graph) or [])


def test_a_cycle_is_found_where_there_is_one() -> None:
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert a_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_function_never_imports_the_tooling_or_the_tests() -> None:
    for path in [FUNCTION / "index.py", *PACKAGE.glob("*.py")]:
        wrong = {n for n in imported(path) if n.split(".")[0] in ("autocallout", "tests")}
        assert not wrong, f"{path.relative_to(REPO)} imports {sorted(wrong)}"


@pytest.mark.parametrize("folder", FAR_SIDE, ids=lambda folder: folder.name)
def test_the_far_side_of_the_wire_never_imports_the_function(folder: Path) -> None:
    files = list(folder.rglob("*.py"))
    assert files
    for path in files:
        wrong = {n for n in imported(path) if n.split(".")[0] in ("callout_task", "index")}
        assert not wrong, f"{path.relative_to(REPO)} imports {sorted(wrong)}"
