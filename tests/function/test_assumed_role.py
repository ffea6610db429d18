"""CCC_ROLE_ARN: CCC read with a role assumed through STS under a session named after the
function, in CCC's region (else the default one, or at a loopback CCC_ENDPOINT), cached (renewed
ahead of expiry by a margin that fits their lifetime), renewed once if refused; STS refusing,
throttling, answering without credentials or with malformed ones, or out of time, each with its
status and request id; cold concurrent callers sharing one AssumeRole, each within its own
deadline.

STS is the fake's (in process, ``role``), a loopback server that answers what a test scripts
(``RudeUpstream`` at a loopback CCC_ENDPOINT, which STS calls go to as well), or the fake CCC's
server, for real threads."""

from __future__ import annotations

import dataclasses
import gc
import json
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from callout_task import assume_role, handler
from callout_task.config import Settings
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from callout_task.invocation import CallReport, Invocation
from callout_task.rate_limit import TokenBucket

from autocallout.fake_ccc import CccBackend, FakeCccServer
from autocallout.fake_ccc.models import FakeCredentials
from tests.function.answers import log_lines
from tests.function.rude_upstream import RudeUpstream, answer
from tests.function.scenarios import SCF_CREDENTIALS, Invoke
from tests.seeded import ROLE, TASK


@pytest.fixture
def sts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    """STS answering AssumeRole without credentials; the headers of the requests it got."""
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    body = {"Response": {"ExpiredTime": 2_000_000_000, "RequestId": "sts-1"}}
    with RudeUpstream(answer(json.dumps(body).encode())) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        yield server.heads


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


@pytest.fixture
def role_on_fake_server(
    fake_server: FakeCccServer, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CCC and STS on the fake's own server, the function told to assume a role it knows."""
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("CCC_ENDPOINT", fake_server.url)
    backend.roles.add(ROLE)


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
def test_sts_failing_an_attempt_whose_retry_has_no_token_is_named_as_sts(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one token, spent on an AssumeRole STS fails with a retryable code
    monkeypatch.setenv("RATE_LIMIT_QPS", "0.001")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")
    ccc.faults.error("InternalError", times=None, action="AssumeRole")

    body = invoke(dict(TASK))

    # Then the function's 429 names STS's answer as STS's: its code and request id are not CCC's
    [assume] = ccc.calls_to("AssumeRole")
    assert (body["status"], body["type"]) == (429, "urn:autocallout:problem:rate-limited")
    assert (body["upstream_code"], body["upstream_request_id"]) == (
        "InternalError",
        assume.request_id,
    )
    assert body["detail"].startswith("The last STS attempt failed (InternalError)")
    assert "CCC" not in body["detail"]
    assert ccc.calls_to("DescribeAutoCalloutTask") == []


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
    # Two-hour credentials renewed 300 s ahead: the test of the 300 s renewal, further down.
    assert _assume_roles(invoke, ccc, monkeypatch, seconds_left=200) == 1


def test_role_credentials_with_more_than_five_minutes_left_are_reused(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _assume_roles(invoke, ccc, monkeypatch, seconds_left=400) == 1


@pytest.mark.parametrize(
    ("ccc_region", "asked"), [("ap-shanghai", "ap-shanghai"), (None, "ap-guangzhou")]
)
def test_sts_is_asked_in_ccc_s_region_else_the_default_one(
    sts: list[Any], monkeypatch: pytest.MonkeyPatch, ccc_region: str | None, asked: str
) -> None:
    if ccc_region is not None:
        monkeypatch.setenv("CCC_REGION", ccc_region)

    handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})

    [request] = sts
    assert request["x-tc-region"] == asked
    assert request["x-tc-action"] == "AssumeRole"


def test_an_sts_answer_without_credentials_is_a_502_that_says_so(
    sts: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    body = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})

    assert body["status"] == 502
    assert body["type"] == "urn:autocallout:problem:upstream-auth-failure"
    assert isinstance(body["detail"], str)
    assert "credentials" in body["detail"]
    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert line["detail"] == body["detail"]


def test_the_connection_to_sts_is_closed_once_it_has_answered(sts: list[Any]) -> None:
    # One AssumeRole, one endpoint: its kept-alive connection was left for the garbage
    # collector to close (an unclosed-socket ResourceWarning).
    gc.collect()  # what earlier tests left is not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})
        gc.collect()

    assert len(sts) == 1
    assert [str(warning.message) for warning in caught] == []


def test_no_time_left_for_sts_is_a_504_naming_sts_as_not_called(sts: list[Any]) -> None:
    body = handler.main_handler(dict(TASK), {"time_limit_in_ms": 100})

    assert body["status"] == 504
    assert "before STS could be called" in body["detail"]
    assert sts == []


