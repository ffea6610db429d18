"""The names of the fields the function writes to its log, read from its source (not a copy).

Used by CKV_CALLOUT_8 (checkov, in its own virtualenv where the function cannot be imported)
and by the tests. The code is parsed, never run:

- if ``callout_task/logs.py`` defines ``LOG_FIELDS`` (a literal tuple, list or set of names,
  possibly wrapped in ``frozenset(...)``/``tuple(...)``), that is the list;
- otherwise the fields are collected from the code that writes them: the keys of dict literals
  in ``logs.emit``, the keyword names of every ``logs.emit(...)`` call, the keys of dict literals
  in ``log_fields`` and ``_log_invocation``, and the names assigned as ``fields["name"] = ...``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "describe_auto_callout_task"
LOGS_MODULE = PACKAGE / "callout_task" / "logs.py"
_FIELD_WRITERS = frozenset({"log_fields", "_log_invocation"})


class UnreadableFieldList(ValueError):
    """LOG_FIELDS exists but is not a literal collection of names."""


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def declared_fields(logs_module: Path = LOGS_MODULE) -> frozenset[str] | None:
    """``LOG_FIELDS`` of the logs module, or None when the module does not define it."""
    for node in _parse(logs_module).body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is None or not any(
            isinstance(t, ast.Name) and t.id == "LOG_FIELDS" for t in targets
        ):
            continue
        if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords:
            value = value.args[0]  # frozenset({...}), tuple([...])
        try:
            names = ast.literal_eval(value)
        except ValueError as error:
            raise UnreadableFieldList(f"LOG_FIELDS in {logs_module} is not a literal") from error
        if not isinstance(names, tuple | list | set | frozenset) or not all(
            isinstance(n, str) for n in names
        ):
            raise UnreadableFieldList(f"LOG_FIELDS in {logs_module} is not a list of names")
        return frozenset(names)
    return None


def _dict_keys(node: ast.AST) -> set[str]:
    return {
        key.value
        for child in ast.walk(node)
        if isinstance(child, ast.Dict)
        for key in child.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def written_fields(package: Path = PACKAGE) -> frozenset[str]:
    """Every field name the code writes, collected from the statements that write them."""
    names: set[str] = set()
    for path in sorted((package / "callout_task").glob("*.py")):
        tree = _parse(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (
                node.name in _FIELD_WRITERS or (path.name == "logs.py" and node.name == "emit")
            ):
                names |= _dict_keys(node)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "logs"
            ):
                names |= {k.arg for k in node.keywords if k.arg is not None}
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "fields"
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                names.add(node.slice.value)
    return frozenset(names)


def logged_fields(package: Path = PACKAGE) -> frozenset[str]:
    """LOG_FIELDS when the code declares it, else the fields collected from the code."""
    declared = declared_fields(package / "callout_task" / "logs.py")
    return declared if declared is not None else written_fields(package)
