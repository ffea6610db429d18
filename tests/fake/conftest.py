"""Every fake test runs in both modes: in process (mock_ccc) and over loopback HTTP (server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autocallout.fake_ccc import CccBackend, FakeCccServer, mock_ccc
from tests.fake.modes import Fake


@pytest.fixture(params=["mock", "server"])
def fake(request: pytest.FixtureRequest, backend: CccBackend) -> Iterator[Fake]:
    if request.param == "mock":
        with mock_ccc(backend):
            yield Fake("mock", backend, None)
    else:
        with FakeCccServer(backend) as url:
            yield Fake("server", backend, url.removeprefix("http://"))