def test_forgetting_role_credentials_no_longer_cached_is_no_error() -> None:
    # CCC refused a token whose entry was dropped meanwhile (expired, or pushed out by others).
    assume_role.forget_all()
    assume_role.forget(ROLE, Credentials("AKIDbase", "key", None))
    assert len(assume_role._cache) == 0


def test_with_ccc_on_a_loopback_endpoint_sts_is_asked_there_in_its_scheme(
    role_on_fake_server: None, backend: CccBackend
) -> None:
    # The local fake serves plain HTTP: STS asked over HTTPS there would never answer.

    body = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})

    assert body["task_id"] == 3
    assert [call.action for call in backend.calls] == ["AssumeRole", "DescribeAutoCalloutTask"]


def test_role_credentials_are_renewed_from_the_moment_they_are_300_s_from_expiry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two-hour credentials are renewed once they have 300 s or less left, that moment included:
    # a clock reading exactly expiry - 300 (STS gives whole seconds) asks STS again.
    expires_at = 2_000_000_000.0
    asked: list[str] = []

    def assume(base: Any, role_arn: str, invocation: Any, report: Any) -> tuple[Any, float]:
        asked.append(role_arn)
        return Credentials(f"role-id-{len(asked)}", "key", "token"), expires_at

    now = [expires_at - 7200]
    monkeypatch.setattr(assume_role, "_assume", assume)
    monkeypatch.setattr(assume_role, "time", SimpleNamespace(time=lambda: now[0]))
    base = Credentials("base-id", "base-key")

    first = assume_role.role_credentials(base, ROLE, Any, Any)
    now[0] = expires_at - assume_role.REFRESH_BEFORE_EXPIRY_SECONDS - 1
    assert assume_role.role_credentials(base, ROLE, Any, Any) is first  # 301 s left: kept
    now[0] += 1
    renewed = assume_role.role_credentials(base, ROLE, Any, Any)

    assert (first.secret_id, renewed.secret_id, len(asked)) == ("role-id-1", "role-id-2", 2)


def test_cold_concurrent_lookups_share_one_assume_role(
    role_on_fake_server: None, backend: CccBackend
) -> None:
    # 8 cold threads once made 8 AssumeRole calls. STS answers late here, so that every
    # thread asks for the role's credentials while the first call is still out.
    backend.faults.inject("latency", times=None, delay=0.3, action="AssumeRole")
    start = threading.Barrier(8)
    answers: list[Any] = []

    def lookup() -> None:
        start.wait()
        answers.append(handler.main_handler(dict(TASK), {"time_limit_in_ms": 5000}))

    threads = [threading.Thread(target=lookup) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.get("task_id") for answer in answers] == [3] * 8
    assert len(backend.calls_to("AssumeRole")) == 1
    assert len({call.secret_id for call in backend.calls_to("DescribeAutoCalloutTask")}) == 1


def test_a_caller_waiting_on_another_s_assume_role_keeps_its_own_deadline(
    role_on_fake_server: None, backend: CccBackend
) -> None:
    # The first caller's AssumeRole takes 0.7 s; a caller with 0.3 s to live waits for it only
    # that long, and answers 504 without asking STS itself (waiting longer, it would have the
    # credentials after its deadline and answer a 504 that blames CCC instead).
    backend.faults.inject("latency", times=1, delay=0.7, action="AssumeRole")
    first: list[Any] = []
    leader = threading.Thread(
        target=lambda: first.append(handler.main_handler(dict(TASK), {"time_limit_in_ms": 5000}))
    )
    leader.start()
    for _ in range(2000):  # until the first caller is asking STS (10 s at most)
        if ROLE in assume_role._flights and assume_role._flights[ROLE].locked():
            break
        threading.Event().wait(0.005)
    else:
        pytest.fail("the first caller never asked STS")

    late = handler.main_handler(dict(TASK), {"time_limit_in_ms": 300})
    leader.join()

    assert late["status"] == 504
    assert "STS was being asked for the role's credentials by another call" in late["detail"]
    assert first[0]["task_id"] == 3
    assert len(backend.calls_to("AssumeRole")) == 1


def _until_asking_sts() -> None:
    """Return once a caller holds the role's AssumeRole (10 s at most)."""
    for _ in range(2000):
        if ROLE in assume_role._flights and assume_role._flights[ROLE].locked():
            return
        threading.Event().wait(0.005)
    pytest.fail("no caller asked STS")


