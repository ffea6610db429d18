"""Every row of SPEC "Errors", driven through the fake CCC, as an RFC 9457 problem."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}


def _http(invoke: Invoke, **query: str) -> dict[str, Any]:
    response: dict[str, Any] = invoke(
        function_url_get(**(query or {"SdkAppId": "1400000000", "TaskId": "3"}))
    )
    return response


@pytest.mark.parametrize(
    ("code", "status", "message_kept"),
    # CCC's words reach the caller only for the InvalidParameter family (SPEC): CAM's 403 text
    # names the account, role and resource; it goes to the log.
    [
        ("ResourceNotFound", 404, False),
        ("ResourceNotFound.TaskNotExist", 404, False),
        ("InvalidParameter", 400, True),
        ("InvalidParameterValue.TaskId", 400, True),
        ("MissingParameter", 400, True),
        ("UnknownParameter", 400, True),
        ("UnauthorizedOperation", 403, False),
        ("AuthFailure.UnauthorizedOperation", 403, False),
        ("AuthFailure.SecretIdNotFound", 502, False),
        ("AuthFailure.SignatureFailure", 502, False),
        ("InternalError.DBError", 502, False),
        ("FailedOperation", 502, False),
        ("ResponseSizeLimitExceeded", 502, False),
        ("SomethingNobodyDocumented", 502, False),
        ("ServiceUnavailable", 503, False),
        ("ResourceUnavailable.Maintenance", 503, False),
    ],
)
def test_an_upstream_error_code_maps_to_its_status(
    invoke: Invoke, ccc: CccBackend, code: str, status: int, message_kept: bool
) -> None:
    ccc.faults.error(code, message="upstream says: check the task", times=None)

    response = _http(invoke)
    problem = http_body(response)

    assert response["statusCode"] == status
    assert response["headers"]["Content-Type"] == "application/problem+json; charset=utf-8"
    assert set(problem) >= PROBLEM_FIELDS
    assert problem["status"] == status
    assert problem["upstream_code"] == code
    assert problem["upstream_request_id"] == ccc.calls[-1].request_id
    assert (problem["detail"] == "upstream says: check the task") is message_kept


def test_throttling_that_outlasts_the_retries_is_429_with_retry_after(
    invoke: Invoke, ccc: CccBackend
) -> None:
    ccc.faults.throttle(times=None)
    response = _http(invoke)

    assert response["statusCode"] == 429
    assert int(response["headers"]["Retry-After"]) >= 1
    assert http_body(response)["upstream_code"] == "RequestLimitExceeded"
    assert len(ccc.calls) == 3  # RETRY_MAX_ATTEMPTS default


def test_throttling_once_is_absorbed_by_a_retry(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=1)
    assert _http(invoke)["statusCode"] == 200
    assert [call.error_code for call in ccc.calls] == ["RequestLimitExceeded", None]


def test_not_found_is_not_retried(invoke: Invoke, ccc: CccBackend) -> None:
    assert _http(invoke, SdkAppId="1400000000", TaskId="404")["statusCode"] == 404
    assert len(ccc.calls) == 1


@pytest.mark.parametrize("kind", ["status", "not_json", "truncated", "reset"])
def test_a_broken_upstream_answer_is_502(invoke: Invoke, ccc: CccBackend, kind: str) -> None:
    ccc.faults.inject(kind, times=None)  # type: ignore[arg-type]
    response = _http(invoke)
    problem = http_body(response)
    assert response["statusCode"] == 502
    assert "Traceback" not in response["body"]
    assert problem["type"] == "urn:autocallout:problem:upstream-failure"


def test_an_upstream_timeout_is_504(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.inject("latency", delay=2.0)
    response = invoke(
        function_url_get(SdkAppId="1400000000", TaskId="3"), {"time_limit_in_ms": 1000}
    )
    assert response["statusCode"] == 504
    assert http_body(response)["type"] == "urn:autocallout:problem:upstream-timeout"


def test_a_deadline_already_past_is_504_without_calling_ccc(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIME_BUDGET_SECONDS", "0.1")
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"), {})
    assert response["statusCode"] == 504
    assert ccc.calls == []


def test_an_sdk_app_id_outside_the_allow_list_is_403_before_ccc(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000001, 1400000002")
    response = _http(invoke)
    assert response["statusCode"] == 403
    body = http_body(response)
    assert body["type"] == "urn:autocallout:problem:forbidden"
    assert "SdkAppId 1400000000 " in body["detail"]  # which one was refused
    assert ccc.calls == []


def test_an_sdk_app_id_in_the_allow_list_is_served(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000000")
    assert _http(invoke)["statusCode"] == 200


# SdkAppIds that resemble an allowed one without being it: each would pass if the list were
# matched as text (a prefix, a suffix, a substring of the variable) rather than as numbers.
@pytest.mark.parametrize(
    "sdk_app_id",
    [
        "140000000",  # a prefix of the allowed 1400000000
        "14000000001",  # the allowed one and more digits
        "14000000000",
        "11400000000",  # ending with it
        "400000000",  # a suffix of it
        "0",
        "1",
        "1400000000,1400000002",  # the variable's text, as a caller might send it
    ],
)
def test_an_sdk_app_id_resembling_an_allowed_one_is_403_before_ccc(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch, sdk_app_id: str
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000000,1400000002")
    response = _http(invoke, SdkAppId=sdk_app_id, TaskId="3")
    assert response["statusCode"] in {400, 403}
    if sdk_app_id.isdigit() and int(sdk_app_id) > 0:
        assert response["statusCode"] == 403
    assert ccc.calls == []


# Every way a task reaches the function, each with an SdkAppId one digit longer than the one
# allowed: the allow-list holds on every path, not only the HTTP one.
_NEAR = {"SdkAppId": 14000000001, "TaskId": 3}
_WATCH = {"tasks": [_NEAR], "watch": {"name": "allow-list", "targets": []}}
CARRIERS: dict[str, dict[str, Any]] = {
    "function_url query": function_url_get(SdkAppId="14000000001", TaskId="3"),
    "function_url body": {**function_url_get(), "httpMethod": "POST", "body": json.dumps(_NEAR)},
    "apigw query": {
        **function_url_get(SdkAppId="14000000001", TaskId="3"),
        "requestContext": {"httpMethod": "GET", "requestId": "allow-list"},
    },
    "timer": {"Type": "Timer", "Message": json.dumps(_NEAR)},
    "timer list": {"Type": "Timer", "Message": json.dumps([TASK, _NEAR])},
    "watch": {"Type": "Timer", "Message": json.dumps(_WATCH)},
    "direct": dict(_NEAR),
}


@pytest.mark.parametrize("carrier", CARRIERS)
def test_an_sdk_app_id_resembling_an_allowed_one_is_403_whatever_the_trigger(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch, carrier: str
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000000")
    answer = invoke(CARRIERS[carrier])
    if "statusCode" in answer:
        statuses = [answer["statusCode"]]
    elif "results" in answer:
        statuses = [entry.get("status", 200) for entry in answer["results"]]
    else:
        statuses = [answer["status"]]
    assert statuses[-1] == 403
    assert len(ccc.calls) == len(statuses) - 1  # only the allowed task of a list was looked up


@pytest.mark.parametrize(
    ("allowed", "given"),
    [
        ("1400000000", "01400000000"),  # one number, however it is written
        (" 01400000000 ,1400000002", "1400000000"),
        ("1400000002, 1400000000", "1400000000"),
    ],
)
def test_an_allowed_sdk_app_id_is_one_number_however_it_is_written(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, allowed: str, given: str
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", allowed)
    assert _http(invoke, SdkAppId=given, TaskId="3")["statusCode"] == 200


def test_the_local_rate_limit_answers_429_without_calling_ccc(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "0.5")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")
    first, second = _http(invoke), _http(invoke)
    assert first["statusCode"] == 200
    assert second["statusCode"] == 429
    assert second["headers"]["Retry-After"] in {"1", "2"}
    assert len(ccc.calls) == 1


def test_direct_callers_get_retry_after_in_the_body(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=None)
    assert invoke(dict(TASK))["retry_after"] == 1


def test_anything_unexpected_is_a_generic_500_with_details_only_in_the_log(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*args: Any) -> Any:
        raise RuntimeError("secret internals 13800138000")

    monkeypatch.setattr("callout_task.upstream.normalise_digested", explode)
    response = _http(invoke)
    out = capsys.readouterr().out

    assert response["statusCode"] == 500
    assert http_body(response)["detail"] == "An unexpected error occurred."
    assert "secret internals" not in response["body"]
    assert "RuntimeError: secret internals *******8000" in out
    assert "13800138000" not in out


def test_a_bad_configuration_is_a_500_naming_the_variable_in_the_log(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "fast")
    response = _http(invoke)
    assert response["statusCode"] == 500
    assert http_body(response)["type"] == "urn:autocallout:problem:misconfigured"
    assert "RATE_LIMIT_QPS must be a number" in capsys.readouterr().out
