"""Faults only an operator can fix are answered as the function's (502, 500), with the detail in
the log; upstream text that names accounts, roles and resources never reaches the caller."""

from __future__ import annotations

import pytest
from callout_task import assume_role

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import SCF_CREDENTIALS, Invoke, function_url_get
from tests.seeded import ROLE, TASK


@pytest.fixture
def with_role(monkeypatch: pytest.MonkeyPatch, ccc: CccBackend) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    ccc.roles.add(ROLE)
    assume_role._cache.clear()


@pytest.mark.parametrize(
    "code", ["InvalidParameter.ResouceError", "InvalidParameter", "ResourceNotFound.RoleNotExist"]
)
def test_sts_refusing_the_role_is_a_502_with_its_words_only_in_the_log(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    with_role: None,
    code: str,
) -> None:
    ccc.faults.error(code, message=f"role {ROLE} is not valid", action="AssumeRole")

    body = invoke(dict(TASK))
    out = capsys.readouterr().out

    assert (body["status"], body["upstream_code"]) == (502, code)
    assert body["detail"] == "The function could not assume the role that reads CCC; see its log."
    assert ROLE not in str(body)
    [error] = [line for line in log_lines(out) if line["level"] == "ERROR"]
    assert error["message"].startswith("misconfiguration: STS would not give the role's")
    assert "CCC_ROLE_ARN" in error["message"]
    assert ROLE in error["detail"]
    assert ccc.calls_to("DescribeAutoCalloutTask") == []


@pytest.mark.parametrize("fault", ["role refused", "credentials rejected", "no credentials", "bug"])
def test_every_error_line_of_a_lookup_names_its_invocation(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    # The operator finds an ERROR line from the caller's X-Request-Id or SCF's request id.
    if fault == "role refused":
        monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
        ccc.roles.add(ROLE)
        ccc.faults.error("InvalidParameter", action="AssumeRole")
    elif fault == "credentials rejected":
        ccc.faults.error("AuthFailure.SecretIdNotFound")
    elif fault == "no credentials":
        for name in SCF_CREDENTIALS:
            monkeypatch.delenv(name)
    else:
        monkeypatch.setattr("callout_task.upstream.normalise_digested", _explode)

    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"), {"request_id": "scf-ctx-0009"})

    [error] = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert (error["scf_request_id"], error["trigger"]) == ("scf-ctx-0009", "function_url")
    assert error["request_id"] == "scf-ctx-0009"  # no X-Request-Id came: SCF's id answers


def _explode(*args: object) -> object:
    raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("UnauthorizedOperation", 403),
        ("AuthFailure.UnauthorizedOperation", 403),
        ("ResourceNotFound", 404),
    ],
)
def test_403_and_404_answers_carry_no_upstream_text_which_goes_to_the_log(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str], code: str, status: int
) -> None:
    cam_words = "uin 100012345678 role ccc-reader may not read qcs::ccc::uin/100012345678:x"
    ccc.faults.error(code, message=cam_words)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    [line] = log_lines(capsys.readouterr().out)

    assert response["statusCode"] == status
    assert "100012345678" not in response["body"]
    assert "ccc-reader" not in response["body"]
    assert cam_words in line["detail"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://ccc.tencentcloudapi.com",
        "http://10.0.0.8:8080",
        "http://[fd00::1]:80",
        "ftp://127.0.0.1",
        "https://ccc.tencentcloudapi.com/some/path",
        "https://:443",
    ],
)
def test_a_ccc_endpoint_in_cleartext_off_loopback_is_refused_as_misconfiguration(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
) -> None:
    monkeypatch.setenv("CCC_ENDPOINT", endpoint)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    lines = log_lines(capsys.readouterr().out)

    assert response["statusCode"] == 500
    assert http_body(response)["type"] == "urn:autocallout:problem:misconfigured"
    assert any("CCC_ENDPOINT" in line["message"] for line in lines if line["level"] == "ERROR")
    assert ccc.calls == []


@pytest.mark.parametrize(
    ("endpoint", "kept"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
        (
            "https://ccc.ap-shanghai.tencentcloudapi.com",
            "https://ccc.ap-shanghai.tencentcloudapi.com",
        ),
        ("ccc.internal.example", "https://ccc.internal.example"),
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(endpoint: str, kept: str) -> None:
    from callout_task.config import load_settings

    assert load_settings({"CCC_ENDPOINT": endpoint}).ccc_endpoint == kept


def _error_lines(out: str) -> list[str]:
    return [line["message"] for line in log_lines(out) if line["level"] == "ERROR"]


@pytest.mark.parametrize("action", ["DescribeAutoCalloutTask", "AssumeRole"])
def test_clock_skew_is_logged_as_the_clock_not_as_missing_credentials(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    with_role: None,
    action: str,
) -> None:
    # AuthFailure.SignatureExpire once said "bind an execution role": the credentials were fine.
    ccc.faults.error("AuthFailure.SignatureExpire", "Signature expired.", times=None, action=action)
    assert invoke(dict(TASK))["status"] == 502

    [message] = _error_lines(capsys.readouterr().out)
    service = "STS" if action == "AssumeRole" else "CCC"
    assert message.startswith(f"misconfiguration: clock skew: {service} refused the request's")
    assert "NTP" in message
    assert "execution role" not in message
    assert "CCC_ROLE_ARN" not in message


def test_a_roles_refused_token_points_at_the_role_not_at_binding_an_execution_role(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str], with_role: None
) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None, action="DescribeAutoCalloutTask")
    assert invoke(dict(TASK))["status"] == 502

    [message] = _error_lines(capsys.readouterr().out)
    assert message.startswith("misconfiguration: CCC refused the session token")
    assert "CCC_ROLE_ARN" in message
    assert "bind an execution role" not in message


def test_a_refused_token_without_a_role_names_the_session_token_variable(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None)
    assert invoke(dict(TASK))["status"] == 502

    [message] = _error_lines(capsys.readouterr().out)
    assert message.startswith("misconfiguration: CCC refused the session token")
    assert "TENCENTCLOUD_SESSION_TOKEN" in message
    assert "bind an execution role" not in message


def test_a_ccc_endpoint_with_a_user_and_password_is_refused_without_quoting_them(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The whole URL, password included, was once quoted in the configuration error's line.
    monkeypatch.setenv("CCC_ENDPOINT", "https://reader:Zq9-hunter2@ccc.internal.example:8443")

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    out = capsys.readouterr().out

    assert response["statusCode"] == 500
    assert "user:password@" in " ".join(_error_lines(out))
    for part in ("reader", "Zq9-hunter2", "ccc.internal.example"):
        assert part not in out
    assert ccc.calls == []
