"""Boundaries and details that mutation testing (make mutation) found no test looking at: exact
limits, what a refusal says about each field, the CORS preflight, the assumed role's session."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK


def _preflight(headers: dict[str, str]) -> dict[str, Any]:
    return {"httpMethod": "OPTIONS", "path": "/", "headers": headers, "queryString": {}}


def test_a_preflight_without_requested_headers_allows_the_usual_ones(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    response = invoke(_preflight({"origin": "https://ops.example.com"}))

    request_id = response["headers"]["X-Request-Id"]
    assert response["headers"] == {
        "X-Request-Id": request_id,
        "Cache-Control": "no-store",
        "Allow": "GET, POST, OPTIONS",
        "Access-Control-Allow-Origin": "https://ops.example.com",
        "Vary": "Origin",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Authorization",
        "Access-Control-Max-Age": "600",
    }
    assert len(request_id) == 36


def test_a_preflight_echoes_the_requested_header_names_only(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    headers = {
        "origin": "https://ops.example.com",
        "access-control-request-headers": "Content-Type, X-Trace-Id, bad\r\nheader",
    }
    response = invoke(_preflight(headers))
    assert response["headers"]["Access-Control-Allow-Headers"] == (
        "Content-Type, X-Trace-Id, bad, header"
    )


def test_a_preflight_echoes_at_most_32_header_names_each_once(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 000 requested headers were once echoed whole: 148 888 characters.
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    asked = ", ".join(["Content-Type", "content-type"] + [f"X-H{n}" for n in range(20_000)])
    headers = {"origin": "https://ops.example.com", "access-control-request-headers": asked}
    response = invoke(_preflight(headers))
    echoed = response["headers"]["Access-Control-Allow-Headers"].split(", ")
    assert echoed == ["Content-Type"] + [f"X-H{n}" for n in range(31)]


def test_a_preflight_without_cors_only_says_what_is_allowed(invoke: Invoke) -> None:
    response = invoke(_preflight({"origin": "https://ops.example.com"}))
    assert response["statusCode"] == 204
    assert response["headers"]["Allow"] == "GET, POST, OPTIONS"
    assert not any(name.startswith("Access-Control") for name in response["headers"])


def test_the_local_rate_limit_asks_for_one_second_when_the_wait_is_shorter(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "10")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")
    assert invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))["statusCode"] == 200
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "1"


@pytest.mark.parametrize("digits", [20, 21, 400])
def test_zero_padded_query_numbers_are_read_whatever_their_length(
    invoke: Invoke, digits: int
) -> None:
    # 21 digits were once left as text, and refused as "written without spaces".
    task_id = "3".rjust(digits, "0")
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=task_id))
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3


@pytest.mark.parametrize("task_id", ["9223372036854775808", "1" * 21, "1" * 400])
def test_query_numbers_past_the_range_say_so_whatever_their_length(
    invoke: Invoke, task_id: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=task_id))
    assert response["statusCode"] == 400
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": f"must be at most {2**63 - 1}"}
    ]


def test_a_refusal_says_for_each_field_what_is_wrong(invoke: Invoke) -> None:
    body = invoke({"SdkAppId": 0, "include_callees": "maybe"})
    assert sorted(body["errors"], key=lambda error: error["field"]) == [
        {"field": "SdkAppId", "message": "must be at least 1"},
        {"field": "TaskId", "message": "required; send it as TaskId or task_id"},
        {"field": "include_callees", "message": "must be true or false"},
    ]


@pytest.mark.parametrize(("parameters", "status"), [(100, 200), (101, 400)])
def test_a_query_string_may_carry_100_parameters(
    invoke: Invoke, parameters: int, status: int
) -> None:
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    query.update({f"p{n}": "x" for n in range(parameters - 2)})
    assert invoke(function_url_get(**query))["statusCode"] == status


@pytest.mark.parametrize(("repeats", "status"), [(100, 200), (101, 400)])
def test_a_query_parameter_may_be_repeated_100_times(
    invoke: Invoke, repeats: int, status: int
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=["3"] * repeats))
    assert response["statusCode"] == status
    if status == 400:
        assert http_body(response)["detail"] == (
            "A query parameter is repeated more than 100 times."
        )


@pytest.mark.parametrize(("size", "status"), [(8192, 200), (8193, 400)])
def test_the_query_string_limit_counts_every_parameter(
    invoke: Invoke, size: int, status: int
) -> None:
    # Nine parameters, none long alone: together exactly at or one over 8 KiB.
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    used = sum(len(name) + len(value) for name, value in query.items())
    filler = size - used
    for n in range(9):
        name = f"f{n}"
        share = filler // (9 - n)
        query[name] = "x" * (share - len(name))
        filler -= share
    assert invoke(function_url_get(**query))["statusCode"] == status


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(("levels", "status"), [(32, 200), (33, 400)])
def test_a_timer_message_may_nest_32_levels(invoke: Invoke, levels: int, status: int) -> None:
    task = {**TASK, "pad": _nested(levels)}  # the task object itself is a level
    [result] = invoke({"Type": "timer", "Message": json.dumps(task)})["results"]
    assert result.get("status", 200) == status
    if status == 400:
        assert result["detail"] == "The timer's Message nests deeper than 32 levels."


def test_a_timer_message_that_is_an_empty_list_is_refused_saying_so(invoke: Invoke) -> None:
    [problem] = invoke({"Type": "timer", "Message": "[]"})["results"]
    assert problem["detail"] == "The timer's Message is an empty list of tasks."


def test_a_timer_without_a_message_is_told_what_to_send(invoke: Invoke) -> None:
    [problem] = invoke({"Type": "timer"})["results"]
    assert problem["detail"].startswith("The timer's Message must be JSON text: ")
    assert '{"SdkAppId": 1400000000, "TaskId": 3}' in problem["detail"]


def test_a_name_repeated_in_a_body_is_named_in_the_refusal(invoke: Invoke) -> None:
    event = function_url_get()
    event["httpMethod"] = "POST"
    event["body"] = '{"SdkAppId": 1400000000, "TaskId": 3, "TaskId": 4}'
    body = http_body(invoke(event))
    assert body["detail"] == "The body gives a parameter several different values."
    assert body["errors"] == [
        {"field": "TaskId", "message": "given more than once with different values"}
    ]


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


def test_a_misconfigured_timer_is_logged_by_name(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke({"Type": "timer", "TriggerName": "every-minute", "Message": ""})
    lines = log_lines(capsys.readouterr().out)
    [misconfigured] = [line for line in lines if line["level"] == "ERROR"]
    assert "'every-minute'" in misconfigured["message"]
    assert misconfigured["request_id"] == lines[-1]["request_id"]


@pytest.mark.parametrize(("levels", "status"), [(32, 200), (33, 400)])
def test_a_body_may_nest_32_levels(invoke: Invoke, levels: int, status: int) -> None:
    event = function_url_get()
    body = {**TASK, "pad": _nested(levels)}  # the body object itself is a level
    event.update(httpMethod="POST", body=json.dumps(body))
    assert invoke(event)["statusCode"] == status


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+3", "must be a whole number written without a sign"),
        ("X3", "must be a whole number written with the digits 0-9"),
        ("3E2", "must be a whole number written without a decimal point or an exponent"),
    ],
)
def test_a_query_number_refusal_says_what_is_wrong_with_it(
    invoke: Invoke, text: str, message: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=text))
    assert http_body(response)["errors"] == [{"field": "TaskId", "message": message}]


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


@pytest.mark.parametrize("given", ["SdkAppid", "sdkappid", "SDK_APP_ID"])
def test_a_missing_id_names_the_near_spelling_that_was_not_taken(
    invoke: Invoke, given: str
) -> None:
    # Names are matched exactly: one that differs only in case or underscores is not read, and
    # the refusal says it was seen rather than only that SdkAppId is missing
    response = invoke(function_url_get(**{given: "1400000000", "TaskId": "3"}))
    assert http_body(response)["errors"] == [
        {
            "field": "SdkAppId",
            "message": "required; send it as SdkAppId or sdk_app_id "
            f"({given!r} was given: names are case-sensitive)",
        }
    ]
