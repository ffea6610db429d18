"""What tests hand the function: sample events, a Function URL request, the credentials an SCF
role gives an instance, and the password of the tests' own redis-server."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from autocallout.fake_ccc import DEFAULT_CREDENTIALS
from tests.paths import EVENTS, TEST_DATA

# The ``invoke`` fixture: main_handler(event, context) against the fake CCC.
Invoke = Callable[..., Any]

# What SCF sets in an instance whose function has an execution role.
SCF_CREDENTIALS = {
    "TENCENTCLOUD_SECRETID": DEFAULT_CREDENTIALS.secret_id,
    "TENCENTCLOUD_SECRETKEY": DEFAULT_CREDENTIALS.secret_key,
    "TENCENTCLOUD_SESSIONTOKEN": DEFAULT_CREDENTIALS.token or "",
}
# Every variable credentials may be read from (SCF's spelling and the SDK's).
CREDENTIAL_VARIABLES = (
    *SCF_CREDENTIALS,
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
)
REDIS_PASSWORD = "s3cret-for-tests"


def load_event(name: str) -> Any:
    """A sample event of events/, parsed."""
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def function_url_get(**query: Any) -> dict[str, Any]:
    """A Function URL trigger's event: GET / with ``query`` as its query string."""
    return {"httpMethod": "GET", "path": "/", "headers": {"accept": "*/*"}, "queryString": query}


def post_event(body: str, *, base64_encoded: bool = False) -> dict[str, Any]:
    """A Function URL trigger's event: POST / with ``body`` (Base64 text if ``base64_encoded``)."""
    event = function_url_get()
    event.update(httpMethod="POST", body=body, isBase64Encoded=base64_encoded)
    return event


def official_event(name: str) -> dict[str, Any]:
    """An event as Tencent's documentation shows it (tests/data/events: its README says where)."""
    loaded: dict[str, Any] = json.loads((TEST_DATA / "events" / name).read_text(encoding="utf-8"))
    return loaded


def nested(levels: int) -> Any:
    """A JSON value ``levels`` deep: 1 inside ``levels - 1`` lists."""
    value: Any = 1
    for _ in range(levels - 1):
        value = [value]
    return value
