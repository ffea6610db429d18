"""The watchdog (callout_task.watchdog) on its own: what it fires, when, and what it leaves alone.

The rude upstream tests (test_rude_upstream.py) show the whole: an attempt ends at its deadline
whatever the network does. These pin the parts in milliseconds: a watch fires at its time and
shuts the sockets its attempt adopted, a fired watch is done with, and the thread sleeps until
the next watch is due or, with none armed, until one is.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from callout_task import watchdog


class _Connection:
    """What the watch needs of an http.client connection: its socket."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    ours.settimeout(2)
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_watch_fires_at_its_time_and_shuts_the_socket_its_attempt_adopted(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, _ = pair
    at = time.monotonic() + 0.05
    with watchdog.watching(at) as watch:
        watchdog.adopt(_Connection(ours))
        # A read blocked on the socket (an upstream that holds its answer back) returns at the
        # deadline: the watch shut the socket down.
        assert ours.recv(1) == b""
        ended = time.monotonic()
    assert watch.fired
    assert at <= ended < at + 0.5


def test_a_connection_adopted_after_the_watch_fired_is_shut_at_once(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, _ = pair
    with watchdog.watching(time.monotonic() - 1) as watch:
        deadline = time.monotonic() + 2
        while not watch.fired and time.monotonic() < deadline:
            time.sleep(0.001)
        watchdog.adopt(_Connection(ours))
        assert ours.recv(1) == b""
    assert watch.fired


def test_a_watch_that_ended_in_time_never_fires(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, theirs = pair
    # 0.25 s: a thread preempted on a loaded machine must not reach the deadline before the
    # watch is disarmed (with 0.03 s, a 30 ms pause between arm and disarm failed the test).
    with watchdog.watching(time.monotonic() + 0.25) as watch:
        watchdog.adopt(_Connection(ours))
    time.sleep(0.35)
    assert not watch.fired
    theirs.sendall(b"x")
    assert ours.recv(1) == b"x"


def test_outside_an_attempt_a_connection_is_left_alone(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    # A thread that never ran an attempt (the local server starts one per invocation) has no
    # watch: its connections are nobody's to shut, and adopting them is no error.
    ours, theirs = pair
    errors: list[BaseException] = []

    def use() -> None:
        try:
            watchdog.adopt(_Connection(ours))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert errors == []
    theirs.sendall(b"x")
    assert ours.recv(1) == b"x"


def test_a_watch_armed_while_the_thread_sleeps_for_a_later_one_fires_at_its_own_time(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    # A watchdog of this test's own, so that its thread starts here (the process-wide one was
    # started by whichever test armed a watch first). It sleeps until the earliest watch armed
    # is due: a watch due sooner, armed meanwhile, wakes it, and is fired at its own time.
    ours, _ = pair
    dog = watchdog._Watchdog()
    late = watchdog.Watch(time.monotonic() + 60)
    dog.arm(late)
    asleep_until = time.monotonic() + 2
    while dog._wakes_at != late.at and time.monotonic() < asleep_until:
        time.sleep(0.001)
    soon = watchdog.Watch(time.monotonic() + 0.05)
    soon.adopt(_Connection(ours))
    try:
        dog.arm(soon)
        # Blocked until the watch shuts the socket down; a watch never fired: socket timeout.
        assert ours.recv(1) == b""
    finally:
        dog.disarm(late)
    assert soon.fired
    assert not late.fired


# The thread's one turn, called directly with a clock value: due is due at its time exactly.
def test_a_watch_due_now_fires_and_is_dropped_and_the_thread_then_sleeps_until_armed() -> None:
    dog = watchdog._Watchdog()
    watch = watchdog.Watch(at=100.0)
    dog._armed.add(watch)

    assert dog._fire_due(now=100.0) is None  # nothing left armed: sleep until arm() wakes it
    assert watch.fired
    # Fired once, not again on every turn (a thread spinning on a watch already fired).
    watch.fired = False
    assert dog._fire_due(now=100.5) is None
    assert not watch.fired


def test_the_thread_sleeps_exactly_until_the_earliest_armed_watch_is_due() -> None:
    dog = watchdog._Watchdog()
    early, late = watchdog.Watch(at=100.25), watchdog.Watch(at=103.0)
    dog._armed.update((early, late))

    assert dog._fire_due(now=100.0) == 0.25
    assert not early.fired
    assert dog._fire_due(now=100.25) == 2.75
    assert early.fired
    assert not late.fired


def test_with_nothing_armed_the_thread_sleeps_until_a_watch_is_armed() -> None:
    assert watchdog._Watchdog()._fire_due(now=100.0) is None


def test_a_socket_closed_before_the_deadline_is_no_error_when_the_watch_fires(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, _ = pair
    closed = socket.socket()
    closed.close()
    watch = watchdog.Watch(at=0.0)
    watch.adopt(_Connection(closed))  # http.client closed it meanwhile
    watch.adopt(_Connection(None))  # not connected yet
    watch.adopt(_Connection(ours))

    watch.fire()

    assert ours.recv(1) == b""


def test_the_watchdog_is_one_daemon_thread_that_never_holds_the_interpreter_open() -> None:
    with watchdog.watching(time.monotonic() + 60):
        pass
    thread = watchdog._watchdog._thread
    with watchdog.watching(time.monotonic() + 60):
        pass
    assert watchdog._watchdog._thread is thread  # not one per attempt
    assert thread is not None
    assert (thread.name, thread.daemon, thread.is_alive()) == ("callout-watchdog", True, True)
