"""Reading resource attributes as checkov hands them over: each value wrapped in a list, and
expressions rendered from variable defaults as far as checkov can (jsonencode often as a dict,
sometimes as leftover text)."""

from __future__ import annotations

import json
import re
from typing import Any


def attribute(conf: dict[str, Any], name: str) -> Any:
    """The attribute's value without checkov's list wrapper; None when it is not set."""
    value = conf.get(name)
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def as_document(value: Any) -> dict[str, Any] | None:
    """A CAM policy document as a dict, from a rendered dict or a JSON string; else None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def as_list(value: Any) -> list[Any]:
    """CAM allows a string where a list is meant: treat both as a list."""
    if isinstance(value, list):
        return value
    return [value]


def as_int(value: Any) -> int | None:
    """A whole number from an int or a numeric string; None for anything unresolved."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def json_field(value: Any, field: str) -> str | None:
    """The value of ``field`` in a rendered trigger description: a dict, JSON text, or the
    text checkov leaves for jsonencode(...) it could not finish (``'Field': VALUE``)."""
    if isinstance(value, dict):
        found = value.get(field)
        return None if found is None else str(found)
    if not isinstance(value, str):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        found = parsed.get(field)
        return None if found is None else str(found)
    # Quotes may come escaped (\\') when checkov renders a map it could not finish.
    quote = r"[\\'\"]*"
    match = re.search(rf"{quote}{re.escape(field)}{quote}\s*[:=]\s*{quote}([^,\\'\"}}\s]+)", value)
    return match.group(1) if match else None


def statement_actions(value: Any) -> list[list[Any]] | None:
    """The action list of each statement of a CAM document. Reads a rendered dict or JSON text,
    and falls back to the text checkov leaves for a jsonencode(...) it could not finish (it
    does so when a variable's default is empty). None when no statement can be found."""
    document = as_document(value)
    if document is not None:
        statements = as_list(document.get("statement"))
        if not statements or not all(isinstance(s, dict) for s in statements):
            return None
        return [as_list(s.get("action")) for s in statements]
    if not isinstance(value, str):
        return None
    lists = re.findall(r"['\"]action['\"]\s*[:=]\s*\[([^\]]*)\]", value)
    if not lists:
        return None
    return [re.findall(r"['\"]([^'\"]*)['\"]", items) for items in lists]
