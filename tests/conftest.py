"""Shared fixtures: a seeded fake CCC backend, and the fake served on loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autocallout.fake_ccc import CccBackend, FakeCccServer
from tests.paths import TEST_DATA
from tests.sdk_clients import sdk_client

# tests/fake imports these from here until its files move to tests.paths and tests.sdk_clients.
__all__ = ["TEST_DATA", "backend", "fake_server", "sdk_client"]


@pytest.fixture
def backend() -> CccBackend:
    return CccBackend.seeded()


@pytest.fixture
def fake_server(backend: CccBackend) -> Iterator[FakeCccServer]:
    server = FakeCccServer(backend)
    server.start()
    yield server
    server.stop()
