"""Which trigger sent an event, and where its parameters are.

trigger        recognised by                                 parameters in
apigw          ``requestContext`` + ``httpMethod``           query string, JSON body, path
function_url   ``httpMethod`` + ``headers``                  query string, JSON body
timer          ``Type`` equal to ``timer`` (any case)        JSON in ``Message``: one or a list
direct         anything else                                 the event itself
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from callout_task.problems import InvalidRequest, PayloadTooLarge
from callout_task.request import SPELLINGS, Source, json_integer, same_value

APIGW, FUNCTION_URL, TIMER, DIRECT = "apigw", "function_url", "timer", "direct"
HTTP_TRIGGERS = frozenset({APIGW, FUNCTION_URL})
MAX_BODY_BYTES = 64 * 1024
MAX_BASE64_CHARACTERS = -(-MAX_BODY_BYTES // 3) * 4  # the Base64 of 64 KiB, padded
MAX_QUERY_PARAMETERS = 100
MAX_QUERY_CHARACTERS = 8 * 1024
# A query string as sent, percent-encoded: each character of the 8 KiB may take 3 (%XX).
MAX_RAW_QUERY_CHARACTERS = 3 * MAX_QUERY_CHARACTERS + 2 * MAX_QUERY_PARAMETERS
MAX_JSON_DEPTH = 32
MAX_TIMER_TASKS = 50


def detect(event: Any) -> str:
    if not isinstance(event, Mapping):
        return DIRECT
    if "httpMethod" in event and "requestContext" in event:
        return APIGW
    if "httpMethod" in event and "headers" in event:
        return FUNCTION_URL
    kind = event.get("Type")
    if isinstance(kind, str) and kind.lower() == "timer":
        return TIMER
    return DIRECT


class HttpCall(NamedTuple):
    """What an HTTP trigger's event says about the request behind it."""

    method: str
    path: str
    headers: dict[str, str]
    request_id: str | None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> HttpCall:
        context = event.get("requestContext")
        context = context if isinstance(context, Mapping) else {}
        method = event.get("httpMethod") or context.get("httpMethod") or ""
        raw_headers = event.get("headers")
        headers = (
            {str(name).lower(): str(value) for name, value in raw_headers.items()}
            if isinstance(raw_headers, Mapping)
            else {}
        )
        request_id = context.get("requestId")
        return cls(
            method=str(method).upper(),
            path=str(event.get("path") or "/"),
            headers=headers,
            request_id=str(request_id) if request_id else None,
        )

    def wants_document(self, gateway: bool) -> bool:
        """Whether this asks for the OpenAPI document: ``/openapi.json`` exactly behind a
        Function URL (any other path is a 404 there); behind the legacy gateway, a path ending
        in it, the API's own path coming first (``/describe/openapi.json``)."""
        path = self.path.rstrip("/")
        return path.endswith("/openapi.json") if gateway else path == "/openapi.json"

    def at_lookup_path(self, gateway: bool) -> bool:
        """Whether the lookup answers at this path: ``/`` behind a Function URL, which passes
        every path on; any path behind the legacy gateway, which has routed already and whose
        API path matches by prefix (``/user`` serves ``/usertest`` and ``/user/a`` too, API
        Gateway document 628/39486), so that it cannot tell a deployment's path from junk."""
        return gateway or (self.path.rstrip("/") or "/") == "/"


def http_sources(event: Mapping[str, Any]) -> list[Source]:
    """The parameter sources of an HTTP event: body first, then query string, then path."""
    sources: list[Source] = []
    body = _body(event)
    if body is not None:
        sources.append(Source(body))
    query = event.get("queryString")
    if isinstance(query, str):
        # Measured before it is parsed: parse_qs of a 6 MB string took 1.5 s and 291 MB.
        if len(query) > MAX_RAW_QUERY_CHARACTERS:
            raise InvalidRequest(
                f"The query string is longer than {MAX_RAW_QUERY_CHARACTERS} characters as sent."
            )
        query = parse_qs(query, keep_blank_values=True)
    for values in (query, event.get("queryStringParameters"), event.get("pathParameters")):
        if isinstance(values, Mapping) and values:
            _check_query(values)
            sources.append(Source(values, textual=True))
    return sources


