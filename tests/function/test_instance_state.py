"""What an instance keeps between invocations stays bounded, and the garbage-collector pause
covers CPU work only, correctly when several threads run invocations at once."""

from __future__ import annotations

import gc
import threading
import time

import pytest
from callout_task import assume_role

from autocallout.fake_ccc import CccBackend, FakeCredentials
from tests.function.scenarios import Invoke
from tests.seeded import ROLE, TASK


def test_the_role_credential_cache_keeps_only_the_latest_few(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("RATE_LIMIT_QPS", "0")  # no limit: this is about memory
    ccc.roles.add(ROLE)
    assume_role._cache.clear()
    for rotation in range(assume_role.MAX_CACHED_ROLES + 4):  # the execution role rotates
        rotated = ccc.add_credentials(FakeCredentials(f"AKIDROTATION{rotation:04d}", "k", "t"))
        monkeypatch.setenv("TENCENTCLOUD_SECRETID", rotated.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", rotated.secret_key)
        monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", rotated.token or "")
        assert invoke(dict(TASK))["task_id"] == 3

    assert len(assume_role._cache) == assume_role.MAX_CACHED_ROLES
    assert (ROLE, "AKIDROTATION0011") in assume_role._cache  # the newest is kept


def test_the_collector_runs_while_ccc_is_waited_for(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.inject("latency", delay=0.4)
    seen: list[bool] = []

    def watch() -> None:
        time.sleep(0.1)
        for _ in range(5):
            seen.append(gc.isenabled())
            time.sleep(0.04)

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert invoke(dict(TASK))["task_id"] == 3
    watcher.join()

    assert seen == [True] * 5
