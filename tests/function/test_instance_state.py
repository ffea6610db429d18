"""What an instance keeps between invocations: it stays bounded, ``callout_task.reset_instance()``
forgets all of it, and the garbage-collector pause covers CPU work only, correctly when several
threads run invocations at once."""

from __future__ import annotations

import gc
import threading
import time

import callout_task
import pytest
from callout_task import assume_role, logs

from autocallout.fake_ccc import CccBackend, FakeCredentials
from tests.function.scenarios import Invoke
from tests.seeded import ROLE, TASK


def test_the_role_credential_cache_keeps_only_the_latest_few(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("RATE_LIMIT_QPS", "0")  # no limit: this is about memory
    ccc.roles.add(ROLE)
    assume_role.forget_all()
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


def test_after_reset_instance_the_next_invocation_starts_cold(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a warm instance: its settings read, a role's credentials kept, its log level chosen
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    ccc.roles.add(ROLE)
    assert invoke(dict(TASK))["task_id"] == 3
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000001")
    assert invoke(dict(TASK))["task_id"] == 3  # settings are read once per instance
    assert len(ccc.calls_to("AssumeRole")) == 1  # and the role's credentials kept
    capsys.readouterr()

    # When it is reset
    callout_task.reset_instance()

    # Then nothing of it is left: the log level is INFO until settings are read again...
    logs.emit("INFO", "after the reset")
    assert "after the reset" in capsys.readouterr().out
    # ...the settings are read again (the allow-list now refuses the task)...
    assert invoke(dict(TASK))["status"] == 403
    # ...and the role is assumed again
    monkeypatch.delenv("ALLOWED_SDK_APP_IDS")
    callout_task.reset_instance()
    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2
