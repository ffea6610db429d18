"""The four-field HTTP response SCF's HTTP triggers expect, with CORS and preflight."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic_core import to_json

ALLOWED_METHODS = "GET, POST, OPTIONS"
DOCUMENT_METHODS = "GET, OPTIONS"  # what GET /openapi.json answers
JSON_TYPE = "application/json; charset=utf-8"
PROBLEM_TYPE = "application/problem+json; charset=utf-8"
_HEADER_LIST = re.compile(r"[A-Za-z0-9-]{1,64}")  # header names only: nothing else is echoed
# The most header names a preflight echoes (once each): a browser asks for the few it will send,
# and 20 000 were once echoed whole (148 888 characters).
MAX_ALLOWED_HEADERS = 32


def encode(body: Any) -> str:
    """Compact UTF-8 JSON; pydantic-core's encoder, about 4x the standard library's here."""
    return to_json(body).decode()


def cors_headers(origins: tuple[str, ...], request_headers: Mapping[str, str]) -> dict[str, str]:
    """CORS headers for an allowed Origin; none when CORS is not configured or the origin is not."""
    origin = request_headers.get("origin")
    if not origins or not origin:
        return {}
    if "*" in origins:
        return {"Access-Control-Allow-Origin": "*"}
    if origin in origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def response(
    status: int,
    body: str,
    request_id: str,
    *,
    content_type: str = JSON_TYPE,
    extra: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    headers = {
        "Content-Type": content_type,
        "X-Request-Id": request_id,
        "Cache-Control": "no-store",
    }
    if extra:
        headers.update(extra)
    return {"isBase64Encoded": False, "statusCode": status, "headers": headers, "body": body}


def preflight(
    request_id: str,
    cors: Mapping[str, str],
    request_headers: Mapping[str, str],
    allowed: str = ALLOWED_METHODS,
) -> dict[str, Any]:
    extra = {"Allow": allowed, **cors}
    if cors:
        extra["Access-Control-Allow-Methods"] = allowed
        extra["Access-Control-Allow-Headers"] = (
            ", ".join(_asked_headers(request_headers)) or "Content-Type, Authorization"
        )
        extra["Access-Control-Max-Age"] = "600"
    reply = response(204, "", request_id, extra=extra)
    del reply["headers"]["Content-Type"]
    return reply


def _asked_headers(request_headers: Mapping[str, str]) -> list[str]:
    """The header names a preflight asks for, each once (whatever its case), at most
    MAX_ALLOWED_HEADERS: past that the browser's request is not allowed, as it should not be."""
    names: dict[str, str] = {}
    for name in _HEADER_LIST.finditer(request_headers.get("access-control-request-headers", "")):
        names.setdefault(name[0].lower(), name[0])
        if len(names) == MAX_ALLOWED_HEADERS:
            break
    return list(names.values())
