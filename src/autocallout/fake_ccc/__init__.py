"""A moto-style fake of Tencent Cloud Contact Center (CCC), Cloud API 3.0, for local use and tests.

    from autocallout.fake_ccc import mock_ccc, FakeCccServer, CccBackend

    with mock_ccc() as backend:            # in process: the SDK's HTTPS calls land here
        backend.faults.throttle(times=2)
        ...
    with FakeCccServer(backend) as url:    # on loopback: point CCC_ENDPOINT / HttpProfile at it
        ...

Layout, as in moto: ``models`` (state), ``responses`` (actions), ``wire`` (protocol),
``signature`` (TC3), ``faults``, ``mock`` and ``server`` (the two front ends). See docs/fake-ccc.md.
"""

from autocallout.fake_ccc.exceptions import CccError
from autocallout.fake_ccc.faults import Fault, FaultQueue
from autocallout.fake_ccc.mock import active_backend, mock_ccc
from autocallout.fake_ccc.models import (
    DEFAULT_CREDENTIALS,
    CallRecord,
    CccBackend,
    FakeCredentials,
    bundled_seed_path,
)
from autocallout.fake_ccc.server import FakeCccServer

__all__ = [
    "DEFAULT_CREDENTIALS",
    "CallRecord",
    "CccBackend",
    "CccError",
    "FakeCccServer",
    "FakeCredentials",
    "Fault",
    "FaultQueue",
    "active_backend",
    "bundled_seed_path",
    "mock_ccc",
]
