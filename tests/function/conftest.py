"""The function under test, in process, against the fake CCC with an SCF-like environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autocallout.redis_server import RedisServer, redis_server_binary
from tests.function.scenarios import REDIS_PASSWORD
from tests.function.scf_instance import ccc, cold_instance, invoke  # noqa: F401 - fixtures
from tests.infra.tools import require_tool


@pytest.fixture
def guarded_redis() -> Iterator[RedisServer]:
    """A real redis-server that requires REDIS_PASSWORD, as TencentDB for Redis does."""
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary, password=REDIS_PASSWORD) as server:
        yield server
