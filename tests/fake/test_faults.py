"""Faults injected on demand reach the SDK the way real upstream failures do."""

from __future__ import annotations

import json
import time

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from autocallout.fake_ccc import Fault
from tests.fake.modes import Fake
from tests.seeded import TASK


def _call(fake: Fake, timeout: int = 10) -> dict[str, object]:
    return json.loads(fake.client(timeout=timeout).call("DescribeAutoCalloutTask", TASK))


def _failure(fake: Fake, timeout: int = 10) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as caught:
        _call(fake, timeout)
    return caught.value


def test_throttling_the_next_two_calls_lets_the_third_through(fake: Fake) -> None:
    fake.backend.faults.throttle(times=2)

    codes = [_failure(fake).code, _failure(fake).code]

    assert codes == ["RequestLimitExceeded", "RequestLimitExceeded"]
    assert _call(fake)["Response"]
    assert [call.error_code for call in fake.backend.calls] == [
        "RequestLimitExceeded",
        "RequestLimitExceeded",
        None,
    ]


def test_a_fault_without_a_count_lasts_until_cleared(fake: Fake) -> None:
    fake.backend.faults.throttle(times=None)
    assert {_failure(fake).code for _ in range(3)} == {"RequestLimitExceeded"}

    fake.backend.faults.clear()
    assert _call(fake)["Response"]


@pytest.mark.parametrize("code", ["InternalError.DBError", "ServiceUnavailable", "FailedOperation"])
def test_any_error_code_can_be_injected(fake: Fake, code: str) -> None:
    fake.backend.faults.error(code)
    failure = _failure(fake)
    assert failure.code == code
    assert failure.requestId


def test_a_non_200_status_is_a_server_network_error(fake: Fake) -> None:
    fake.backend.faults.inject("status", status=503)
    assert _failure(fake).code == "ServerNetworkError"


def test_a_truncated_body_cannot_be_parsed(fake: Fake) -> None:
    fake.backend.faults.inject("truncated")
    with pytest.raises(json.JSONDecodeError):
        # The SDK's raw call parses the body to look for an error and lets the decoder's error out.
        _call(fake)


def test_a_non_json_body_reaches_the_caller_as_is(fake: Fake) -> None:
    fake.backend.faults.inject("not_json")
    body = fake.client().call("DescribeAutoCalloutTask", TASK)
    assert body.startswith(b"<html>")


def test_a_reset_connection_is_a_client_network_error(fake: Fake) -> None:
    fake.backend.faults.inject("reset")
    assert _failure(fake).code == "ClientNetworkError"


def test_latency_delays_the_answer(fake: Fake) -> None:
    fake.backend.faults.inject("latency", delay=0.3)
    started = time.monotonic()
    assert _call(fake)["Response"]
    assert time.monotonic() - started >= 0.3


def test_latency_beyond_the_client_timeout_is_a_timeout(fake: Fake) -> None:
    fake.backend.faults.inject("latency", delay=2.5)
    failure = _failure(fake, timeout=1)
    assert failure.code == "ClientNetworkError"
    assert "timed out" in str(failure.message).lower()


def test_a_fault_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault.from_dict({"kind": "meteor"})
