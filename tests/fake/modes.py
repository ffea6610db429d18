"""The fake in each of its two modes, for tests that run in both: in process (mock_ccc) and over
loopback HTTP (its server); ``Fake.client`` is the real SDK client pointed at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tencentcloud.ccc.v20200210.ccc_client import CccClient

from autocallout.fake_ccc import CccBackend
from tests.sdk_clients import sdk_client


@dataclass
class Fake:
    mode: str
    backend: CccBackend
    endpoint: str | None

    def client(self, **options: Any) -> CccClient:
        return sdk_client(self.endpoint, **options)
