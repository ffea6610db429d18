"""CCC_ROLE_ARN: CCC read with a role assumed through STS, cached (renewed ahead of expiry by a
margin that fits their lifetime), renewed once if refused. One AssumeRole shared by concurrent
callers: test_assume_role_edges (it needs the fake's server, for real threads)."""

from __future__ import annotations

import dataclasses

import pytest
from callout_task import assume_role

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import SCF_CREDENTIALS, Invoke
from tests.seeded import ROLE, TASK


@pytest.fixture(autouse=True)
def role(monkeypatch: pytest.MonkeyPatch, ccc: CccBackend) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    ccc.roles.add(ROLE)
    assume_role._cache.clear()


def _signers(ccc: CccBackend, action: str) -> list[str | None]:
    return [call.secret_id for call in ccc.calls_to(action)]


def test_ccc_is_called_with_the_assumed_roles_credentials(invoke: Invoke, ccc: CccBackend) -> None:
    assert invoke(dict(TASK))["task_id"] == 3

    [sts_signer] = _signers(ccc, "AssumeRole")
    [ccc_signer] = _signers(ccc, "DescribeAutoCalloutTask")
    assert sts_signer == SCF_CREDENTIALS["TENCENTCLOUD_SECRETID"]
    assert ccc_signer is not None
    assert ccc_signer.startswith("AKIDFAKESTS")
    assert ccc.calls_to("AssumeRole")[0].params["RoleArn"] == ROLE


def test_the_role_credentials_are_reused_while_valid(invoke: Invoke, ccc: CccBackend) -> None:
    for _ in range(3):
        assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 1
    assert len(set(_signers(ccc, "DescribeAutoCalloutTask"))) == 1


def test_refused_role_credentials_are_assumed_afresh_once(invoke: Invoke, ccc: CccBackend) -> None:
    invoke(dict(TASK))
    [first] = set(_signers(ccc, "DescribeAutoCalloutTask"))
    assert first is not None
    ccc.credentials[first] = dataclasses.replace(ccc.credentials[first], token="revoked")

    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2
    assert _signers(ccc, "DescribeAutoCalloutTask")[-1] != first


def test_a_token_refused_again_after_renewal_is_a_502(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.error("AuthFailure.TokenFailure", times=None, action="DescribeAutoCalloutTask")
    body = invoke(dict(TASK))
    assert (body["status"], body["upstream_code"]) == (502, "AuthFailure.TokenFailure")
    assert len(ccc.calls_to("AssumeRole")) == 2


def test_a_role_sts_does_not_know_is_a_502_logged_as_misconfiguration(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.roles.clear()
    body = invoke(dict(TASK))
    assert body["status"] == 502
    assert body["upstream_code"] == "ResourceNotFound.RoleNotExist"
    assert ccc.calls_to("DescribeAutoCalloutTask") == []
    assert "misconfiguration" in capsys.readouterr().out


def test_sts_throttled_once_is_retried(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=1, action="AssumeRole")
    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2


def test_sts_throttled_throughout_is_a_429_not_a_misconfiguration(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.throttle(times=None, action="AssumeRole")
    body = invoke(dict(TASK))
    assert (body["status"], body["upstream_code"]) == (429, "RequestLimitExceeded")
    assert len(ccc.calls_to("AssumeRole")) == 3
    assert "misconfiguration" not in capsys.readouterr().out


def test_short_lived_role_credentials_serve_many_lookups(invoke: Invoke, ccc: CccBackend) -> None:
    # An STS that gives 250 s credentials: with a fixed 300 s margin they were stale as issued,
    # and every lookup asked STS again (11 AssumeRole calls for 30 lookups, most of them 429).
    ccc.role_max_seconds = 250
    answers = [invoke(dict(TASK)) for _ in range(15)]  # 16 calls: within the default burst

    assert [answer.get("task_id") for answer in answers] == [3] * 15
    assert len(ccc.calls_to("AssumeRole")) == 1


@pytest.mark.parametrize(
    ("lifetime", "kept"),
    [(7200, 6900), (3600, 3300), (1500, 1200), (250, 200), (10, 8), (0, 0)],
)
def test_role_credentials_are_renewed_300_s_or_a_fifth_of_their_life_before_expiry(
    lifetime: int, kept: float
) -> None:
    issued_at = 1_700_000_000.0
    assert assume_role.renew_at(issued_at, issued_at + lifetime) == issued_at + kept
