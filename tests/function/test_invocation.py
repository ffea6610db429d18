"""The ``invocation`` line of a lookup says what happened and no more: a lookup that never
reached CCC or STS logs no attempts and null upstream fields, one whose request could not be
read logs no task ids, a success logs no detail; null, as the log schema has it for fields that
do not apply (callout_task.logs), not an empty value an operator would search CLS for. And only
a 429 tells the caller to retry after a time."""

from __future__ import annotations

import json
import time

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke, function_url_get


def _line(out: str) -> dict[str, object]:
    [line] = [x for x in log_lines(out) if x["message"] == "invocation"]
    return line


@pytest.mark.parametrize(
    ("event", "status", "ids"),
    [
        # no TaskId: the request is refused, its readable SdkAppId still logged
        ({"SdkAppId": 1400000000}, 400, (1400000000, None)),
        ({"SdkAppId": 1400000001, "TaskId": 3}, 403, (1400000001, 3)),  # not on the allow-list
    ],
    ids=["refused parameters", "refused SdkAppId"],
)
def test_a_lookup_refused_before_any_call_logs_no_attempt_and_null_upstream_fields(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, int],
    status: int,
    ids: tuple[int | None, int | None],
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000000")

    assert invoke(event)["status"] == status

    line = _line(capsys.readouterr().out)
    assert (line["status"], line["attempts"]) == (status, 0)
    assert (line["sdk_app_id"], line["task_id"]) == ids
    assert (line["upstream_code"], line["upstream_request_id"]) == (None, None)
    assert ccc.calls == []


def test_a_success_logs_no_detail_and_no_upstream_code(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke({"SdkAppId": 1400000000, "TaskId": 3})["task_id"] == 3

    line = _line(capsys.readouterr().out)
    assert (line["status"], line["detail"], line["upstream_code"]) == (200, None, None)


@pytest.mark.parametrize(
    ("method", "path", "status"), [("OPTIONS", "/", 204), ("GET", "/openapi.json", 200)]
)
def test_an_answer_without_a_lookup_logs_no_task_no_detail_and_no_attempt(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], method: str, path: str, status: int
) -> None:
    event = function_url_get()
    event.update(httpMethod=method, path=path)

    assert invoke(event)["statusCode"] == status

    line = _line(capsys.readouterr().out)
    assert (line["status"], line["attempts"], line["detail"]) == (status, 0, None)
    assert (line["sdk_app_id"], line["task_id"], line["task_state"]) == (None, None, None)
    assert (line["upstream_code"], line["upstream_request_id"]) == (None, None)


@pytest.mark.parametrize("query", [{}, {"SdkAppId": "1400000000", "TaskId": "3"}])
def test_only_a_429_carries_retry_after(invoke: Invoke, query: dict[str, str]) -> None:
    response = invoke(function_url_get(**query))

    assert response["statusCode"] in (200, 400)
    assert "Retry-After" not in response["headers"]


def test_latency_is_the_time_since_the_invocation_started_in_tenths_of_a_millisecond() -> None:
    from callout_task.handler import Outcome, _log_fields

    for seconds in (300.01234, 0.01234):
        latency = _log_fields(Outcome(), time.monotonic() - seconds)["latency_ms"]
        # Rounded to 0.1 ms; what the call itself took (scheduling on a shared machine) on top.
        assert seconds * 1000 - 0.05 <= latency < seconds * 1000 + 150
        assert latency * 10 == pytest.approx(round(latency * 10), abs=1e-6)


def test_a_misconfigured_instance_logs_both_its_lines_with_the_invocation_s_ids(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "fast")

    body = invoke({"SdkAppId": 1400000000, "TaskId": 3}, {"request_id": "scf-ctx-0002"})

    assert (body["status"], body["request_id"]) == (500, "scf-ctx-0002")
    assert isinstance(body["detail"], str)  # what to do: see the log
    lines = log_lines(capsys.readouterr().out)
    assert [line["level"] for line in lines] == ["ERROR", "INFO"]
    for line in lines:
        assert (line["request_id"], line["scf_request_id"]) == ("scf-ctx-0002", "scf-ctx-0002")
        assert line["trigger"] == "direct"
        assert "unknown log fields" not in (line["detail"] or "")


@pytest.mark.parametrize("trigger", ["direct", "timer", "function_url"])
def test_an_unexpected_failure_outside_any_task_is_a_generic_500_logged_with_its_traceback(
    invoke: Invoke,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    trigger: str,
) -> None:
    # The instance cannot be built for a reason nobody foresaw (not a ConfigurationError).
    def explode(*args: object) -> object:
        raise RuntimeError("limiter broke 13800138000")

    monkeypatch.setattr("callout_task.handler.limiter_for", explode)
    task = {"SdkAppId": 1400000000, "TaskId": 3}
    event: dict[str, object] = {
        "direct": task,
        "timer": {"Type": "Timer", "TriggerName": "poll", "Message": "[]"},
        "function_url": function_url_get(SdkAppId="1400000000", TaskId="3"),
    }[trigger]

    answer = invoke(event, {"request_id": "scf-ctx-0003"})

    if trigger == "function_url":
        assert answer["statusCode"] == 500
        assert answer["headers"]["Content-Type"] == "application/problem+json; charset=utf-8"
        assert answer["headers"]["X-Request-Id"] == "scf-ctx-0003"
        body = json.loads(answer["body"])
    elif trigger == "timer":
        [body] = answer["results"]
    else:
        body = answer
    assert (body["status"], body["request_id"]) == (500, "scf-ctx-0003")
    assert body["detail"] == "An unexpected error occurred."
    assert "limiter broke" not in json.dumps(answer)
    error, line = log_lines(capsys.readouterr().out)
    assert (error["level"], error["message"]) == ("ERROR", "unexpected error")
    assert "RuntimeError: limiter broke *******8000" in error["traceback"]
    assert (line["level"], line["message"], line["status"]) == ("INFO", "invocation", 500)
    assert line["detail"] == "An unexpected error occurred."
    for logged in (error, line):
        assert (logged["request_id"], logged["scf_request_id"]) == ("scf-ctx-0003",) * 2
        assert logged["trigger"] == trigger


def test_a_fault_only_an_operator_can_fix_logs_upstream_s_code_and_request_id_with_it(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", "a-wrong-key")

    assert invoke({"SdkAppId": 1400000000, "TaskId": 3})["status"] == 502

    error, line = log_lines(capsys.readouterr().out)
    assert (error["level"], line["message"]) == ("ERROR", "invocation")
    assert error["upstream_code"] == line["upstream_code"]
    assert error["upstream_code"].startswith("AuthFailure")
    assert error["upstream_request_id"] == line["upstream_request_id"]
    assert error["upstream_request_id"]
