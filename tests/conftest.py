"""Shared fixtures: a seeded fake CCC backend, the fake served on loopback HTTP, and the machine's
time zone for the tests of times."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from autocallout.fake_ccc import CccBackend, FakeCccServer


@pytest.fixture
def backend() -> CccBackend:
    return CccBackend.seeded()


@pytest.fixture
def fake_server(backend: CccBackend) -> Iterator[FakeCccServer]:
    server = FakeCccServer(backend)
    server.start()
    yield server
    server.stop()


# The machine's time zone, for the tests of what writes or reads a time. CI runs on UTC, where
# local time passes for UTC; SCF's runtime runs on UTC+8 (TZ=Asia/Shanghai); and the two ends of
# the world's offsets put the local date off UTC's at every hour of the day (UTC+14 from 10:00
# UTC, UTC-10 before it), so that a TC3 credential date or a timestamp taken in local time is
# wrong whenever the suite runs. POSIX zone strings: no time zone database needed.
MACHINE_TIME_ZONES = {
    "UTC": ("UTC0", 0),
    "UTC+8": ("CST-8", 8),
    "UTC+14": ("<+14>-14", 14),
    "UTC-10": ("HST10", -10),
}


@pytest.fixture(params=list(MACHINE_TIME_ZONES))
def machine_time_zone(request: pytest.FixtureRequest) -> Iterator[int]:
    """The test runs once in each of MACHINE_TIME_ZONES; yields the zone's offset in hours."""
    spec, hours = MACHINE_TIME_ZONES[request.param]
    before = os.environ.get("TZ")
    os.environ["TZ"] = spec
    time.tzset()
    try:
        assert time.localtime(0).tm_gmtoff == hours * 3600, f"TZ={spec} did not take effect"
        yield hours
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
