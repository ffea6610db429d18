"""Behaviour that an audit could break without any other test noticing (issue 18), pinned here
through main_handler and the fake, so that the tests hold whatever shape the code takes."""

from __future__ import annotations

import json
import random
import time
import uuid

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import Invoke
from tests.seeded import TASK


def test_each_callee_state_code_has_its_own_name_and_count(invoke: Invoke, ccc: CccBackend) -> None:
    # Code n appears n + 1 times, so a summary that counts a code under another name shows.
    states = [code for code in range(5) for _ in range(code + 1)]
    callees = [{"Callee": f"1380000{n:04d}", "State": code} for n, code in enumerate(states)]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 900, "State": 1, "Callees": callees})

    body = invoke({"SdkAppId": 1400000000, "TaskId": 900})

    names = {0: "initial", 1: "answered", 2: "not_answered", 3: "calling", 4: "waiting_retry"}
    assert [(c["state_code"], c["state"]) for c in body["callees"]] == [
        (code, names[code]) for code in states
    ]
    assert body["callee_summary"] == {
        "total": 15,
        "initial": 1,
        "answered": 2,
        "not_answered": 3,
        "calling": 4,
        "waiting_retry": 5,
        "unknown": 0,
    }


def test_booleans_are_not_state_codes(invoke: Invoke, ccc: CccBackend) -> None:
    # JSON true is not the integer 1 (nor false 0), although Python's bool is an int.
    callees = [{"Callee": "13800000001", "State": True}, {"Callee": "13800000002", "State": False}]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 901, "State": True, "Callees": callees})

    body = invoke({"SdkAppId": 1400000000, "TaskId": 901})

    assert (body["state"], body["state_code"]) == ("unknown", None)
    assert [(c["state"], c["state_code"]) for c in body["callees"]] == [("unknown", None)] * 2
    summary = body["callee_summary"]
    assert (summary["unknown"], summary["initial"], summary["answered"]) == (2, 0, 0)


def test_callee_numbers_are_masked_in_the_log_line_of_a_timer_with_several_tasks(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error("InvalidParameterValue", message="callee 13800130001 is malformed", times=None)

    results = invoke({"Type": "timer", "Message": json.dumps([TASK, TASK])})["results"]
    logged = capsys.readouterr().out

    assert [result["status"] for result in results] == [400, 400]
    assert "13800130001" not in logged
    assert logged.count("*******0001") >= 2  # each task's detail was logged, masked


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


def test_the_upstream_wording_of_throttling_is_not_passed_on(
    invoke: Invoke, ccc: CccBackend
) -> None:
    wording = "Your request frequency has reached the limit of uin 100000000001."
    ccc.faults.error("RequestLimitExceeded", message=wording, times=None)

    body = invoke(dict(TASK))

    assert (body["status"], body["upstream_code"]) == (429, "RequestLimitExceeded")
    assert "frequency" not in json.dumps(body)


def _assume_roles(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch, seconds_left: int
) -> int:
    """How many AssumeRole calls two invocations make when STS's credentials expire
    ``seconds_left`` after they are issued (the fake's clock runs behind to make them so)."""
    role = f"qcs::cam::uin/100000000001:roleName/ccc-reader-{uuid.uuid4().hex}"  # none cached
    monkeypatch.setenv("CCC_ROLE_ARN", role)
    ccc.roles.add(role)
    duration = 7200  # what the function asks STS for
    ccc.clock = lambda: time.time() - (duration - seconds_left)
    ccc.max_clock_skew = duration + 60.0
    for _ in range(2):
        assert invoke(dict(TASK))["task_id"] == 3
    return len(ccc.calls_to("AssumeRole"))


def test_role_credentials_that_live_200_s_are_kept_not_assumed_again_at_once(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Renewed a fifth of their life ahead (40 s), not 300 s ahead: that would be on every call.
    # Two-hour credentials renewed 300 s ahead: test_assume_role_edges.
    assert _assume_roles(invoke, ccc, monkeypatch, seconds_left=200) == 1


def test_role_credentials_with_more_than_five_minutes_left_are_reused(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _assume_roles(invoke, ccc, monkeypatch, seconds_left=400) == 1