def _check_query(values: Mapping[str, Any]) -> None:
    if len(values) > MAX_QUERY_PARAMETERS:
        raise InvalidRequest(f"The query string has more than {MAX_QUERY_PARAMETERS} parameters.")
    size = 0
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        if len(items) > MAX_QUERY_PARAMETERS:
            raise InvalidRequest(
                f"A query parameter is repeated more than {MAX_QUERY_PARAMETERS} times."
            )
        size += len(str(name)) + sum(len(item) if isinstance(item, str) else 4 for item in items)
    if size > MAX_QUERY_CHARACTERS:
        raise InvalidRequest(f"The query string is longer than {MAX_QUERY_CHARACTERS} characters.")


def _depth(value: Any) -> int:
    """How deeply JSON containers nest in ``value`` (iterative: no recursion limit to hit)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children:
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                break
            pending.extend((child, level + 1) for child in children)
    return deepest


def _body(event: Mapping[str, Any]) -> Mapping[str, Any] | None:
    raw = event.get("body")
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        return raw
    if not isinstance(raw, str):
        raise InvalidRequest("The body must be a JSON object.")
    data: bytes | str = raw
    if event.get("isBase64Encoded") is True:
        if len(raw) > MAX_BASE64_CHARACTERS:  # refused before decoding
            raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("The body is marked Base64 but is not valid Base64.") from None
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if not data.strip():
        return None
    return _json_object(data, "The body")


class _RepeatedName(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a parameter given twice with different values in it (json.loads
    would keep the last one silently). ``true`` and ``1`` differ, in either order."""
    value: dict[str, Any] = {}
    for name, item in pairs:
        if name in value and name in SPELLINGS and not same_value(name, value[name], item):
            raise _RepeatedName(name)
        value[name] = item
    return value


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # json.loads would take NaN and Infinity


def _parse_json(data: bytes | str, what: str) -> Any:
    if isinstance(data, str) and data.startswith("\ufeff"):
        # A byte order mark: json.loads skips it in bytes (a Base64 body) and refuses it in
        # text; RFC 8259 lets a parser ignore it, so both are read alike.
        data = data[1:]
    try:
        # Decimal keeps a number with a fraction or an exponent exact (request._whole_number)
        return json.loads(
            data,
            object_pairs_hook=_object_without_repeats,
            parse_constant=_not_a_number,
            parse_float=Decimal,
            parse_int=json_integer,
        )
    except _RepeatedName as repeated:
        raise InvalidRequest(
            f"{what} gives a parameter several different values.",
            errors=[
                {"field": repeated.name, "message": "given more than once with different values"}
            ],
        ) from None
    except (ValueError, RecursionError):
        raise InvalidRequest(f"{what} is not valid JSON.") from None


def _json_object(data: bytes | str, what: str) -> Mapping[str, Any]:
    value = _parse_json(data, what)
    if not isinstance(value, dict):
        raise InvalidRequest(f"{what} must be a JSON object.")
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidRequest(f"{what} nests deeper than {MAX_JSON_DEPTH} levels.")
    return value


def timer_tasks(event: Mapping[str, Any]) -> list[Any]:
    """The task entries of a timer's ``Message``: one JSON object or a list of them."""
    message = event.get("Message")
    how = (
        'set the trigger\'s argument to a task ({"SdkAppId": 1400000000, "TaskId": 3}) '
        "or a JSON list of tasks."
    )
    if not isinstance(message, str):
        raise InvalidRequest(f"The timer's Message must be JSON text: {how}")
    if not message.strip():
        raise InvalidRequest(f"The timer's Message is empty: {how}")
    value = _parse_json(message, "The timer's Message")
    tasks = value if isinstance(value, list) else [value]
    if _depth(value) > MAX_JSON_DEPTH:
        raise InvalidRequest(f"The timer's Message nests deeper than {MAX_JSON_DEPTH} levels.")
    if not tasks:
        raise InvalidRequest("The timer's Message is an empty list of tasks.")
    if len(tasks) > MAX_TIMER_TASKS:
        raise InvalidRequest(f"The timer's Message lists more than {MAX_TIMER_TASKS} tasks.")
    return tasks


def task_sources(entry: Any, what: str) -> list[Source]:
    """A direct event or one timer entry as a parameter source."""
    if not isinstance(entry, Mapping):
        raise InvalidRequest(f"{what} must be a JSON object.")
    return [Source(entry)]
