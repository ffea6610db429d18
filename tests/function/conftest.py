"""The function under test, in process, against the fake CCC with an SCF-like environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autocallout.redis_server import RedisServer, redis_server_binary
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import (
    CREDENTIAL_VARIABLES,
    REDIS_PASSWORD,
    SCF_CREDENTIALS,
    Invoke,
    function_url_get,
)
from tests.function.scf_instance import ccc, cold_instance, invoke
from tests.infra.tools import require_tool

# Files still importing these from here (tests of the SDK transport and the Redis store, being
# rewritten meanwhile) move to tests.function.scenarios/answers once that work has landed.
__all__ = [
    "CREDENTIAL_VARIABLES",
    "REDIS_PASSWORD",
    "SCF_CREDENTIALS",
    "Invoke",
    "ccc",
    "cold_instance",
    "function_url_get",
    "guarded_redis",
    "http_body",
    "invoke",
    "log_lines",
]


@pytest.fixture
def guarded_redis() -> Iterator[RedisServer]:
    """A real redis-server that requires REDIS_PASSWORD, as TencentDB for Redis does."""
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary, password=REDIS_PASSWORD) as server:
        yield server
