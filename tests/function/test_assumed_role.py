"""CCC_ROLE_ARN: CCC read with a role assumed through STS under a session named after the
function, cached (renewed ahead of expiry by a margin that fits their lifetime), renewed once if
refused; STS refusing, throttling or out of time, each with its status and request id. One
AssumeRole shared by concurrent callers: test_assume_role_edges (it needs the fake's server, for
real threads)."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest
from callout_task import assume_role

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import SCF_CREDENTIALS, Invoke
from tests.seeded import ROLE, TASK


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


def _error_lines(out: str) -> list[str]:
    return [line["message"] for line in log_lines(out) if line["level"] == "ERROR"]


@pytest.fixture
def role(monkeypatch: pytest.MonkeyPatch, ccc: CccBackend) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    ccc.roles.add(ROLE)
    assume_role.forget_all()


def _signers(ccc: CccBackend, action: str) -> list[str | None]:
    return [call.secret_id for call in ccc.calls_to(action)]


@pytest.mark.usefixtures("role")
def test_ccc_is_called_with_the_assumed_roles_credentials(invoke: Invoke, ccc: CccBackend) -> None:
    assert invoke(dict(TASK))["task_id"] == 3

    [sts_signer] = _signers(ccc, "AssumeRole")
    [ccc_signer] = _signers(ccc, "DescribeAutoCalloutTask")
    assert sts_signer == SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"]
    assert ccc_signer is not None
    assert ccc_signer.startswith("AKIDFAKESTS")
    assert ccc.calls_to("AssumeRole")[0].params["RoleArn"] == ROLE


@pytest.mark.usefixtures("role")
def test_the_role_credentials_are_reused_while_valid(invoke: Invoke, ccc: CccBackend) -> None:
    for _ in range(3):
        assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 1
    assert len(set(_signers(ccc, "DescribeAutoCalloutTask"))) == 1


@pytest.mark.usefixtures("role")
def test_refused_role_credentials_are_assumed_afresh_once(invoke: Invoke, ccc: CccBackend) -> None:
    invoke(dict(TASK))
    [first] = set(_signers(ccc, "DescribeAutoCalloutTask"))
    assert first is not None
    ccc.credentials[first] = dataclasses.replace(ccc.credentials[first], token="revoked")

    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2
    assert _signers(ccc, "DescribeAutoCalloutTask")[-1] != first


@pytest.mark.usefixtures("role")
def test_a_token_refused_again_after_renewal_is_a_502(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None, action="DescribeAutoCalloutTask")
    body = invoke(dict(TASK))
    assert (body["status"], body["upstream_code"]) == (502, "AuthFailure.TokenFailure")
    assert len(ccc.calls_to("AssumeRole")) == 2


@pytest.mark.usefixtures("role")
def test_a_role_sts_does_not_know_is_a_502_logged_as_misconfiguration(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.roles.clear()
    body = invoke(dict(TASK))
    assert body["status"] == 502
    assert body["upstream_code"] == "ResourceNotFound.RoleNotExist"
    assert ccc.calls_to("DescribeAutoCalloutTask") == []
    assert "misconfiguration" in capsys.readouterr().out


@pytest.mark.usefixtures("role")
def test_sts_throttled_once_is_retried(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=1, action="AssumeRole")
    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2


@pytest.mark.usefixtures("role")
def test_sts_throttled_throughout_is_a_429_not_a_misconfiguration(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.throttle(times=None, action="AssumeRole")
    body = invoke(dict(TASK))
    assert (body["status"], body["upstream_code"]) == (429, "RequestLimitExceeded")
    assert len(ccc.calls_to("AssumeRole")) == 3
    assert "misconfiguration" not in capsys.readouterr().out


@pytest.mark.usefixtures("role", "machine_time_zone")
def test_short_lived_role_credentials_serve_many_lookups(invoke: Invoke, ccc: CccBackend) -> None:
    # An STS that gives 250 s credentials: with a fixed 300 s margin they were stale as issued,
    # and every lookup asked STS again (11 AssumeRole calls for 30 lookups, most of them 429).
    ccc.role_max_seconds = 250
    answers = [invoke(dict(TASK)) for _ in range(15)]  # 16 calls: within the default burst

    assert [answer.get("task_id") for answer in answers] == [3] * 15
    assert len(ccc.calls_to("AssumeRole")) == 1


@pytest.mark.usefixtures("role")
@pytest.mark.parametrize(
    ("lifetime", "kept"),
    [(7200, 6900), (3600, 3300), (1500, 1200), (250, 200), (10, 8), (0, 0)],
)
def test_role_credentials_are_renewed_300_s_or_a_fifth_of_their_life_before_expiry(
    lifetime: int, kept: float
) -> None:
    issued_at = 1_700_000_000.0
    assert assume_role.renew_at(issued_at, issued_at + lifetime) == issued_at + kept


@pytest.mark.usefixtures("role")
@pytest.mark.parametrize(
    "code", ["InvalidParameter.ResouceError", "InvalidParameter", "ResourceNotFound.RoleNotExist"]
)
def test_sts_refusing_the_role_is_a_502_with_its_words_only_in_the_log(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
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


@pytest.mark.usefixtures("role")
def test_a_roles_refused_token_points_at_the_role_not_at_binding_an_execution_role(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None, action="DescribeAutoCalloutTask")
    assert invoke(dict(TASK))["status"] == 502

    [message] = _error_lines(capsys.readouterr().out)
    assert message.startswith("misconfiguration: CCC refused the session token")
    assert "CCC_ROLE_ARN" in message
    assert "bind an execution role" not in message


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
