"""One budget for every instance, on a real redis-server: counts and bounds, never timings.

The processes and the server share a loaded machine, so each bound below is one the limiter
must meet whatever the scheduling: at most ``burst + qps * span`` calls reach CCC in any span,
the budget is used (at least 90 %), a caller below the limit is never refused, and a dead or
frozen Redis costs a bounded slice of the invocation, never the answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from callout_task import handler
from callout_task.config import DEFAULT_REDIS_KEY
from callout_task.redis_wire import RedisConnection, parse_redis_url
from callout_task.shared_rate_limit import SharedRateLimit

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer
from autocallout.redis_server import RedisServer, redis_server_binary
from tests.function.answers import log_lines
from tests.function.scenarios import REDIS_PASSWORD, SCF_CREDENTIALS, Invoke, function_url_get
from tests.infra.tools import require_tool

QPS = 10
BURST = 10
HAMMER_SECONDS = 10.0
PROCESSES = 4
DEGRADED = "rate limit store unavailable"
HAMMER = Path(__file__).with_name("rate_limit_hammer.py")


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary) as server:
        yield server


def _shared_limit(
    monkeypatch: pytest.MonkeyPatch, url: str, timeout: str = "1.0", qps: float = QPS
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", str(qps))
    monkeypatch.setenv("RATE_LIMIT_BURST", str(BURST))
    monkeypatch.setenv("RATE_LIMIT_REDIS_URL", url)
    # Generous on a loaded machine: a check that timed out would fall back to the local bucket.
    monkeypatch.setenv("RATE_LIMIT_REDIS_TIMEOUT_SECONDS", timeout)


def _degradation_lines(output: str) -> list[dict[str, object]]:
    return [line for line in log_lines(output) if str(line["message"]).startswith(DEGRADED)]


def test_processes_hammering_together_stay_within_one_budget_and_use_it(
    redis_server: RedisServer,
) -> None:
    # Given four processes, each an instance with the whole limit, sharing one Redis budget
    backend = CccBackend.seeded(credentials=(DEFAULT_CREDENTIALS,))
    with FakeCccServer(backend) as fake_url:
        env = {
            **os.environ,
            **SCF_CREDENTIALS,
            "CCC_ENDPOINT": fake_url,
            "RATE_LIMIT_QPS": str(QPS),
            "RATE_LIMIT_BURST": str(BURST),
            "RATE_LIMIT_REDIS_URL": redis_server.url,
            "RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "1.0",
            "LOG_LEVEL": "WARNING",  # the degradation line, not one line per invocation
        }
        # When each invokes the function as fast as it answers for ten seconds
        command = [sys.executable, str(HAMMER), str(HAMMER_SECONDS)]
        hammers = [
            subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(PROCESSES)
        ]
        outputs = [hammer.communicate(timeout=300)[0] for hammer in hammers]
        calls = len(backend.calls_to("DescribeAutoCalloutTask"))
    results = [
        json.loads(line.removeprefix("RESULT "))
        for output in outputs
        for line in output.splitlines()
        if line.startswith("RESULT ")
    ]
    assert len(results) == PROCESSES, outputs
    assert not [line for output in outputs for line in _degradation_lines(output)]
    span = max(r["ended"] for r in results) - min(r["started"] for r in results)
    answered = sum(r["statuses"].get("200", 0) for r in results)
    refused = sum(r["statuses"].get("429", 0) for r in results)
    # Then CCC sees no more than the budget allows over the whole run, whatever the processes
    assert calls <= QPS * span + BURST, (calls, span)
    # And at least 90 % of what ten seconds allow: the budget is used, not wasted
    assert calls >= 0.9 * (QPS * HAMMER_SECONDS + BURST), (calls, span)
    # And every call the limit let through was answered, every other one refused with 429
    assert answered == calls
    assert refused > calls  # they really did hammer


def test_a_sequential_caller_at_three_quarters_of_the_limit_is_never_refused(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, invoke: Invoke
) -> None:
    # Given the shared limit of QPS calls a second
    _shared_limit(monkeypatch, redis_server.url)
    rate = 0.75 * QPS
    calls = 30
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    # When one caller asks on a schedule of 75 % of it (late calls catch up, as a loop would)
    for number in range(calls):
        pause = started + number / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        statuses[invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))["statusCode"]] += 1
    # Then every call is answered
    assert statuses == {200: calls}


def test_without_redis_one_instance_may_use_the_whole_limit(
    monkeypatch: pytest.MonkeyPatch, invoke: Invoke
) -> None:
    # Given no Redis: the instance's own bucket holds the whole limit (infra sets total_qps)
    monkeypatch.setenv("RATE_LIMIT_QPS", str(QPS))
    monkeypatch.setenv("RATE_LIMIT_BURST", str(BURST))
    # When one caller sends the whole burst at once
    statuses = Counter(
        invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))["statusCode"]
        for _ in range(BURST)
    )
    # Then none of it is refused
    assert statuses == {200: BURST}


def test_redis_killed_mid_run_leaves_the_answers_to_the_local_bucket(
    redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Invoke,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the shared limit, used by a few answered calls (refilled too slowly to matter here)
    _shared_limit(monkeypatch, redis_server.url, qps=0.01)
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    before = [invoke(event)["statusCode"] for _ in range(3)]
    capsys.readouterr()
    # When Redis dies and the caller goes on
    redis_server.kill()
    after = [invoke(event)["statusCode"] for _ in range(BURST - 3)]
    after += [invoke(event)["statusCode"] for _ in range(3)]
    output = capsys.readouterr().out
    # Then the answers go on: the local bucket of the same limit, which followed this
    # instance's calls, lets the rest of the burst pass and refuses the calls beyond it
    assert before == [200] * 3
    assert after[: BURST - 3] == [200] * (BURST - 3)
    assert after[BURST - 3 :] == [429] * 3
    # And the degradation is logged once, naming why
    [line] = _degradation_lines(output)
    assert line["level"] == "WARNING"
    assert line["detail"]


def test_a_frozen_redis_costs_one_slice_and_the_invocation_keeps_its_deadline(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, invoke: Invoke
) -> None:
    # Given the shared limit with a 0.2 s slice
    _shared_limit(monkeypatch, redis_server.url, timeout="0.2")
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    assert invoke(event)["statusCode"] == 200
    settings, limiter = handler._configured()
    assert isinstance(limiter, SharedRateLimit)
    fresh = SharedRateLimit(
        limiter.address, limiter.key, limiter.rate, limiter.burst, limiter.timeout
    )
    # When Redis stops answering (the process is frozen: connections open, replies never come)
    redis_server.pause()
    thaw = threading.Timer(10.0, redis_server.resume)  # a limiter that ignored its slice
    thaw.start()  # would wait this long and fail below, instead of hanging the run
    try:
        started = time.monotonic()
        wait = fresh.take(time_left=2.5)
        check_took = time.monotonic() - started
        started = time.monotonic()
        answer = invoke(event, {"time_limit_in_ms": 3000})
        invocation_took = time.monotonic() - started
        started = time.monotonic()
        limiter.take(time_left=2.5)
        next_check_took = time.monotonic() - started
    finally:
        thaw.cancel()
        redis_server.resume()
    # Then a check gives up after its slice (bounded loosely for a loaded machine: without the
    # slice it would wait until the server is thawed) and takes the local bucket's token
    assert wait == 0
    assert check_took < 1.0
    # And the invocation is answered from the local bucket within its three seconds
    assert answer["statusCode"] == 200
    assert invocation_took < 3.0
    # And, the store being known down, the next check does not wait on it at all
    assert next_check_took < settings.rate_limit_redis_timeout_seconds


def test_a_next_call_time_ahead_of_redis_clock_never_asks_for_more_than_one_interval(
    redis_server: RedisServer,
) -> None:
    # Given the budget's next-call time an hour ahead of Redis's clock: what a failover to a
    # replica whose clock is an hour behind the old primary's leaves (or a clock stepped back)
    address = parse_redis_url(redis_server.url)
    limiter = SharedRateLimit(address, "skewed", QPS, BURST, 1.0)
    assert limiter.take(time_left=2.5) == 0
    ahead = (
        "local t = redis.call('TIME')"
        " redis.call('SET', KEYS[1], string.format('%.0f', (t[1] + 3600) * 1000000 + t[2]))"
    )
    RedisConnection(address).call("EVAL", ahead, 1, "skewed", timeout=1.0)
    # When a call asks for a token
    wait = limiter.take(time_left=2.5)
    # Then it waits one interval, as after a burst: not an hour, for every instance
    assert wait == 1 / QPS


def test_a_frozen_redis_costs_a_tenth_of_the_time_the_invocation_has_left(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, invoke: Invoke
) -> None:
    # Given the shared limit allowed a whole second per check, and Redis frozen
    _shared_limit(monkeypatch, redis_server.url, timeout="1.0")
    redis_server.pause()
    thaw = threading.Timer(10.0, redis_server.resume)  # a check that ignored its bound
    thaw.start()  # would wait this long and fail below, instead of hanging the run
    try:
        # When an invocation with two seconds comes
        started = time.monotonic()
        answer = invoke(
            function_url_get(SdkAppId="1400000000", TaskId="3"), {"time_limit_in_ms": 2000}
        )
        took = time.monotonic() - started
    finally:
        thaw.cancel()
        redis_server.resume()
    # Then its check gave up after a tenth of those (0.2 s; loose for a loaded machine), not
    # after its own second, and the local bucket let it through
    assert answer["statusCode"] == 200
    assert took < 0.8


def test_the_redis_password_comes_from_its_ssm_secret(
    guarded_redis: RedisServer, monkeypatch: pytest.MonkeyPatch, ccc: CccBackend, invoke: Invoke
) -> None:
    # Given a Redis that needs a password, kept in an SSM secret the function may read
    ccc.secrets[("callout-redis", "v1")] = REDIS_PASSWORD
    # A token a second: this instance's start (reading the secret from SSM, connecting to Redis)
    # takes far less, even on a loaded machine (at QPS, a start slower than 0.1 s found one).
    _shared_limit(monkeypatch, guarded_redis.url, qps=1)
    monkeypatch.setenv("RATE_LIMIT_REDIS_PASSWORD_SECRET", "callout-redis:v1")
    # And another instance that has spent the whole budget
    other = SharedRateLimit(
        parse_redis_url(guarded_redis.url),
        DEFAULT_REDIS_KEY,
        1,
        BURST,
        1.0,
        password=lambda _: REDIS_PASSWORD,
    )
    assert [other.take() for _ in range(BURST)] == [0.0] * BURST
    # When this instance is asked
    answer = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    # Then it reached the shared budget (with the secret's password) and found it spent
    assert answer["statusCode"] == 429
    assert int(answer["headers"]["Retry-After"]) >= 1


def test_a_secret_that_cannot_be_read_leaves_the_answers_to_the_local_bucket(
    guarded_redis: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
    invoke: Invoke,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a secret SSM does not have
    _shared_limit(monkeypatch, guarded_redis.url)
    monkeypatch.setenv("RATE_LIMIT_REDIS_PASSWORD_SECRET", "callout-redis:missing")
    # When the function is asked
    answer = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    # Then it answers, and says why the shared limit is not in use
    assert answer["statusCode"] == 200
    [line] = _degradation_lines(capsys.readouterr().out)
    assert "callout-redis:missing" in str(line["detail"])
    assert "ResourceNotFound" in str(line["detail"])
