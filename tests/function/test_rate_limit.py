"""The instance's own rate limit (RATE_LIMIT_QPS, RATE_LIMIT_BURST): the bucket and the token
every attempt to CCC and every STS call takes, retries included; waiting for a token or a 429.

``rate_limit`` and ``deadline`` read ``time`` through their module globals, so the tests given a
``clock`` give them one of their own (monotonic and sleep): the waits are exact, and no test
sleeps. The shared limit on Redis is test_shared_rate_limit.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from callout_task import deadline, rate_limit
from callout_task.deadline import Deadline
from callout_task.problems import RateLimited
from callout_task.rate_limit import TokenBucket, acquire

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

# RATE_LIMIT_QPS is set so low by ``burst_of`` (0.001) that no token comes back within a test:
# the burst is all there is.
Burst = Callable[[int], None]


@pytest.fixture
def burst_of(monkeypatch: pytest.MonkeyPatch) -> Burst:
    def set_burst(tokens: int) -> None:
        monkeypatch.setenv("RATE_LIMIT_QPS", "0.001")
        monkeypatch.setenv("RATE_LIMIT_BURST", str(tokens))

    return set_burst


@dataclass
class Clock:
    """Stands for the ``time`` module in ``rate_limit``: sleeping moves it on."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(rate_limit, "time", fake)
    monkeypatch.setattr(deadline, "time", fake)  # the invocation's deadline, on the same clock
    return fake


def test_the_bucket_refills_at_its_rate_up_to_its_burst_and_says_how_long_to_wait(
    clock: Clock,
) -> None:
    # Given 2 tokens a second, bursts of 3
    bucket = TokenBucket(2.0, 3)
    # When the burst is spent at once, Then the next call is told half a second
    assert [bucket.take() for _ in range(3)] == [0.0] * 3
    assert bucket.take() == pytest.approx(0.5)
    # And a quarter of a second later, half a token is back: a quarter of a second to go
    clock.now += 0.25
    assert bucket.take() == pytest.approx(0.25)
    clock.now += 0.25
    assert bucket.take() == 0.0
    # And after a long quiet spell, no more than the burst is there
    clock.now += 3600
    assert [bucket.take() for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(0.5)]


def test_a_burst_of_one_lets_exactly_one_call_through(clock: Clock) -> None:
    bucket = TokenBucket(1.0, 1)
    assert bucket.take() == 0.0
    assert bucket.take() == pytest.approx(1.0)


def test_a_rate_of_zero_switches_the_bucket_off(clock: Clock) -> None:
    # RATE_LIMIT_QPS=0 (its burst is then 1): every call goes, however many
    bucket = TokenBucket(0.0, 1)
    assert [bucket.take() for _ in range(5)] == [0.0] * 5


def test_without_a_token_a_caller_who_cannot_wait_is_refused_at_once_with_a_whole_second(
    clock: Clock,
) -> None:
    # Given a bucket whose only token is spent (the next in a tenth of a second)
    bucket = TokenBucket(10.0, 1)
    until = Deadline(clock.now + 3.0)
    acquire(bucket, until, wait=False)
    # When an HTTP caller asks again, Then it is refused, told to retry after 1 s (never 0 or 2)
    with pytest.raises(RateLimited) as refused:
        acquire(bucket, until, wait=False)
    assert refused.value.retry_after == 1
    assert clock.slept == []


def test_a_timer_run_waits_for_the_token_when_its_deadline_allows(clock: Clock) -> None:
    bucket = TokenBucket(10.0, 1)
    until = Deadline(clock.now + 3.0)
    acquire(bucket, until, wait=True)
    # When the next attempt needs a token, Then the run waits the tenth of a second and goes
    acquire(bucket, until, wait=True)
    assert clock.slept == [pytest.approx(0.1)]


def test_a_timer_run_does_not_wait_for_a_token_that_would_leave_no_time_for_the_attempt(
    clock: Clock,
) -> None:
    # Given a token a second away, and half a second left
    bucket = TokenBucket(1.0, 1)
    until = Deadline(clock.now + 0.5)
    acquire(bucket, until, wait=True)
    # When the next attempt asks, Then it is refused now rather than after the deadline
    with pytest.raises(RateLimited) as refused:
        acquire(bucket, until, wait=True)
    assert refused.value.retry_after == 1
    assert clock.slept == []


@pytest.mark.parametrize(("wait", "expected"), [(0.001, 1), (1.0, 1), (1.2, 2), (59.5, 60)])
def test_retry_after_is_the_wait_rounded_up_to_whole_seconds_never_zero(
    wait: float, expected: int
) -> None:
    assert rate_limit.retry_after_seconds(wait) == expected


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


@pytest.mark.parametrize("code", ["RequestLimitExceeded", "InternalError"])
def test_a_retry_the_rate_limit_has_no_token_for_is_its_429_naming_what_ccc_answered(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst, code: str
) -> None:
    # Given one token, and CCC failing the one attempt it pays for with a retryable code
    burst_of(1)
    ccc.faults.error(code)

    body = invoke(dict(TASK))

    # Then the answer is this limit's 429 (its Retry-After says when a token is there), and it
    # says what CCC answered: an operator would otherwise look at the limit alone
    assert len(ccc.calls) == 1
    assert (body["status"], body["type"]) == (429, "urn:autocallout:problem:rate-limited")
    assert body["upstream_code"] == code
    assert body["upstream_request_id"] == ccc.calls[0].request_id
    assert f"The last CCC attempt failed ({code})" in body["detail"]
    assert body["retry_after"] >= 1


def test_ccc_s_words_on_an_attempt_whose_retry_has_no_token_are_logged_masked_never_answered(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one token, and CCC failing the attempt it pays for in words naming a callee
    burst_of(1)
    ccc.faults.error("InternalError", message="no route to 13800130001", times=None)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    [line] = [
        line for line in log_lines(capsys.readouterr().out) if line["message"] == "invocation"
    ]

    # Then the answer says only the code; the log line has CCC's words, the number masked
    assert response["statusCode"] == 429
    assert "no route" not in response["body"]
    assert (line["status"], line["upstream_code"]) == (429, "InternalError")
    assert line["detail"].endswith("(upstream: no route to *******0001)")
    assert "13800130001" not in line["detail"]


def test_the_function_s_own_429_before_any_attempt_names_no_upstream_answer(
    invoke: Invoke, ccc: CccBackend, burst_of: Burst
) -> None:
    burst_of(1)
    invoke(dict(TASK))

    body = invoke(dict(TASK))

    assert len(ccc.calls) == 1
    assert body["type"] == "urn:autocallout:problem:rate-limited"
    assert "upstream_code" not in body
    assert (
        body["detail"] == "This function's rate limit was reached; retry after the indicated time."
    )


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


def test_the_local_rate_limit_asks_for_one_second_when_the_wait_is_shorter(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A token every 0.5 s: the second lookup comes well within it, even on a loaded machine
    # (at 10 a second, a first lookup slower than 0.1 s left a token for the second).
    monkeypatch.setenv("RATE_LIMIT_QPS", "2")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")
    assert invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))["statusCode"] == 200
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "1"
