"""CCC_ROLE_ARN at its edges (callout_task.assume_role): which region STS is asked in, an STS
answer without credentials, no time left to call STS, forgetting credentials already gone, STS
on the local fake's loopback endpoint, and cold concurrent callers sharing one AssumeRole.

STS is played by a loopback server that answers what a test scripts (``RudeUpstream``, at a
loopback CCC_ENDPOINT, which STS calls go to as well; those lookups never get to CCC), or by
the fake CCC's server, which answers STS too."""

from __future__ import annotations

import gc
import json
import threading
import warnings
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from callout_task import assume_role, handler
from callout_task.credentials import Credentials

from autocallout.fake_ccc import CccBackend, FakeCccServer
from tests.function.answers import log_lines
from tests.function.rude_upstream import RudeUpstream, answer
from tests.seeded import ROLE, TASK


@pytest.fixture
def sts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    """STS answering AssumeRole without credentials; the headers of the requests it got."""
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    body = {"Response": {"ExpiredTime": 2_000_000_000, "RequestId": "sts-1"}}
    with RudeUpstream(answer(json.dumps(body).encode())) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        yield server.heads


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
    assume_role._cache.clear()
    assume_role.forget(ROLE, Credentials("AKIDbase", "key", None))
    assert len(assume_role._cache) == 0


def test_with_ccc_on_a_loopback_endpoint_sts_is_asked_there_in_its_scheme(
    fake_server: FakeCccServer, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The local fake serves plain HTTP: STS asked over HTTPS there would never answer.
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("CCC_ENDPOINT", fake_server.url)
    backend.roles.add(ROLE)

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
    fake_server: FakeCccServer, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 8 cold threads once made 8 AssumeRole calls. STS answers late here, so that every
    # thread asks for the role's credentials while the first call is still out.
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("CCC_ENDPOINT", fake_server.url)
    backend.roles.add(ROLE)
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
    fake_server: FakeCccServer, backend: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first caller's AssumeRole takes a second; a caller with 0.3 s to live waits for it
    # only that long, and answers 504 without asking STS itself.
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("CCC_ENDPOINT", fake_server.url)
    backend.roles.add(ROLE)
    backend.faults.inject("latency", times=1, delay=1.0, action="AssumeRole")
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
    out = capsys.readouterr().out
    assert "leaked-1" not in out + json.dumps(answered)
    [line] = [x for x in log_lines(out) if x["message"] == "invocation"]
    assert line["attempts"] == 1
