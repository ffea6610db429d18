"""The actions of each emulated service: one function per action, parameters in, response out.

Each module (``scf``, ``cam``, ``cls``, ``monitor``, ``tag``, ``ssm``) declares its ``SERVICE``:
the API version it answers and its actions. An action takes the backend and the request's
parameters (``Params``) and returns the body of ``Response`` without ``RequestId``; it raises
``CloudError`` with the code the service documents. Response shapes follow Tencent's API reference
(Cloud API 3.0 data structures) and the fields the tencentcloud provider v1.83.25 reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autocallout.local_cloud.errors import CloudError, invalid, missing
from autocallout.local_cloud.models import CloudBackend, JSONObject


class Params:
    """A request's parameters with typed, checked access (errors name the parameter)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        return default if value is None else value

    def text(self, name: str, default: str | None = None) -> str:
        value = self.raw.get(name)
        if value is None:
            if default is None:
                raise missing(name)
            return default
        if not isinstance(value, str):
            raise invalid(name, "expected a String")
        return value

    def name(self, name: str) -> str:
        """A required, non-blank string."""
        value = self.text(name)
        if not value.strip():
            raise invalid(name, "it must not be empty")
        return value

    def integer(
        self, name: str, default: int | None = None, low: int | None = None, high: int | None = None
    ) -> int:
        value = self.raw.get(name)
        if value is None:
            if default is None:
                raise missing(name)
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(name, "expected an Integer")
        if (low is not None and value < low) or (high is not None and value > high):
            raise invalid(name, f"expected a value from {low} to {high}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise invalid(name, "expected a Boolean")
        return value

    def obj(self, name: str) -> JSONObject | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid(name, "expected an object")
        return value

    def items(self, name: str) -> list[Any]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise invalid(name, "expected an Array")
        return value

    def objects(self, name: str) -> list[JSONObject]:
        items = self.items(name)
        if not all(isinstance(item, dict) for item in items):
            raise invalid(name, "expected an Array of objects")
        return items


Action = Callable[[CloudBackend, Params], JSONObject]


@dataclass(frozen=True)
class Service:
    name: str
    version: str
    actions: dict[str, Action]


def filters(params: Params) -> dict[str, list[str]]:
    """CLS-style ``Filters: [{Key, Values}]`` as a dict (several filters: all must hold)."""
    found: dict[str, list[str]] = {}
    for item in params.objects("Filters"):
        key = item.get("Key")
        values = item.get("Values")
        if not isinstance(key, str) or not isinstance(values, list):
            raise CloudError("InvalidParameter", "Each filter needs a Key and a list of Values.")
        found[key] = [str(value) for value in values]
    return found


def page(items: list[Any], params: Params, default_limit: int = 20) -> list[Any]:
    offset = params.integer("Offset", 0, low=0)
    limit = params.integer("Limit", default_limit, low=1, high=1000)
    return items[offset : offset + limit]


def tag_list(tags: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[JSONObject]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tags_from(params: Params, name: str = "Tags") -> dict[str, str]:
    """``Tags: [{Key, Value}]`` (or TagKey/TagValue) as a dict."""
    found: dict[str, str] = {}
    for item in params.objects(name):
        key = item.get("Key", item.get("TagKey"))
        value = item.get("Value", item.get("TagValue", ""))
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise invalid(name, "each tag needs a non-empty Key and a string Value")
        found[key] = value
    return found
