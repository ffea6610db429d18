"""The Redis wire at its edges: every kind of reply read whole, the URL's user, password and
database all reaching the server, and servers that stall, trickle, hang up or are not Redis.

A real redis-server where the point is what Redis does; a scripted loopback server where it is
what a broken one does (one Redis would never do on purpose).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from callout_task.redis_wire import (
    MAX_REPLY_BYTES,
    RedisConnection,
    StoreError,
    encode_command,
    parse_redis_url,
)

from autocallout.redis_server import RedisServer
from tests.function.rude_upstream import unanswered_connect
from tests.function.scenarios import REDIS_PASSWORD as PASSWORD
from tests.function.scripted_redis import CLOSE, HANG_UP, RESET, Chunk, ScriptedServer

T = TypeVar("T")


def _connection(server: RedisServer) -> RedisConnection:
    return RedisConnection(parse_redis_url(server.url), PASSWORD)


def _within(seconds: float, work: Callable[[], T]) -> BaseException | T:
    """What ``work`` returned or raised, failing the test if it takes longer than ``seconds``
    (in a daemon thread, so that a call without a bound fails the test instead of hanging it)."""
    outcome: list[BaseException | T] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the test, which judges it
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still waiting after {seconds} s"
    return outcome[0]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "rediss://app:hunter2@cache.internal:6380/2",
            "RedisAddress(rediss://cache.internal:6380/2)",
        ),
        ("redis://:hunter2@10.0.0.5", "RedisAddress(redis://10.0.0.5:6379/0)"),
    ],
)
def test_a_redis_address_shows_whether_it_is_tls_where_and_which_database_never_the_password(
    url: str, shown: str
) -> None:
    assert repr(parse_redis_url(url)) == shown


@pytest.mark.parametrize(
    ("url", "tls"),
    [
        ("rediss://cache.internal", True),
        ("REDISS://cache.internal", True),  # a scheme is read in any case: TLS all the same
        ("Rediss://:pw@cache.internal:6380/1", True),
        ("redis://cache.internal", False),
        ("redis://rediss.internal", False),  # "rediss" elsewhere in the URL asks for nothing
        ("redis://:rediss@cache.internal", False),
        ("redis://cache.internal/0?rediss", None),  # refused: a query
    ],
)
def test_tls_is_asked_by_the_rediss_scheme_alone_in_any_case(url: str, tls: bool | None) -> None:
    if tls is None:
        with pytest.raises(ValueError, match="query"):
            parse_redis_url(url)
    else:
        assert parse_redis_url(url).tls is tls


@pytest.mark.parametrize(
    "url", ["rediss+x://cache.internal", "xredis://cache.internal", "redi://h"]
)
def test_a_scheme_that_only_resembles_redis_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="must start with redis:// or rediss://"):
        parse_redis_url(url)


def test_a_database_path_is_digits_only() -> None:
    # "/X" is no database number (and no "X" is ever taken for a slash)
    with pytest.raises(ValueError, match="database that is not a number"):
        parse_redis_url("redis://10.0.0.5/X")


def test_a_command_is_one_resp_array_of_bulk_strings_bytes_passed_as_they_are() -> None:
    assert encode_command("ECHO", b"\xff\x00", 7) == (
        b"*3\r\n$4\r\nECHO\r\n$2\r\n\xff\x00\r\n$1\r\n7\r\n"
    )


def test_the_urls_user_password_and_database_all_reach_the_server(
    guarded_redis: RedisServer,
) -> None:
    # Given an ACL user of its own (TencentDB for Redis's "account@password" is this too)
    admin = _connection(guarded_redis)
    assert admin.call("ACL", "SETUSER", "app", "on", ">app-pass", "~*", "+@all", timeout=5)
    # When a connection is made as that user, on database 2
    address = parse_redis_url(f"redis://app:app-pass@127.0.0.1:{guarded_redis.port}/2")
    connection = RedisConnection(address)
    info = connection.call("CLIENT", "INFO", timeout=5)
    # Then the server knows it as that user, on that database
    assert isinstance(info, bytes)
    assert b" user=app " in info
    assert b" db=2 " in info


def test_every_kind_of_reply_is_read_whole_and_leaves_nothing_for_the_next(
    guarded_redis: RedisServer,
) -> None:
    connection = _connection(guarded_redis)
    big = 200_000  # several reads of the socket

    def script(source: str) -> int | bytes | None:
        return connection.call("EVAL", source, 0, timeout=5)

    replies = [
        script("return ''"),
        connection.call("PING", timeout=5),
        script("return 'abc'"),
        connection.call("PING", timeout=5),
        script("return false"),
        script("return 7"),
        script(f"return string.rep('x', {big})"),
        connection.call("PING", timeout=5),
    ]
    assert replies == [b"", b"PONG", b"abc", b"PONG", None, 7, b"x" * big, b"PONG"]


def test_an_error_reply_is_reported_whole_whatever_its_bytes_and_the_connection_goes_on(
    guarded_redis: RedisServer,
) -> None:
    connection = _connection(guarded_redis)
    reason = b"\xff" + b" not UTF-8, and longer than forty bytes by some way" * 2
    # When Redis answers with an error (here one a script raised, with bytes that are not UTF-8)
    with pytest.raises(StoreError) as refused:
        connection.call("EVAL", "return redis.error_reply(ARGV[1])", 0, reason, timeout=5)
    # Then the StoreError (what the degradation warning logs) carries all of its text
    assert reason[1:].decode() in str(refused.value)
    # And the next call, on a new connection, is answered
    assert connection.call("PING", timeout=5) == b"PONG"


@pytest.mark.parametrize(
    ("size", "quoted"), [(4, 4), (199, 199), (200, 200), (201, 200), (300, 200)]
)
def test_an_error_reply_is_quoted_whole_to_200_characters_and_beyond_them_cut_with_an_ellipsis(
    size: int, quoted: int
) -> None:
    said = b"ERR " + b"x" * (size - 4)  # a wrong server may say anything, at length
    server = ScriptedServer([(0.0, b"-" + said + b"\r\n")])
    with server, pytest.raises(StoreError) as refused:
        RedisConnection(parse_redis_url(server.url)).call("PING", timeout=5)
    cut = "…" if quoted < size else ""
    assert str(refused.value) == "Redis answered " + said[:quoted].decode() + cut


def test_a_reply_line_of_the_bound_s_length_is_read_and_one_byte_longer_is_refused() -> None:
    # Each line arrives whole before its CRLF, which comes a moment later: the bound is checked
    # on what was read so far while the line has not ended
    bound = b"+" + b"x" * (MAX_REPLY_BYTES - 1)  # MAX_REPLY_BYTES bytes with its "+"
    longer = b"+" + b"x" * MAX_REPLY_BYTES
    with ScriptedServer([(0.0, bound), (0.5, b"\r\n")]) as server:
        reply = RedisConnection(parse_redis_url(server.url)).call("PING", timeout=5)
    assert reply == b"x" * (MAX_REPLY_BYTES - 1)
    with (
        ScriptedServer([(0.0, longer), (0.5, b"\r\n")]) as server,
        pytest.raises(StoreError, match=f"^a reply line longer than {MAX_REPLY_BYTES} bytes$"),
    ):
        RedisConnection(parse_redis_url(server.url)).call("PING", timeout=5)


def test_a_bulk_reply_of_the_bound_s_size_is_read_and_one_byte_bigger_is_refused() -> None:
    bound = b"$%d\r\n%s\r\n" % (MAX_REPLY_BYTES, b"x" * MAX_REPLY_BYTES)
    with ScriptedServer([(0.0, bound)]) as server:
        reply = RedisConnection(parse_redis_url(server.url)).call("GET", "k", timeout=5)
    assert reply == b"x" * MAX_REPLY_BYTES
    bigger = b"$%d\r\n" % (MAX_REPLY_BYTES + 1)  # refused on its size, before its bytes
    said = f"^a reply of {MAX_REPLY_BYTES + 1} bytes, more than {MAX_REPLY_BYTES} bytes$"
    with ScriptedServer([(0.0, bigger)]) as server, pytest.raises(StoreError, match=said):
        RedisConnection(parse_redis_url(server.url)).call("GET", "k", timeout=5)


def test_a_bulk_reply_arriving_in_pieces_is_read_to_its_end() -> None:
    pieces = [(0.0, b"$10\r\n0123"), (0.05, b"4567"), (0.05, b"89\r\n")]
    with ScriptedServer(pieces, [(0.0, b"+PONG\r\n")]) as server:
        connection = RedisConnection(parse_redis_url(server.url))
        assert connection.call("GET", "k", timeout=5) == b"0123456789"
        assert connection.call("PING", timeout=5) == b"PONG"


def test_a_server_that_is_not_redis_is_named_by_the_first_forty_bytes_it_said() -> None:
    # Given a URL that points at something else (here, an HTTP server)
    line = b"HTTP/1.1 400 Bad Request - this is no Redis server, not at all"
    # When a command is sent, Then the error quotes what came back, bounded at 40 bytes
    server = ScriptedServer([(0.0, line + b"\r\n\r\n")])
    with server, pytest.raises(StoreError) as refused:
        RedisConnection(parse_redis_url(server.url)).call("PING", timeout=5)
    assert repr(line[:40]) in str(refused.value)
    assert repr(line[:41]) not in str(refused.value)


@pytest.mark.parametrize(("answer", "reported"), [(HANG_UP, "closed"), (RESET, "reset")])
def test_a_server_that_hangs_up_without_a_reply_is_reported_as_such(
    answer: list[Chunk], reported: str
) -> None:
    with ScriptedServer(answer) as server, pytest.raises(StoreError) as refused:
        RedisConnection(parse_redis_url(server.url)).call("PING", timeout=5)
    assert reported in str(refused.value)


def test_a_reply_trickling_in_is_cut_off_at_the_calls_time_not_per_read() -> None:
    # Given a server that sends its reply a byte every 50 ms (each read finds something)
    trickle = [(0.05, bytes([byte])) for byte in b"$30\r\n" + b"x" * 30 + b"\r\n"]
    with ScriptedServer(trickle) as server:
        connection = RedisConnection(parse_redis_url(server.url))
        started = time.monotonic()
        # When the call is given 0.3 s, Then it gives up after those, not when the reply is whole
        outcome = _within(3.0, lambda: connection.call("GET", "k", timeout=0.3))
        took = time.monotonic() - started
    assert isinstance(outcome, StoreError)
    assert "timed out" in str(outcome)
    assert took < 1.2  # loose for a loaded machine; a bound per read would take 1.85 s


def test_a_connect_that_is_never_answered_ends_at_the_calls_time() -> None:
    with unanswered_connect() as http_url:
        url = http_url.replace("http://", "redis://")
        connection = RedisConnection(parse_redis_url(url))
        outcome = _within(2.0, lambda: connection.call("PING", timeout=0.3))
    assert isinstance(outcome, StoreError)


def test_a_tls_handshake_that_is_never_answered_ends_at_the_calls_time() -> None:
    # Given a port that accepts connections (the kernel does) and never says a word
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        connection = RedisConnection(parse_redis_url(f"rediss://127.0.0.1:{port}"))
        # When a call is given 0.3 s, Then the handshake gives up with it
        outcome = _within(2.0, lambda: connection.call("PING", timeout=0.3))
    assert isinstance(outcome, StoreError)


def test_a_call_with_no_time_left_fails_as_timed_out_without_connecting() -> None:
    with unanswered_connect() as http_url:
        connection = RedisConnection(parse_redis_url(http_url.replace("http://", "redis://")))
        with pytest.raises(StoreError, match=r"^timed out$"):
            connection.call("PING", timeout=0.0)


def test_one_connection_serves_call_after_call() -> None:
    pong = [(0.0, b"+PONG\r\n")]
    with ScriptedServer(pong, pong, pong) as server:
        connection = RedisConnection(parse_redis_url(server.url))
        assert [connection.call("PING", timeout=5) for _ in range(3)] == [b"PONG"] * 3
    assert server.connections == 1


def test_a_reply_cut_off_midway_is_an_error_and_the_command_is_not_sent_again() -> None:
    # Given a connection in use, whose server dies halfway through its next reply
    pong = [(0.0, b"+PONG\r\n")]
    with ScriptedServer(pong, [(0.0, b"$10\r\n01234"), (0.01, CLOSE)], pong) as server:
        connection = RedisConnection(parse_redis_url(server.url))
        assert connection.call("PING", timeout=5) == b"PONG"
        # When the reply is cut off, Then the call fails: the command may have run, so it is
        # not run again on a new connection (only one dropped before any reply is)
        with pytest.raises(StoreError, match="closed"):
            connection.call("EVAL", "return 'ran twice?'", 0, timeout=5)
    assert server.commands == 2
