"""How long an invocation has left (callout_task.deadline), and SCF's request id, from its context.

SCF hands the Python runtime a context whose ``time_limit_in_ms`` is the function's timeout and
whose ``request_id`` names the invocation; a local caller may give a dict, an object or nothing.
The deadline keeps a reserve to answer in: 0.15 s, or a tenth of a limit shorter than 1.5 s. An
answer whose body cannot be parsed in the time left is given up as soon as that is known. Every
upstream fault ends within the invocation's limit, with the status it earns: no attempt or
backoff pause is started that cannot finish in time.
"""

from __future__ import annotations

import json
import random
import time
from types import SimpleNamespace
from typing import Any

import pytest
from callout_task import handler, sdk_transport
from callout_task.deadline import Deadline, context_request_id
from callout_task.sdk_transport import AttemptFailed

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.rude_upstream import RudeUpstream, answer
from tests.function.scenarios import Invoke
from tests.seeded import TASK

STARTED = 1000.0
FALLBACK = 20.0


# Upstream faults against the deadline (MATRIX): the exact status, the attempts made, and the
# time taken. Every invocation there gets a 1.5 s limit (SCF's context). The function's deadline
# is 0.15 s before it, kept to build and send the answer, so every answer must come within the
# limit itself: no margin is added, a slow machine is what the reserve is for.
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


# -- the time an answer's body takes to parse ------------------------------------------------------
def _callees_body(mebibytes: int) -> bytes:
    """A CCC answer of about ``mebibytes`` MiB of callees, as CCC encodes it."""
    callee = (
        b'{"Callee":"13800000000","State":1,"Sessions":["5e2c0000-7a1b-4c3d-9e8f-000000000001"]}'
    )
    count = mebibytes * 2**20 // (len(callee) + 1)
    return b'{"Response":{"Callees":[' + b",".join([callee] * count) + b'],"RequestId":"big-1"}}'


def test_an_answer_that_cannot_be_parsed_in_the_time_left_is_given_up_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A timer run of two tasks: CCC sends the first a 31 MiB answer at once, with 0.9 s left:
    # less than its parse takes at the rate set here (a slow instance's 50 ms a MiB). Waiting
    # for it to the deadline would be a 504 anyway and leave the second task no time; given up
    # at its first chunk, the second is answered.
    monkeypatch.setattr(sdk_transport, "PARSE_SECONDS_PER_MIB", 0.05)
    monkeypatch.setenv("RETRY_MAX_ATTEMPTS", "1")
    small = json.dumps({"Response": {"Name": "small", "Callees": [], "RequestId": "s-1"}})
    with RudeUpstream(answer(_callees_body(31)), answer(small.encode())) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        event = {
            "Type": "Timer",
            "Message": json.dumps([{"SdkAppId": 1, "TaskId": n} for n in (1, 2)]),
        }
        result = handler.main_handler(event, {"time_limit_in_ms": 1000})

    first, second = result["results"]
    lines = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert (first["status"], lines[0]["upstream_code"]) == (504, "DeadlineReached")
    assert "more than the time left can parse" in lines[0]["detail"]
    assert (second["name"], second["upstream_request_id"]) == ("small", "s-1")


def test_the_parse_rate_allowed_covers_what_the_time_left_must_cover() -> None:
    # The check refuses a body only when its rest cannot be parsed at PARSE_SECONDS_PER_MIB; a
    # body with no length, only once the deadline has passed.
    rate = sdk_transport.PARSE_SECONDS_PER_MIB
    later = Deadline(time.monotonic() + rate * 200)  # time to parse 200 MiB
    sdk_transport._in_time_for(100 * 2**20 + 10, 10, later)  # 100 MiB to come: half of it
    sdk_transport._in_time_for(300 * 2**20, 150 * 2**20, later)  # what is still to come counts
    sdk_transport._in_time_for(None, 10, later)  # no length: only the deadline counts
    with pytest.raises(AttemptFailed) as late:
        sdk_transport._in_time_for(300 * 2**20, 0, later)  # 300 MiB: 1.5 times the time left
    assert late.value.code == "DeadlineReached"
    with pytest.raises(AttemptFailed):
        sdk_transport._in_time_for(None, 10, Deadline(time.monotonic() - 0.001))  # passed


def test_the_parse_rate_s_edges_with_the_clock_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    # The clock stopped at 0, so that the time left is exactly what the deadline says: a body
    # whose rest can be parsed in exactly the time left is read on; a deadline reached exactly
    # has passed, whatever is still to come.
    monkeypatch.setattr("callout_task.deadline.time", SimpleNamespace(monotonic=lambda: 0.0))
    rate = sdk_transport.PARSE_SECONDS_PER_MIB
    sdk_transport._in_time_for(2**20 + 10, 10, Deadline(rate))  # 1 MiB to come, its time left
    for announced in (None, 10):  # nothing known to come, or all of it read
        with pytest.raises(AttemptFailed) as reached:
            sdk_transport._in_time_for(announced, 10, Deadline(0.0))
        assert reached.value.code == "DeadlineReached"


@pytest.mark.parametrize(("announced", "read"), [(None, 10), (1000, 1000)])
def test_with_nothing_known_to_come_only_the_deadline_counts(
    monkeypatch: pytest.MonkeyPatch, announced: int | None, read: int
) -> None:
    # No length (a body read to the connection's end), or all of it read: however slow parsing
    # is taken to be (here an hour a MiB), nothing is given up before the deadline.
    monkeypatch.setattr(sdk_transport, "PARSE_SECONDS_PER_MIB", 3600.0)
    sdk_transport._in_time_for(announced, read, Deadline(time.monotonic() + 60))


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


def test_ccc_is_not_called_with_less_than_a_tenth_of_a_second_left(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # A 0.1 s invocation keeps 0.01 s to answer: 0.09 s is left before anything happens, less
    # than an attempt needs, so none is started (the fake would answer such an attempt at once).
    answer = invoke(dict(TASK), {"time_limit_in_ms": 100})

    assert answer["status"] == 504
    assert ccc.calls == []


def test_no_backoff_pause_runs_past_the_deadline(invoke: Invoke, ccc: CccBackend) -> None:
    # Throttled after 0.4 s; the 0.5 s invocation's deadline is 0.45 s, so after the first attempt
    # there is no time for a pause and another attempt: it must answer at once, within its limit.
    # The seed makes the backoff pause drawn next about 0.19 s (its ceiling is 0.2 s), which would
    # carry an answer that waited for it well past the limit.
    invoke(dict(TASK))  # warm: imports and the client are not what is measured
    ccc.reset()
    ccc.faults.inject("error", code="RequestLimitExceeded", delay=0.4, times=None)
    random.seed(2)

    started = time.monotonic()
    answer = invoke(dict(TASK), {"time_limit_in_ms": 500})
    took = time.monotonic() - started

    assert answer["status"] == 429
    assert len(ccc.calls) == 1
    assert took <= 0.5
