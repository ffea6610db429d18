"""How long an invocation has left (callout_task.deadline), and SCF's request id, from its context.

SCF hands the Python runtime a context whose ``time_limit_in_ms`` is the function's timeout and
whose ``request_id`` names the invocation; a local caller may give a dict, an object or nothing.
The deadline keeps a reserve to answer in: 0.15 s, or a tenth of a limit shorter than 1.5 s.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from callout_task.deadline import Deadline, context_request_id

STARTED = 1000.0
FALLBACK = 20.0


@pytest.mark.parametrize(
    ("context", "at"),
    [
        ({"time_limit_in_ms": 3000}, STARTED + 3.0 - 0.15),
        (SimpleNamespace(time_limit_in_ms=3000), STARTED + 3.0 - 0.15),  # SCF's own context
        ({"time_limit_in_ms": 1000}, STARTED + 1.0 - 0.1),  # a tenth of a short limit
        ({"time_limit_in_ms": 0.5}, STARTED + 0.0005 - 0.00005),  # any positive limit is taken
        # No usable limit: the function's own budget (TIME_BUDGET_SECONDS) instead.
        (None, STARTED + FALLBACK - 0.15),
        ({}, STARTED + FALLBACK - 0.15),
        ({"time_limit_in_ms": 0}, STARTED + FALLBACK - 0.15),
        ({"time_limit_in_ms": -3000}, STARTED + FALLBACK - 0.15),
        ({"time_limit_in_ms": True}, STARTED + FALLBACK - 0.15),
        ({"time_limit_in_ms": "3000"}, STARTED + FALLBACK - 0.15),
        ({"TIME_LIMIT_IN_MS": 3000}, STARTED + FALLBACK - 0.15),
        (SimpleNamespace(), STARTED + FALLBACK - 0.15),
    ],
    ids=[
        "dict",
        "object",
        "short limit",
        "tiny limit",
        "no context",
        "no limit",
        "zero",
        "negative",
        "bool",
        "text",
        "other name",
        "object without limit",
    ],
)
def test_the_deadline_is_the_context_s_limit_less_the_reserve_to_answer_in(
    context: Any, at: float
) -> None:
    assert Deadline.for_invocation(context, FALLBACK, STARTED).at == pytest.approx(at, abs=1e-9)


def test_the_fallback_budget_keeps_a_tenth_of_a_short_budget() -> None:
    assert Deadline.for_invocation(None, 1.0, STARTED).at == pytest.approx(STARTED + 0.9)


def test_what_remains_is_the_time_left_until_the_deadline() -> None:
    remaining = Deadline(at=time.monotonic() + 5).remaining()
    assert 4.5 < remaining <= 5


@pytest.mark.parametrize(
    ("context", "request_id"),
    [
        ({"request_id": "scf-1"}, "scf-1"),
        (SimpleNamespace(request_id="scf-2"), "scf-2"),  # SCF's own context
        ({"request_id": 42}, "42"),
        ({}, None),
        ({"request_id": ""}, None),
        ({"REQUEST_ID": "scf-3"}, None),
        (SimpleNamespace(), None),
        (None, None),
    ],
    ids=["dict", "object", "number", "none in dict", "empty", "other name", "none", "no context"],
)
def test_scf_s_request_id_is_read_from_the_context(context: Any, request_id: str | None) -> None:
    assert context_request_id(context) == request_id
