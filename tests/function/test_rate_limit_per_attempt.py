"""Every attempt to CCC, and every STS call, takes a rate-limit token; retries are no exception.

RATE_LIMIT_QPS is set so low here (0.001) that no token comes back within a test: the burst is
all there is.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

Burst = Callable[[int], None]


@pytest.fixture
def burst_of(monkeypatch: pytest.MonkeyPatch) -> Burst:
    def set_burst(tokens: int) -> None:
        monkeypatch.setenv("RATE_LIMIT_QPS", "0.001")
        monkeypatch.setenv("RATE_LIMIT_BURST", str(tokens))

    return set_burst


def test_a_retry_takes_a_token_and_without_one_is_not_made(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst
) -> None:
    burst_of(2)
    ccc.faults.throttle(times=None)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))

    assert len(ccc.calls) == 2  # RETRY_MAX_ATTEMPTS is 3: the third attempt had no token
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"].isdigit()
    assert http_body(response)["type"] == "urn:autocallout:problem:rate-limited"


def test_throttled_callers_cannot_multiply_calls_by_the_retry_count(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst
) -> None:
    burst_of(5)
    ccc.faults.throttle(times=None)

    statuses = [invoke(dict(TASK))["status"] for _ in range(5)]

    assert len(ccc.calls) == 5  # one per token, not 5 requests x 3 attempts
    assert statuses == [429] * 5


def test_an_sts_call_takes_a_token_too(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = "qcs::cam::uin/100000000001:roleName/ccc-reader"
    monkeypatch.setenv("CCC_ROLE_ARN", role)
    ccc.roles.add(role)
    burst_of(1)

    body = invoke(dict(TASK))

    assert body["status"] == 429
    assert len(ccc.calls_to("AssumeRole")) == 1
    assert ccc.calls_to("DescribeAutoCalloutTask") == []
