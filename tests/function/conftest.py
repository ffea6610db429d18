"""The function under test, in process, against the fake CCC with an SCF-like environment."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from callout_task import assume_role, handler, sdk_transport, upstream
from callout_task.config import ENVIRONMENT_VARIABLES

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, mock_ccc
from autocallout.redis_server import RedisServer, redis_server_binary
from tests.conftest import REPO
from tests.infra.conftest import require_tool

EVENTS = REPO / "events"
SCF_CREDENTIALS = {
    "TENCENTCLOUD_SECRETID": DEFAULT_CREDENTIALS.secret_id,
    "TENCENTCLOUD_SECRETKEY": DEFAULT_CREDENTIALS.secret_key,
    "TENCENTCLOUD_SESSIONTOKEN": DEFAULT_CREDENTIALS.token or "",
}
REDIS_PASSWORD = "s3cret-for-tests"
CREDENTIAL_VARIABLES = (
    *SCF_CREDENTIALS,
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
)


@pytest.fixture(autouse=True)
def cold_instance(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test is a new SCF instance: role credentials set, no user configuration."""
    for name in (*ENVIRONMENT_VARIABLES, *CREDENTIAL_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for name, value in SCF_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    handler._instance = None
    upstream.forget_clients()
    assume_role._cache.clear()
    # Built once per instance; a test that kept the last one's would never run the mutation
    # run's changes to it (they were all "survivors" while the run's first test built it).
    sdk_transport._adapter_class = None
    yield
    handler._instance = None
    upstream.forget_clients()


@pytest.fixture
def ccc() -> Iterator[CccBackend]:
    with mock_ccc() as backend:
        yield backend


Invoke = Callable[..., Any]


@pytest.fixture
def invoke(ccc: CccBackend) -> Invoke:
    def run(event: Any, context: Any = None) -> Any:
        return handler.main_handler(
            event, {"time_limit_in_ms": 3000} if context is None else context
        )

    return run


def load_event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def http_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def function_url_get(**query: Any) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": "/", "headers": {"accept": "*/*"}, "queryString": query}


@pytest.fixture
def guarded_redis() -> Iterator[RedisServer]:
    """A real redis-server that requires REDIS_PASSWORD, as TencentDB for Redis does."""
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary, password=REDIS_PASSWORD) as server:
        yield server
