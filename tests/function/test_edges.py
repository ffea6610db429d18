"""Boundaries and details that mutation testing (make mutation) found no test looking at: exact
limits, what a refusal says about each field, the CORS preflight, the assumed role's session."""

from __future__ import annotations

import time

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK


def test_the_local_rate_limit_asks_for_one_second_when_the_wait_is_shorter(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "10")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")
    assert invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))["statusCode"] == 200
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "1"


def test_a_ring_timeout_is_passed_on(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.update_task(1400000000, 3, MaxRingTimeoutSecond=45)
    assert invoke(dict(TASK))["max_ring_timeout_seconds"] == 45


# -- the assumed role ------------------------------------------------------------------------


@pytest.fixture
def role(monkeypatch: pytest.MonkeyPatch, ccc: CccBackend) -> str:
    import uuid

    arn = f"qcs::cam::uin/100000000001:roleName/ccc-reader-{uuid.uuid4().hex}"  # none cached
    monkeypatch.setenv("CCC_ROLE_ARN", arn)
    ccc.roles.add(arn)
    return arn


@pytest.mark.usefixtures("role")
@pytest.mark.parametrize(
    ("function", "session"),
    [
        (None, "autocallout-local"),
        ("", "autocallout-local"),
        ("task reader/prod", "autocallout-task-reader-prod"),
        ("f" * 80, "autocallout-" + "f" * 52),
    ],
)
def test_the_role_session_is_named_after_the_function(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    function: str | None,
    session: str,
) -> None:
    if function is not None:
        monkeypatch.setenv("SCF_FUNCTIONNAME", function)
    else:
        monkeypatch.delenv("SCF_FUNCTIONNAME", raising=False)
    assert invoke(dict(TASK))["task_id"] == 3
    [assume] = ccc.calls_to("AssumeRole")
    assert assume.params["RoleSessionName"] == session
    assert assume.params["DurationSeconds"] == 7200


@pytest.mark.usefixtures("role")
@pytest.mark.parametrize("code", ["AuthFailure.UnauthorizedOperation", "UnauthorizedOperation"])
def test_sts_refusing_the_role_is_a_502_with_its_request_id(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    ccc.faults.error(code, message="not allowed for 13800130001", action="AssumeRole")
    body = invoke(dict(TASK))
    [assume] = ccc.calls_to("AssumeRole")
    assert (body["status"], body["upstream_code"]) == (502, code)
    assert body["upstream_request_id"] == assume.request_id
    logged = capsys.readouterr().out
    assert "not allowed for *******0001" in logged  # STS's own words reach the log, masked


@pytest.mark.usefixtures("role")
def test_sts_throttling_keeps_sts_request_id(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=None, action="AssumeRole")
    body = invoke(dict(TASK))
    assert body["status"] == 429
    assert body["upstream_request_id"] == ccc.calls_to("AssumeRole")[-1].request_id


@pytest.mark.usefixtures("role")
def test_an_sts_call_gets_only_the_time_left(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.inject("latency", delay=5.0, times=None, action="AssumeRole")
    started = time.monotonic()
    body = invoke(dict(TASK), {"time_limit_in_ms": 1000})
    assert time.monotonic() - started <= 1.0  # within the invocation's limit, not STS's 5 s
    assert body["status"] == 504
    assert ccc.calls_to("DescribeAutoCalloutTask") == []


@pytest.mark.usefixtures("role")
def test_no_time_for_sts_says_sts_was_not_called(invoke: Invoke, ccc: CccBackend) -> None:
    body = invoke(dict(TASK), {"time_limit_in_ms": 100})
    assert body["status"] == 504
    assert "STS" in body["detail"]
    assert ccc.calls == []


def test_long_tokens_are_cut_from_log_lines_but_digests_stay(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    token = "AbCdEf0123456789AbCdEf0123456789AbCdEf0123"
    ccc.faults.error("InvalidParameterValue", message=f"digest {digest} token {token}")
    invoke(dict(TASK))
    logged = capsys.readouterr().out
    assert digest in logged
    assert token not in logged
    assert "token [masked]" in logged
