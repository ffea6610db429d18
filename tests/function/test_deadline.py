"""How long an invocation has left (callout_task.deadline), and SCF's request id, from its context.

SCF hands the Python runtime a context whose ``time_limit_in_ms`` is the function's timeout and
whose ``request_id`` names the invocation; a local caller may give a dict, an object or nothing.
The deadline keeps a reserve to answer in: 0.15 s, or a tenth of a limit shorter than 1.5 s. An
answer whose body cannot be parsed in the time left is given up as soon as that is known.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from callout_task import handler, sdk_transport
from callout_task.deadline import Deadline, context_request_id
from callout_task.sdk_transport import AttemptFailed

from tests.function.answers import log_lines
from tests.function.rude_upstream import RudeUpstream, answer

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
    sdk_transport._in_time_for(None, 10, later)  # no length: only the deadline counts
    with pytest.raises(AttemptFailed) as late:
        sdk_transport._in_time_for(300 * 2**20, 0, later)  # 300 MiB: 1.5 times the time left
    assert late.value.code == "DeadlineReached"
    with pytest.raises(AttemptFailed):
        sdk_transport._in_time_for(None, 10, Deadline(time.monotonic() - 0.001))  # passed
