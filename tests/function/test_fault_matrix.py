"""Upstream faults against the deadline: the exact status, the attempts made, and the time taken.

Every invocation gets a 1.5 s limit (SCF's context). The function's deadline is 0.15 s before it,
kept to build and send the answer, so every answer must come within the limit itself: no margin
is added, a slow machine is what the reserve is for.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke
from tests.seeded import TASK

LIMIT_MS = 1500

# fault to inject (kind, options), expected status, attempts (= calls CCC received)
MATRIX: list[tuple[str, dict[str, Any], int, int]] = [
    ("throttle once", {"kind": "error", "code": "RequestLimitExceeded", "times": 1}, 200, 2),
    ("throttle forever", {"kind": "error", "code": "RequestLimitExceeded", "times": None}, 429, 3),
    (
        "throttle by UIN forever",
        {"kind": "error", "code": "RequestLimitExceeded.UinLimitExceeded", "times": None},
        429,
        3,
    ),
    ("DBError once", {"kind": "error", "code": "InternalError.DBError", "times": 1}, 200, 2),
    ("DBError forever", {"kind": "error", "code": "InternalError.DBError", "times": None}, 502, 3),
    ("HTTP 502 once", {"kind": "status", "status": 502, "times": 1}, 200, 2),
    ("HTTP 503 forever", {"kind": "status", "status": 503, "times": None}, 502, 3),
    ("connection reset once", {"kind": "reset", "times": 1}, 200, 2),
    ("connection reset forever", {"kind": "reset", "times": None}, 502, 3),
    ("truncated body", {"kind": "truncated", "times": None}, 502, 1),
    ("HTML body", {"kind": "not_json", "times": None}, 502, 1),
    ("latency beyond the deadline", {"kind": "latency", "delay": 5.0, "times": None}, 504, 1),
    ("latency within the deadline", {"kind": "latency", "delay": 0.3, "times": 1}, 200, 1),
    ("expired token", {"kind": "error", "code": "AuthFailure.TokenFailure", "times": None}, 502, 1),
    ("service unavailable", {"kind": "error", "code": "ServiceUnavailable", "times": None}, 503, 1),
    ("not found", {"kind": "error", "code": "ResourceNotFound", "times": None}, 404, 1),
]


@pytest.mark.parametrize(
    ("fault", "options", "status", "attempts"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_fault_gives_status_attempts_and_stays_within_the_deadline(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    options: dict[str, Any],
    status: int,
    attempts: int,
) -> None:
    ccc.faults.inject(**options)

    started = time.monotonic()
    answer = invoke(dict(TASK), {"time_limit_in_ms": LIMIT_MS})
    took = time.monotonic() - started
    [line] = [
        line for line in log_lines(capsys.readouterr().out) if line["message"] == "invocation"
    ]

    assert answer.get("status", 200) == status
    assert line["status"] == status
    assert line["attempts"] == attempts == len(ccc.calls)
    assert took <= LIMIT_MS / 1000


def test_a_retry_that_cannot_finish_in_time_is_not_started(invoke: Invoke, ccc: CccBackend) -> None:
    # Each throttled answer comes after 0.4 s. A 0.5 s invocation has its deadline at 0.45 s
    # (it keeps a tenth of its time to answer): after the first attempt less than
    # MIN_ATTEMPT_SECONDS (0.1 s) is left, so neither a pause nor a second attempt may start and
    # the answer comes within the 0.5 s limit.
    ccc.faults.inject("error", code="RequestLimitExceeded", delay=0.4, times=None)
    started = time.monotonic()
    answer = invoke(dict(TASK), {"time_limit_in_ms": 500})
    assert answer["status"] == 429
    assert len(ccc.calls) == 1
    assert time.monotonic() - started <= 0.5


def test_every_attempt_gets_only_the_time_left(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.inject("reset", times=1)
    ccc.faults.inject("latency", delay=5.0, times=None)
    started = time.monotonic()
    answer = invoke(dict(TASK), {"time_limit_in_ms": 1000})
    assert answer["status"] == 504
    assert len(ccc.calls) == 2
    assert time.monotonic() - started <= 1.0  # the deadline is at 0.9 s
