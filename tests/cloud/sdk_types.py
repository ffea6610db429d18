"""The types Tencent's Python SDK declares for each answer (``:rtype:`` of every model
property), checked against what the local cloud answered.

The provider is Go: a field of the wrong JSON type (a string where it expects a list) fails the
whole answer with ClientError.ParseJsonError, so every answer the tests get is checked here before
it is read (tests/cloud/conftest.py ``call``). A field the SDK does not know is reported too.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

_RTYPE = re.compile(r":rtype: (.+)")
_CLASS = re.compile(r":class:`[\w.]+\.models\.(\w+)`")
_SCALARS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "int non-negative": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def _declared(models: ModuleType, type_name: str, field: str) -> str | None:
    cls = getattr(models, type_name, None)
    prop = getattr(cls, field, None) if cls is not None else None
    if not isinstance(prop, property):
        return None
    found = _RTYPE.search(prop.__doc__ or "")
    return found.group(1).strip() if found else ""  # a field the SDK leaves undocumented


def problems(models: ModuleType, type_name: str, value: Any, path: str = "") -> list[str]:
    """What in ``value`` (an object of the SDK's ``type_name``) does not have its declared type."""
    found: list[str] = []
    if not isinstance(value, dict):
        return [f"{path or type_name}: expected an object {type_name}, got {value!r}"]
    for field, item in value.items():
        where = f"{path or type_name}.{field}"
        declared = _declared(models, type_name, field)
        if declared is None:
            found.append(f"{where}: not a field of {type_name}")
        elif item is not None and declared:
            found.extend(_check(models, declared, item, where))
    return found


def _check(models: ModuleType, declared: str, value: Any, where: str) -> list[str]:
    if declared.startswith("list of "):
        if not isinstance(value, list):
            return [f"{where}: expected a list ({declared}), got {value!r}"]
        inner = declared.removeprefix("list of ")
        return [
            p for i, item in enumerate(value) for p in _check(models, inner, item, f"{where}[{i}]")
        ]
    model = _CLASS.fullmatch(declared)
    name = model.group(1) if model else declared
    if name in _SCALARS:
        wanted = _SCALARS[name]
        if isinstance(value, bool) and bool not in wanted:
            return [f"{where}: expected {name}, got {value!r}"]
        return [] if isinstance(value, wanted) else [f"{where}: expected {name}, got {value!r}"]
    return problems(models, name, value, where)
