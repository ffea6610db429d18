"""No cyclic garbage collection while CCC's answer is parsed and normalised.

A task of 100 000 callees is some 300 000 new containers, none of them garbage; the collector
would scan them again and again as they pile up (a third of the time at that size). Nothing
there builds reference cycles, so reference counting frees it all as usual. The pause covers
only that CPU work, never network I/O or a sleep, so a collection is never held off for long.

The collector is process-wide and the local server runs invocations on several threads: the
first thread in switches it off, the last one out switches it back on (if it was on).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextlib.contextmanager
def paused() -> Iterator[None]:
    global _holders, _was_enabled  # noqa: PLW0603 - one collector per process
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
