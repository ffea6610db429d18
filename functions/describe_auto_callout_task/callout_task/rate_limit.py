"""The per-instance token bucket in front of CCC (RATE_LIMIT_QPS, RATE_LIMIT_BURST).

An SCF instance serves one request at a time, so with reserved concurrency N and RATE_LIMIT_QPS
= total / N the account never sends CCC more than the total (infra/ computes the split).
"""

from __future__ import annotations

import math
import threading
import time


class TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 when a token was taken; otherwise the seconds until one will be there."""
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


def retry_after_seconds(wait: float) -> int:
    """``Retry-After`` is whole seconds; never 0, which would invite an immediate retry."""
    return max(1, math.ceil(wait))
