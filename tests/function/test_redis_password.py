"""Reading the Redis password from SSM: which region is asked, within what time, and what
counts as a password (anything else is a StoreError, and the limit falls back)."""

from __future__ import annotations

import gc
import json
import threading
import time
import warnings
from typing import Any

import pytest
from callout_task.config import load_settings
from callout_task.redis_password import read_redis_password
from callout_task.redis_wire import StoreError
from callout_task.shared_rate_limit import limiter_for

from autocallout.fake_ccc import CccBackend
from autocallout.fake_ccc.mock import tencent_hosts_at
from autocallout.redis_server import RedisServer
from tests.function.rude_upstream import RudeUpstream, answer, silent, trickle_headers
from tests.function.scenarios import CREDENTIAL_VARIABLES, REDIS_PASSWORD

SECRET = ("callout-redis", "v1")


def _ssm(body: Any, content_type: str = "application/json") -> RudeUpstream:
    """A loopback server answering ``body`` to every request (``heads``: their headers)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return RudeUpstream(answer(raw, content_type=content_type))


@pytest.mark.parametrize(
    ("function_region", "ccc_region", "asked"),
    [
        ("ap-beijing", "ap-shanghai", "ap-beijing"),  # SCF's: where the secret lives
        (None, "ap-shanghai", "ap-shanghai"),  # outside SCF: CCC_REGION
        (None, "", "ap-guangzhou"),  # neither: the default region
    ],
)
def test_the_secret_is_asked_of_the_functions_region_else_cccs_else_the_default(
    monkeypatch: pytest.MonkeyPatch,
    function_region: str | None,
    ccc_region: str,
    asked: str,
) -> None:
    if function_region is None:
        monkeypatch.delenv("TENCENTCLOUD_REGION", raising=False)
    else:
        monkeypatch.setenv("TENCENTCLOUD_REGION", function_region)
    ssm = _ssm({"Response": {"SecretString": "pw", "RequestId": "r-1"}})
    with ssm, tencent_hosts_at(ssm.url):
        assert read_redis_password(SECRET, ccc_region, timeout=2.0) == "pw"
    [request] = ssm.heads
    assert request["x-tc-region"] == asked
    assert (request["host"], request["x-tc-action"]) == (
        "ssm.tencentcloudapi.com",
        "GetSecretValue",
    )


def test_the_shared_limit_connects_with_the_password_of_its_secret_read_in_ccc_s_region(
    guarded_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a deployment outside SCF (no TENCENTCLOUD_REGION) whose Redis password is a secret
    monkeypatch.delenv("TENCENTCLOUD_REGION", raising=False)
    settings = load_settings(
        {
            "RATE_LIMIT_REDIS_URL": guarded_redis.url,
            "RATE_LIMIT_REDIS_PASSWORD_SECRET": "callout-redis:v1",
            "CCC_REGION": "ap-shanghai",
            "RATE_LIMIT_QPS": "10",
            "RATE_LIMIT_BURST": "5",
        }
    )
    ssm = _ssm({"Response": {"SecretString": REDIS_PASSWORD, "RequestId": "r-1"}})
    with ssm, tencent_hosts_at(ssm.url):
        # When an instance spends the burst
        limit = limiter_for(settings)
        assert [limit.take(time_left=3.0) for _ in range(5)] == [0.0] * 5
        # Then it was spent in Redis (which requires the password): another instance has none
        assert limiter_for(settings).take(time_left=3.0) > 0
    # And the secret was asked of CCC's region, once per instance
    assert [request["x-tc-region"] for request in ssm.heads] == ["ap-shanghai"] * 2


# The secret asked is the one named, name and version both: the fake keeps another version and
# another name beside it, and answers only the (SecretName, VersionId) it is sent.
@pytest.mark.parametrize(
    "asked", [("callout-redis", "v2"), ("redis-prod", "v1"), ("redis-prod", "2026-12")]
)
def test_the_password_is_the_secret_of_the_name_and_version_given(
    ccc: CccBackend, asked: tuple[str, str]
) -> None:
    for other in [("callout-redis", "v1"), ("callout-redis", "v2"), ("redis-prod", "v1")]:
        ccc.secrets[other] = f"not this one: {other}"
    ccc.secrets[asked] = "the one asked"

    assert read_redis_password(asked, "ap-guangzhou", timeout=2.0) == "the one asked"
    [call] = ccc.calls_to("GetSecretValue")
    assert call.params == {"SecretName": asked[0], "VersionId": asked[1]}


def test_the_connection_to_ssm_is_closed_once_the_password_is_read() -> None:
    # One read, one endpoint: its kept-alive connection was left for the garbage collector to
    # close (an unclosed-socket ResourceWarning), for as long as anything held the endpoint.
    gc.collect()  # what earlier tests left is not this test's
    ssm = _ssm({"Response": {"SecretString": "pw", "RequestId": "r-1"}})
    with ssm, tencent_hosts_at(ssm.url), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        assert read_redis_password(SECRET, "", timeout=2.0) == "pw"
        gc.collect()

    assert [str(warning.message) for warning in caught] == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", {"Response": {"SecretString": "", "RequestId": "r-1"}}),
        ("application/json", {"Response": {"SecretString": 42, "RequestId": "r-1"}}),
        # a JSON array under a content type the SDK does not check for errors (a proxy's)
        ("text/html", b'["not", "an", "object"]'),
    ],
)
def test_an_answer_without_a_password_in_it_is_a_store_error_naming_the_secret(
    content_type: str, body: Any
) -> None:
    ssm = _ssm(body, content_type)
    with ssm, tencent_hosts_at(ssm.url), pytest.raises(StoreError, match="callout-redis:v1"):
        read_redis_password(SECRET, "ap-guangzhou", timeout=2.0)
    assert ssm.requests == 1


def test_without_credentials_the_password_is_not_asked_for_and_the_error_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    ssm = _ssm({"Response": {"SecretString": "pw"}})
    with ssm, tencent_hosts_at(ssm.url), pytest.raises(StoreError, match="credentials"):
        read_redis_password(SECRET, "ap-guangzhou", timeout=2.0)
    assert ssm.requests == 0


def test_an_ssm_that_never_answers_is_given_up_on_after_the_time_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given SSM behind a proxy that takes the request and never answers
    with RudeUpstream(silent()) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        outcome: list[BaseException | str] = []

        def read() -> None:
            try:
                outcome.append(read_redis_password(SECRET, "ap-guangzhou", timeout=0.3))
            except BaseException as error:  # handed to the test, which judges it
                outcome.append(error)

        # When the password is read with 0.3 s allowed
        started = time.monotonic()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(3.0)
        took = time.monotonic() - started
    # Then the read gives up with a StoreError well before the SDK's own minute
    assert outcome, "still reading after 3 s"
    assert isinstance(outcome[0], StoreError)
    assert took < 2.0


def test_an_ssm_that_trickles_is_given_up_on_at_the_time_allowed_for_the_whole_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given SSM behind a proxy that answers the tunnel's CONNECT a byte every 0.05 s for 5 s:
    # every socket read returns in time, so only a bound on the whole read ends it.
    with RudeUpstream(trickle_headers(0.05)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        started = time.monotonic()
        # When the password is read with 0.4 s allowed
        with pytest.raises(StoreError, match="DeadlineReached"):
            read_redis_password(SECRET, "ap-guangzhou", timeout=0.4)
        took = time.monotonic() - started
    # Then it is given up at that time (and a loaded machine's scheduling), not when the peer
    # stops 5 s later
    assert took < 0.4 + 2.0
