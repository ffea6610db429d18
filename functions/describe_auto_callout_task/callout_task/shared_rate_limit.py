"""One rate limit for every instance of the deployment, kept in Redis (RATE_LIMIT_REDIS_URL).

The algorithm is GCRA, the Generic Cell Rate Algorithm (ITU-T I.371; the form used here is the
one of Brandur Leach's redis-cell and throttled): one key holds the theoretical arrival time
(TAT) of the next call, and a call is let through when it does not come more than ``burst``
intervals early. That is a token bucket of ``burst`` tokens refilled at ``rate`` per second, so
in any t seconds at most ``burst + rate * t`` calls pass, whichever instances make them. One
script answers in one round trip: 0 (go), or how long until the next call may go. The clock is
Redis's own, so the instances' clocks never need to agree.

When Redis fails (down, slow, refusing the password) the check fails open to the instance's own
bucket of the same rate: the function keeps answering, CCC's own limit is the backstop, and the
degradation is logged once per instance per minute (docs/security.md says why).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from callout_task import logs
from callout_task.config import Settings
from callout_task.rate_limit import Limiter, TokenBucket
from callout_task.redis_password import read_redis_password
from callout_task.redis_wire import (
    QUOTED_CHARACTERS,
    RedisAddress,
    RedisConnection,
    StoreError,
)

# KEYS[1] holds the TAT in microseconds of Redis's clock; ARGV: interval (µs), burst.
GCRA_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local interval = tonumber(ARGV[1])
local tolerance = interval * tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
-- Never further ahead than a full burst, which is as far as this script moves it: more means
-- Redis's clock went back (a failover to a replica behind the old primary, a clock stepped
-- back), and kept, it would refuse every instance's calls for that long.
if tat > now + tolerance then tat = now + tolerance end
local wait = tat + interval - tolerance - now
if wait > 0 then return math.ceil(wait) end
local expires = math.ceil((tat + interval - now) / 1000) + 1
redis.call('SET', KEYS[1], string.format('%.0f', tat + interval), 'PX', expires)
return 0
"""

DEGRADED_LOG_INTERVAL_SECONDS = 60.0
# After a failure the store is left alone this long, so a dead or slow Redis costs one slice
# per instance per interval, not one per call.
STORE_RETRY_SECONDS = 5.0
# A check never takes more than this share of the time the invocation has left.
DEADLINE_SHARE = 0.1
# Reading the password from SSM (once per instance, over HTTPS) may take longer than a check.
SECRET_READ_SECONDS = 1.0
SECRET_READ_SHARE = 0.2


class SharedRateLimit:
    """``take()`` as TokenBucket's, but the bucket is shared through Redis."""

    def __init__(
        self,
        address: RedisAddress,
        key: str,
        rate: float,
        burst: int,
        timeout: float,
        password: Callable[[float], str] | None = None,
    ) -> None:
        self.address = address
        self.key = key
        self.rate = rate
        self.burst = burst
        self.timeout = timeout
        self.fallback = TokenBucket(rate, burst)
        self._password = password
        self._interval_us = str(round(1_000_000 / rate)) if rate > 0 else "0"
        self._longest_wait_us = int(self._interval_us)
        self._local = threading.local()  # one connection per thread (the local server has many)
        self._lock = threading.Lock()
        self._store_down_until = 0.0
        self._last_warning: float | None = None

    def take(self, time_left: float | None = None) -> float:
        """0 when the call may go; otherwise the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        slice_ = self.timeout
        if time_left is not None:
            slice_ = min(slice_, time_left * DEADLINE_SHARE)
        if time.monotonic() < self._store_down_until or slice_ <= 0:
            return self.fallback.take()
        try:
            reply = self._connection(time_left).call(
                "EVAL", GCRA_SCRIPT, 1, self.key, self._interval_us, self.burst, timeout=slice_
            )
        except StoreError as error:
            self._degrade(str(error))
            return self.fallback.take()
        if not isinstance(reply, int) or reply < 0:
            shown = repr(reply[:QUOTED_CHARACTERS] if isinstance(reply, bytes) else reply)
            self._degrade(f"the script answered {shown}")
            return self.fallback.take()
        if reply > self._longest_wait_us:
            # GCRA never asks for more than one interval: a longer wait is not this script's
            # answer (another server at the address, another script under the key), and
            # believed, it would refuse every caller for that long.
            self._degrade(
                f"the script answered a wait of {reply} µs, more than the {self._longest_wait_us}"
                " µs one call at this rate can need"
            )
            return self.fallback.take()
        if reply == 0:
            # The local bucket follows this instance's own calls, so that a failover starts
            # from where the instance stands rather than with a full burst.
            self.fallback.take()
        return reply / 1_000_000

    def _connection(self, time_left: float | None) -> RedisConnection:
        connection: RedisConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            password = None
            if self._password is not None:
                limit = SECRET_READ_SECONDS
                if time_left is not None:
                    limit = min(limit, time_left * SECRET_READ_SHARE)
                password = self._password(limit)
            connection = RedisConnection(self.address, password)
            self._local.connection = connection
        return connection

    def _degrade(self, reason: str) -> None:
        now = time.monotonic()
        self._local.connection = None  # a password read afresh, a new connection, next time
        with self._lock:
            self._store_down_until = now + STORE_RETRY_SECONDS
            if (
                self._last_warning is not None
                and now - self._last_warning < DEGRADED_LOG_INTERVAL_SECONDS
            ):
                return
            self._last_warning = now
        logs.emit(
            "WARNING",
            "rate limit store unavailable; this instance uses its own bucket until it is back",
            detail=f"Redis at {self.address.host}:{self.address.port}: {reason}",
        )


def limiter_for(settings: Settings) -> Limiter:
    """The shared limit when RATE_LIMIT_REDIS_URL is set, else this instance's own bucket."""
    if settings.rate_limit_redis is None:
        return TokenBucket(settings.rate_limit_qps, settings.rate_limit_burst)
    return SharedRateLimit(
        settings.rate_limit_redis,
        settings.rate_limit_redis_key,
        settings.rate_limit_qps,
        settings.rate_limit_burst,
        settings.rate_limit_redis_timeout_seconds,
        password=_secret_reader(settings),
    )


def _secret_reader(settings: Settings) -> Callable[[float], str] | None:
    secret = settings.rate_limit_redis_password_secret
    if secret is None:
        return None
    return lambda timeout: read_redis_password(secret, settings.ccc_region, timeout)
