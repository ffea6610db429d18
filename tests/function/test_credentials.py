"""Credentials: the execution role's (or local) credentials are read per invocation, from which
variables and with which token; missing, rejected, malformed or refused ones are a 502 whose log
line says what to configure, and nothing secret reaches a log line or an answer. A role assumed
through STS (CCC_ROLE_ARN) is test_assumed_role.py's."""

from __future__ import annotations

import pytest
from callout_task import assume_role, problems
from callout_task.credentials import Credentials, read_credentials
from callout_task.problems import CredentialsMissing

from autocallout.fake_ccc import CccBackend, FakeCredentials
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import SCF_CREDENTIALS, Invoke, function_url_get
from tests.seeded import ROLE, TASK

EXECUTION_ROLE = {  # what SCF sets for a function with an execution role
    "TENCENTCLOUD_SECRETID": "AKIDROLE",
    "TENCENTCLOUD_SECRETKEY": "role-key",
    "TENCENTCLOUD_SESSIONTOKEN": "role-token",
}


LOCAL = {
    "TENCENTCLOUD_SECRET_ID": "AKIDLOCAL",
    "TENCENTCLOUD_SECRET_KEY": "local-key",
    "TENCENTCLOUD_SESSION_TOKEN": "local-token",
}


def _error_lines(out: str) -> list[str]:
    return [line["message"] for line in log_lines(out) if line["level"] == "ERROR"]


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


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({**EXECUTION_ROLE, **LOCAL}, Credentials("AKIDROLE", "role-key", "role-token")),
        (LOCAL, Credentials("AKIDLOCAL", "local-key", "local-token")),
        (
            {"TENCENTCLOUD_SECRET_ID": " AKIDLOCAL ", "TENCENTCLOUD_SECRET_KEY": "local-key\n"},
            Credentials("AKIDLOCAL", "local-key", None),
        ),
        (
            {**EXECUTION_ROLE, "TENCENTCLOUD_SESSIONTOKEN": "  "},
            Credentials("AKIDROLE", "role-key", None),
        ),
        # Half a pair is no credentials: the next pair serves, whatever its half says.
        (
            {"TENCENTCLOUD_SECRETID": "AKIDROLE", "TENCENTCLOUD_SESSIONTOKEN": "t", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
        (
            {"TENCENTCLOUD_SECRETKEY": "role-key", "TENCENTCLOUD_SESSIONTOKEN": "t", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
        (
            {**EXECUTION_ROLE, "TENCENTCLOUD_SECRETKEY": " ", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
    ],
    ids=[
        "the role first",
        "local with its token",
        "stripped, no token",
        "a blank token",
        "role id alone",
        "role key alone",
        "role key blank",
    ],
)
def test_the_first_whole_pair_is_used_with_its_own_token(
    environ: dict[str, str], expected: Credentials
) -> None:
    assert tuple(read_credentials(environ)) == tuple(expected)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"TENCENTCLOUD_SECRETID": "AKIDROLE", "TENCENTCLOUD_SECRET_KEY": "local-key"},
        {"TENCENTCLOUD_SESSIONTOKEN": "t", "TENCENTCLOUD_SESSION_TOKEN": "t"},
        {"TENCENTCLOUD_SECRETID": " ", "TENCENTCLOUD_SECRETKEY": " "},
    ],
)
def test_no_whole_pair_is_credentials_missing_saying_so(environ: dict[str, str]) -> None:
    with pytest.raises(CredentialsMissing) as missing:
        read_credentials(environ)

    assert missing.value.status == 502
    assert missing.value.body("r")["detail"]


def test_the_process_environment_is_read_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*EXECUTION_ROLE, *LOCAL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDPROCESS")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "process-key")

    assert read_credentials() == ("AKIDPROCESS", "process-key", None)


def test_every_visible_ascii_character_is_one_a_credential_may_hold() -> None:
    # "!" to "~": a session token or a key may hold any of them, the first and the last too.
    visible = "".join(chr(code) for code in range(ord("!"), ord("~") + 1))
    environ = {"TENCENTCLOUD_SECRET_ID": "AKIDLOCAL", "TENCENTCLOUD_SECRET_KEY": visible}
    environ["TENCENTCLOUD_SESSION_TOKEN"] = visible[::-1]

    assert read_credentials(environ) == ("AKIDLOCAL", visible, visible[::-1])


@pytest.mark.parametrize("value", ["AKID\nX", "k\x7fy", "t\u2028k", "tök", "a\x85b"])
def test_a_credential_with_a_character_no_credential_has_is_malformed(value: str) -> None:
    environ = {"TENCENTCLOUD_SECRET_ID": "AKIDLOCAL", "TENCENTCLOUD_SECRET_KEY": value}
    with pytest.raises(problems.CredentialsMalformed) as refused:
        read_credentials(environ)
    assert "TENCENTCLOUD_SECRET_KEY" in str(refused.value.upstream_message)
    assert value not in str(refused.value.upstream_message)
    assert value not in refused.value.detail


@pytest.fixture
def with_role(monkeypatch: pytest.MonkeyPatch, ccc: CccBackend) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    ccc.roles.add(ROLE)
    assume_role.forget_all()


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


def test_a_refused_token_without_a_role_names_the_session_token_variable(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None)
    assert invoke(dict(TASK))["status"] == 502

    [message] = _error_lines(capsys.readouterr().out)
    assert message.startswith("misconfiguration: CCC refused the session token")
    assert "TENCENTCLOUD_SESSION_TOKEN" in message
    assert "bind an execution role" not in message
