"""Just enough of the Redis protocol (RESP2) to run one script, bounded by a hard time limit.

The limiter needs one command, EVAL, on one connection per thread. A general client (redis-py)
costs 100-300 ms of imports on a cold start, ships 2.8 MB, and bounds each socket operation
separately (with retries) rather than the exchange as a whole; docs/benchmarks.md has the
figures. Here every exchange, connecting included, ends by the time it is given. The commands
a new connection needs (AUTH, SELECT) go first, in one write, and their replies are read before
the script is sent: Redis runs a pipelined command whatever became of the one before it, so a
script sent with them would run unauthenticated or on database 0 when they fail. One round trip
per check once connected.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    import socket

DEFAULT_PORT = 6379
# The script answers a number, AUTH and SELECT "+OK", a refusal one line of text: a reply longer
# than this (a generous bound: scripts may return text) is not read on, so that another server
# at the address cannot make the instance buffer what it likes.
MAX_REPLY_BYTES = 1024 * 1024
# What a StoreError quotes of a reply (it goes into a log line).
QUOTED_CHARACTERS = 200


class StoreError(Exception):
    """Redis could not be reached, was too slow, or refused the command (the reason is the text)."""


class _DroppedWhileIdle(StoreError):
    """The server closed the connection before a byte of the reply."""


class RedisAddress(NamedTuple):
    host: str
    port: int
    db: int
    tls: bool
    username: str | None
    password: str | None

    def __repr__(self) -> str:  # settings may be printed: never with the password
        scheme = "rediss" if self.tls else "redis"
        return f"RedisAddress({scheme}://{self.host}:{self.port}/{self.db})"


def parse_redis_url(url: str) -> RedisAddress:
    """``redis://[user:password@]host[:port][/db]`` or ``rediss://`` (TLS); ValueError if not."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("must start with redis:// or rediss://")
    # An unencoded / ? # in a password ends the host early: the rest looks like a path, a
    # query or no host at all. Messages never quote those parts, which may hold the password.
    encode = " (a / ? or # in a password must be percent-encoded)"
    if not parts.hostname:
        raise ValueError("names no host" + encode)
    try:
        port = DEFAULT_PORT if parts.port is None else parts.port
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError("has a port that is not a number from 1 to 65535" + encode)
    path = parts.path.strip("/")
    if path and not (path.isascii() and path.isdigit()):
        raise ValueError("has a database that is not a number" + encode)
    if parts.query or parts.fragment:
        raise ValueError("may not carry a query or fragment" + encode)
    return RedisAddress(
        host=parts.hostname,
        port=port,
        db=int(path or 0),
        tls=parts.scheme == "rediss",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def encode_command(*arguments: str | bytes | int) -> bytes:
    chunks = [b"*%d\r\n" % len(arguments)]
    for argument in arguments:
        data = argument if isinstance(argument, bytes) else str(argument).encode()
        chunks.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(chunks)


class RedisConnection:
    """One connection, opened on first use and dropped on any failure (the next call reopens);
    one the server closed while it sat idle is reopened at once, within the same deadline."""

    def __init__(self, address: RedisAddress, password: str | None = None) -> None:
        self.address = address
        self._password = password if password is not None else address.password
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._received = False  # whether any of the current reply has come

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._buffer = b""

    def call(self, *command: str | bytes | int, timeout: float) -> int | bytes | None:
        """The reply to ``command``, within ``timeout`` seconds all told; raises StoreError."""
        ends = time.monotonic() + timeout
        try:
            if self._sock is not None:
                try:
                    return self._exchange(command, ends)
                except _DroppedWhileIdle:
                    # Redis's `timeout`, a restart or a NAT dropped it between invocations; the
                    # command was not run (not a byte of reply came): once more, on a new one.
                    self.close()
            return self._exchange(command, ends)
        except StoreError:
            self.close()
            raise
        except (OSError, ValueError) as error:
            self.close()
            reason = "timed out" if isinstance(error, TimeoutError) else str(error)
            raise StoreError(reason or type(error).__name__) from None

    def _exchange(self, command: tuple[str | bytes | int, ...], ends: float) -> int | bytes | None:
        reused = self._sock is not None
        setup = [] if reused else self._open(ends)
        self._received = False
        try:
            if setup:  # AUTH / SELECT answered before the command is sent (see above)
                self._send(b"".join(setup), ends)
                for _ in setup:
                    self._reply(ends)
            self._send(encode_command(*command), ends)
            return self._reply(ends)
        except (ConnectionResetError, BrokenPipeError, _DroppedWhileIdle) as error:
            if reused and not self._received:
                raise _DroppedWhileIdle from None  # call() opens a new one: no text shown
            raise StoreError(str(error) or "Redis closed the connection") from None

    def _open(self, ends: float) -> list[bytes]:
        """Connect; the commands a new connection owes the server before anything else."""
        import socket  # on first connect: a function without Redis never loads it

        address = self.address
        sock = socket.create_connection((address.host, address.port), _left(ends))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if address.tls:
            import ssl  # only for rediss://: ssl costs milliseconds the cold path avoids

            from callout_task.ca_store import trust_system_store

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies chain and host name
            trust_system_store(context)
            sock.settimeout(_left(ends))
            sock = context.wrap_socket(sock, server_hostname=address.host)
        self._sock = sock
        setup = []
        if self._password is not None:
            user = (address.username,) if address.username else ()
            setup.append(encode_command("AUTH", *user, self._password))
        if address.db:
            setup.append(encode_command("SELECT", address.db))
        return setup

    def _connected(self, ends: float) -> socket.socket:
        """The open socket, its timeout set to what is left of the exchange."""
        if self._sock is None:
            raise StoreError("not connected")
        self._sock.settimeout(_left(ends))
        return self._sock

    def _send(self, data: bytes, ends: float) -> None:
        self._connected(ends).sendall(data)

    def _line(self, ends: float) -> bytes:
        while b"\r\n" not in self._buffer:
            if len(self._buffer) > MAX_REPLY_BYTES:
                raise StoreError(f"a reply line longer than {MAX_REPLY_BYTES} bytes")
            self._fill(ends)
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line

    def _fill(self, ends: float) -> None:
        chunk = self._connected(ends).recv(65536)
        if not chunk:
            raise _DroppedWhileIdle("Redis closed the connection")
        self._received = True
        self._buffer += chunk

    def _reply(self, ends: float) -> int | bytes | None:
        line = self._line(ends)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise StoreError(f"Redis answered {_quoted(rest)}")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            if size > MAX_REPLY_BYTES:
                raise StoreError(f"a reply of {size} bytes, more than {MAX_REPLY_BYTES} bytes")
            while len(self._buffer) < size + 2:
                self._fill(ends)
            data, self._buffer = self._buffer[:size], self._buffer[size + 2 :]
            return data
        raise StoreError(f"unexpected Redis reply {line[:40]!r}")


def _quoted(text: bytes) -> str:
    shown = text[:QUOTED_CHARACTERS].decode(errors="replace")
    return shown + "…" if len(text) > QUOTED_CHARACTERS else shown


def _left(ends: float) -> float:
    left = ends - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left
