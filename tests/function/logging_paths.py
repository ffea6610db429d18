"""Every path through the function that writes log lines, one runnable scenario each: what the
tests of the log index and of the runbook's messages run the function through."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

CONTEXT = {"time_limit_in_ms": 3000, "request_id": "0f6d5c3e-8d8a-4a35-9c67-4c0b5a3f2d11"}
Scenario = Callable[[Invoke, CccBackend, pytest.MonkeyPatch], Any]


def _explode(*args: Any) -> Any:
    raise RuntimeError("boom")


SCENARIOS: dict[str, Scenario] = {
    "ok": lambda invoke, ccc, mp: invoke(function_url_get(SdkAppId="1400000000", TaskId="3")),
    "invalid": lambda invoke, ccc, mp: invoke(function_url_get(SdkAppId="x")),
    "throttled": lambda invoke, ccc, mp: (ccc.faults.throttle(times=None), invoke(dict(TASK))),
    "credentials rejected": lambda invoke, ccc, mp: (
        mp.setenv("TENCENTCLOUD_SECRETKEY", "a-wrong-key"),
        invoke(dict(TASK)),
    ),
    "credentials missing": lambda invoke, ccc, mp: (
        mp.delenv("TENCENTCLOUD_SECRETID"),
        invoke(dict(TASK)),
    ),
    "misconfigured": lambda invoke, ccc, mp: (
        mp.setenv("RATE_LIMIT_QPS", "fast"),
        invoke(dict(TASK)),
    ),
    "unexpected": lambda invoke, ccc, mp: (
        mp.setattr("callout_task.upstream.normalise_digested", _explode),
        invoke(dict(TASK)),
    ),
    "timer": lambda invoke, ccc, mp: invoke(
        {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps([TASK, TASK])}
    ),
    "timer misconfigured": lambda invoke, ccc, mp: invoke(
        {"Type": "Timer", "TriggerName": "poll", "Message": ""}
    ),
}
