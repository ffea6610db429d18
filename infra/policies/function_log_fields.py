"""The names of the fields the function writes to its log: ``LOG_FIELDS`` of
``callout_task/logs.py``, read from the source (not a copy) without running it.

Used by CKV_CALLOUT_8 (checkov, in its own virtualenv where the function cannot be imported)
and by the tests. ``LOG_FIELDS`` must stay a literal tuple, list or set of names (possibly
wrapped in ``frozenset(...)``/``tuple(...)``); anything else is refused loudly.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "describe_auto_callout_task"


class UnreadableFieldList(ValueError):
    """logs.py has no LOG_FIELDS, or not a literal collection of names."""


def logged_fields(package: Path = PACKAGE) -> frozenset[str]:
    """``LOG_FIELDS`` of the function's logs module."""
    logs_module = package / "callout_task" / "logs.py"
    tree = ast.parse(logs_module.read_text(encoding="utf-8"), filename=str(logs_module))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == "LOG_FIELDS" for t in targets):
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
    raise UnreadableFieldList(f"{logs_module} defines no LOG_FIELDS")
