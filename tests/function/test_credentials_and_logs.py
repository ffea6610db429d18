"""Role credentials are read per invocation; nothing secret reaches a log line or an answer."""

from __future__ import annotations

import json

import pytest

from autocallout.fake_ccc import CccBackend, FakeCredentials
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import SCF_CREDENTIALS, Invoke, function_url_get
from tests.seeded import TASK


def test_scf_role_credentials_with_their_session_token_are_used(
    invoke: Invoke, ccc: CccBackend
) -> None:
    assert invoke(dict(TASK))["task_id"] == 3
    assert ccc.calls[0].secret_id == SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"]


def test_the_session_token_is_sent_the_fake_refuses_without_it(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TENCENTCLOUD_SESSIONTOKEN")
    body = invoke(dict(TASK))
    assert (body["status"], body["upstream_code"]) == (502, "AuthFailure.TokenFailure")


def test_rotated_credentials_are_picked_up_by_the_next_warm_invocation(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(dict(TASK))["task_id"] == 3
    rotated = ccc.add_credentials(FakeCredentials("AKIDROTATED", "rotated-key", "rotated-token"))
    ccc.credentials.pop(SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"])  # the old ones expire
    monkeypatch.setenv("TENCENTCLOUD_SECRETID", rotated.secret_id)
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", rotated.secret_key)
    monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", rotated.token or "")

    assert invoke(dict(TASK))["task_id"] == 3
    assert [call.secret_id for call in ccc.calls] == [
        SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"],
        "AKIDROTATED",
    ]


def test_local_credentials_serve_when_there_is_no_role(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    ccc.add_credentials(FakeCredentials("AKIDLOCALUSER", "local-user-key"))
    for name in SCF_CREDENTIALS:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDLOCALUSER")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "local-user-key")

    assert invoke(dict(TASK))["task_id"] == 3
    assert ccc.calls[0].secret_id == "AKIDLOCALUSER"


def test_missing_credentials_are_a_502_and_a_log_line_saying_what_to_configure(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in SCF_CREDENTIALS:
        monkeypatch.delenv(name)
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    lines = log_lines(capsys.readouterr().out)

    assert response["statusCode"] == 502
    assert http_body(response)["type"] == "urn:autocallout:problem:credentials-missing"
    assert ccc.calls == []
    assert any("execution role" in line["message"] and line["level"] == "ERROR" for line in lines)


def test_rejected_credentials_are_logged_as_misconfiguration(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", "a-wrong-key")
    assert invoke(dict(TASK))["status"] == 502
    assert any(
        line["message"].startswith("misconfiguration")
        for line in log_lines(capsys.readouterr().out)
    )


def test_one_structured_line_per_invocation(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.throttle(times=1)
    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    [line] = [
        line for line in log_lines(capsys.readouterr().out) if line["message"] == "invocation"
    ]

    assert line["trigger"] == "function_url"
    assert (line["sdk_app_id"], line["task_id"], line["status"]) == (1400000000, 3, 200)
    assert line["attempts"] == 2
    assert line["upstream_request_id"] == ccc.calls[-1].request_id
    assert isinstance(line["latency_ms"], float)
    assert line["request_id"]


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_no_secret_or_token_in_any_log_line_or_answer_and_no_callee_number_in_any_log_line(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    level: str,
) -> None:
    monkeypatch.setenv("LOG_LEVEL", level)
    ccc.faults.error("InvalidParameterValue", message="callee 13800130001 is malformed")
    answers = [
        invoke(function_url_get(SdkAppId="1400000000", TaskId="3")),
        invoke({"SdkAppId": 1400000000, "TaskId": 7}),
        invoke({"Type": "timer", "Message": json.dumps([TASK, {"TaskId": "x"}])}),
        invoke({"SdkAppId": 1400000000, "TaskId": 404}),
    ]
    logged = capsys.readouterr().out
    answered = json.dumps(answers, ensure_ascii=False)

    for secret in SCF_CREDENTIALS.values():
        assert secret not in logged
        assert secret not in answered
    assert "13800130001" not in logged
    assert "*******0001" in logged


def test_a_decimal_in_a_log_line_is_not_masked_as_a_phone_number() -> None:
    from callout_task.logs import mask

    assert mask("read timeout=2.8512349973") == "read timeout=2.8512349973"
    assert mask("callee 13800138000 and +8613800138000") == "callee *******8000 and **********8000"


@pytest.mark.parametrize(
    "variable",
    ["TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"],
)
@pytest.mark.parametrize(
    "value",
    ["zebra\nquartz", "zebra\r\nX-Quartz: 1", "zebra\tquartz", "zebra quartz", "zebra\x1bquartz"],
    ids=["newline", "header injection", "tab", "space", "escape"],
)
def test_a_credential_with_a_control_character_is_refused_before_any_call_showing_none_of_it(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    # A newline in a token once went into detail verbatim, was retried 3 times as a network
    # error and answered "CCC could not be reached".
    monkeypatch.setenv(variable, value)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    out = capsys.readouterr().out

    assert response["statusCode"] == 502
    assert http_body(response)["type"] == "urn:autocallout:problem:credentials-malformed"
    assert ccc.calls == []
    [error] = [line for line in log_lines(out) if line["level"] == "ERROR"]
    assert error["message"].startswith(f"misconfiguration: malformed credentials: {variable} ")
    assert "zebra" not in out
    assert "quartz" not in out
    assert "zebra" not in response["body"]
