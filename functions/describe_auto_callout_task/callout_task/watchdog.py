"""A watchdog that ends an upstream attempt at its deadline, whatever the upstream does.

A socket timeout bounds each read, not the call: an upstream that trickles its headers or its
body a byte at a time, or never stops sending, resets it with every byte. So every attempt runs
under a ``Watch``: each HTTP connection the attempt uses hands itself to the watch
(``adopt``), and when the deadline comes one process-wide thread shuts those connections'
sockets down (``shutdown(SHUT_RDWR)``). A read blocked on such a socket returns at once, so the
attempt fails right there and its caller sees that the watch ``fired``.

The thread sleeps until the earliest armed deadline; arming and disarming is a lock and a set,
so an attempt that ends in time costs next to nothing.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol


class _Connection(Protocol):
    sock: Any  # a socket while connected, else None


class Watch:
    """One attempt: its deadline (``time.monotonic()``), its connections, whether it fired."""

    __slots__ = ("_connections", "_lock", "at", "fired")

    def __init__(self, at: float) -> None:
        self.at = at
        self.fired = False
        self._connections: list[_Connection] = []
        self._lock = threading.Lock()

    def adopt(self, connection: _Connection) -> None:
        """Shut ``connection`` down at the deadline; at once if the deadline has passed."""
        with self._lock:
            if self.fired:
                _shut(connection)
            elif connection not in self._connections:
                self._connections.append(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for connection in self._connections:
                _shut(connection)


def _shut(connection: _Connection) -> None:
    import socket  # here, not at the top: off the cold path (only a deadline that fires needs it)

    sock = connection.sock
    if sock is None:
        return
    # The plain socket's shutdown, also for a TLS socket: it wakes a read blocked in another
    # thread without touching the TLS state that thread is using. OSError: closed meanwhile.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._armed: set[Watch] = set()
        self._wakes_at = math.inf
        self._thread: threading.Thread | None = None

    def arm(self, watch: Watch) -> None:
        with self._condition:
            self._armed.add(watch)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="callout-watchdog", daemon=True
                )
                self._thread.start()
            if watch.at < self._wakes_at:
                self._condition.notify()

    def disarm(self, watch: Watch) -> None:
        with self._condition:
            self._armed.discard(watch)

    def _run(self) -> None:
        """Fire the watches that are due, then sleep until the next is due or one is armed."""
        with self._condition:
            while True:
                self._condition.wait(self._fire_due(time.monotonic()))

    def _fire_due(self, now: float) -> float | None:
        """Fire and drop the watches due by ``now``; the seconds until the next one is due, None
        while none is armed (then only ``arm`` wakes the thread)."""
        for watch in [watch for watch in self._armed if watch.at <= now]:
            self._armed.discard(watch)
            watch.fire()
        self._wakes_at = min((watch.at for watch in self._armed), default=math.inf)
        return None if self._wakes_at == math.inf else self._wakes_at - now


_watchdog = _Watchdog()
_current = threading.local()


@contextlib.contextmanager
def watching(at: float) -> Iterator[Watch]:
    """Run the body as one attempt under a watch that fires at ``at`` (``time.monotonic()``)."""
    watch = Watch(at)
    _current.watch = watch
    _watchdog.arm(watch)
    try:
        yield watch
    finally:
        _watchdog.disarm(watch)
        _current.watch = None


def adopt(connection: _Connection) -> None:
    """Put ``connection`` under the watch of the attempt running in this thread, if any."""
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.adopt(connection)
