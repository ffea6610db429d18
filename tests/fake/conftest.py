"""Every fake test runs in both modes: in process (mock_ccc) and over loopback HTTP (server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tencentcloud.ccc.v20200210.ccc_client import CccClient

from autocallout.fake_ccc import CccBackend, FakeCccServer, mock_ccc
from tests.conftest import sdk_client


@dataclass
class Fake:
    mode: str
    backend: CccBackend
    endpoint: str | None

    def client(self, **options: Any) -> CccClient:
        return sdk_client(self.endpoint, **options)


@pytest.fixture(params=["mock", "server"])
def fake(request: pytest.FixtureRequest, backend: CccBackend) -> Iterator[Fake]:
    if request.param == "mock":
        with mock_ccc(backend):
            yield Fake("mock", backend, None)
    else:
        with FakeCccServer(backend) as url:
            yield Fake("server", backend, url.removeprefix("http://"))