def test_a_caller_whose_role_credentials_are_cached_does_not_wait_on_another_s_assume_role(
    role_on_fake_server: None, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only callers that find no fresh credentials share an AssumeRole. The execution role's
    # credentials rotate while a caller is asking STS for the role under the new ones: a caller
    # still signing with the old ones has the role's credentials cached, and goes on at once.
    assert handler.main_handler(dict(TASK), {"time_limit_in_ms": 5000})["task_id"] == 3
    rotated = backend.add_credentials(
        FakeCredentials("AKIDROTATEDEXECUTIONROLE00000000", "rotated-key", "rotated-token")
    )
    backend.faults.inject("latency", times=1, delay=2.0, action="AssumeRole")
    first: list[Any] = []
    with monkeypatch.context() as rotation:
        rotation.setenv("TENCENTCLOUD_SECRETID", rotated.secret_id)
        rotation.setenv("TENCENTCLOUD_SECRETKEY", rotated.secret_key)
        rotation.setenv("TENCENTCLOUD_SESSIONTOKEN", rotated.token or "")
        leader = threading.Thread(
            target=lambda: first.append(
                handler.main_handler(dict(TASK), {"time_limit_in_ms": 5000})
            )
        )
        leader.start()
        _until_asking_sts()  # with the rotated credentials, read when its lookup began

    cached = handler.main_handler(dict(TASK), {"time_limit_in_ms": 1000})
    leader.join()

    assert cached.get("task_id") == 3, cached
    assert first[0]["task_id"] == 3
    assert _signers(backend, "AssumeRole") == [
        SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"],
        rotated.secret_id,
    ]


def test_credentials_expiring_as_they_are_cached_take_no_other_role_s_place(
    fake_server: FakeCccServer, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache holds MAX_CACHED_ROLES roles, and drops the expired before the oldest: eight
    # roles cached, a ninth whose credentials expire the moment they arrive (the function's clock
    # stopped there) is dropped, and the eight stay. Expired "at" is expired.
    stopped = float(int(time.time()))
    monkeypatch.setattr(assume_role, "time", SimpleNamespace(time=lambda: stopped))
    roles = [f"{ROLE}-{n}" for n in range(assume_role.MAX_CACHED_ROLES + 1)]
    backend.roles.update(roles)
    backend.max_clock_skew = assume_role.DURATION_SECONDS + 60.0
    invocation = Invocation(
        Settings(ccc_endpoint=fake_server.url),
        TokenBucket(0, 1),
        Deadline(time.monotonic() + 5),
        "direct",
        "our-request",
        None,
        time.monotonic(),
        False,
    )
    base = Credentials(*SCF_CREDENTIALS.values())

    def assumed(role: str) -> Credentials:
        return assume_role.role_credentials(base, role, invocation, CallReport())

    first = [assumed(role) for role in roles[:-1]]
    backend.clock = lambda: stopped - assume_role.DURATION_SECONDS  # expires at `stopped`
    assumed(roles[-1])
    again = [assumed(role) for role in roles[:-1]]

    assert again == first  # all eight from the cache
    assert len(backend.calls_to("AssumeRole")) == len(roles)


def test_with_ccc_at_an_endpoint_off_this_machine_sts_is_asked_at_its_own_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only the local fake answers STS at CCC's address; a CCC_ENDPOINT elsewhere is CCC's alone,
    # and the role's credentials come from STS's public host. Looking an address up is the
    # first thing an attempt does: recorded here and answered "no such name", so that nothing
    # leaves this machine.
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        asked.append((host, port))
        raise socket.gaierror(socket.EAI_NONAME, "not looked up in the tests")

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("CCC_ENDPOINT", "https://ccc.example.invalid")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    body = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})

    assert body["status"] == 502
    assert asked
    assert set(asked) == {("sts.tencentcloudapi.com", 443)}


@pytest.mark.parametrize("field", ["Token", "TmpSecretId", "TmpSecretKey"])
def test_sts_credentials_with_a_line_break_are_refused_showing_none_of_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    # Given an STS answering credentials one of which holds a line break (once sent as a header,
    # refused by the HTTP stack with the value quoted: into the log, retried as a network error)
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    issued = {"Token": "tok-1", "TmpSecretId": "AKIDtmp1", "TmpSecretKey": "key-1"}
    issued[field] = "leaked-1\nX-Injected: 1"
    body = {"Response": {"Credentials": issued, "ExpiredTime": 2_000_000_000, "RequestId": "s"}}
    with RudeUpstream(answer(json.dumps(body).encode())) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        # When a lookup needs the role
        answered = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})
    # Then it is the role that cannot be had, said once, and nothing of the value shows
    assert answered["status"] == 502
    assert answered["type"] == "urn:autocallout:problem:upstream-auth-failure"
    assert isinstance(answered["detail"], str)
    assert "credentials" in answered["detail"]
    out = capsys.readouterr().out
    assert "leaked-1" not in out + json.dumps(answered)
    [line] = [x for x in log_lines(out) if x["message"] == "invocation"]
    assert line["attempts"] == 1
    assert line["detail"] == answered["detail"]
