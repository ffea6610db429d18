"""The rate limit in front of CCC and STS (RATE_LIMIT_QPS, RATE_LIMIT_BURST): every attempt to
call either one takes a token first, retries included.

A limiter answers one question per attempt, ``take()``; ``acquire`` decides what to do when the
answer is "not yet": a timer run waits for the token within its deadline (nobody could act on
a Retry-After), an HTTP or direct caller is answered 429 with ``Retry-After`` at once.

``TokenBucket`` is the per-instance limiter; ``shared_rate_limit.SharedRateLimit`` keeps one
budget for every instance in Redis and falls back to a ``TokenBucket`` when Redis fails.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

from callout_task.deadline import Deadline
from callout_task.problems import RateLimited

# An attempt needs at least this long; waiting for a token that leaves less is pointless.
MIN_ATTEMPT_SECONDS = 0.1


class Limiter(Protocol):
    def take(self, time_left: float | None = None) -> float:
        """Take one token: 0.0 when taken; otherwise the seconds until one will be there
        (nothing taken). ``time_left`` is the invocation's: a store may not wait longer on
        itself than a share of it."""
        ...  # pragma: no cover - a protocol


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self, time_left: float | None = None) -> float:
        if self.rate <= 0:
            return 0.0  # RATE_LIMIT_QPS=0 switches the local limit off
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


def acquire(limiter: Limiter, deadline: Deadline, wait: bool) -> None:
    """Take a token for one attempt, waiting for it (``wait``) only while the deadline allows;
    raises RateLimited (429, with the seconds to wait) when the attempt may not be made."""
    while True:
        needed = limiter.take(deadline.remaining())
        if needed <= 0:
            return
        if not wait or deadline.remaining() - needed < MIN_ATTEMPT_SECONDS:
            raise RateLimited(
                "This function's rate limit was reached; retry after the indicated time.",
                retry_after=retry_after_seconds(needed),
            )
        time.sleep(needed)


def retry_after_seconds(wait: float) -> int:
    """``Retry-After`` is whole seconds; never 0, which would invite an immediate retry."""
    return max(1, math.ceil(wait))
