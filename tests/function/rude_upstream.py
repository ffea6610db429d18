"""A loopback HTTP server that misbehaves on purpose: the network faults the fake CCC cannot make.

Each request it receives plays the next step of its script (the last step repeats for every
request after it). It speaks just enough HTTP/1.1 for the SDK: it reads one request (headers
and a Content-Length body) and answers as its step says - whole, late, a byte at a time, without
end, or cut off. It checks no signature: the faults are in the transport, not in CCC.

    with RudeUpstream(cut_mid_body(), answer(task_body())) as server:
        ...  # CCC_ENDPOINT=server.url; server.requests counts what reached it, server.heads
             # holds their headers

``unanswered_connect()`` is a port whose connects hang: its listen queue is full, so the kernel
drops the SYNs, as a firewall that drops packets would.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

Step = Callable[[socket.socket, threading.Event], bool]  # True: the connection stays open


def task_body(request_id: str = "rude-0001", **fields: Any) -> bytes:
    """A CCC answer for a task, as CCC encodes it (ASCII, \\u escapes)."""
    response = {"Name": "rude", "State": 1, "Callees": [], **fields, "RequestId": request_id}
    return json.dumps({"Response": response}).encode()


def error_body(code: str, message: str, request_id: str = "rude-err-1") -> bytes:
    return json.dumps(
        {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
    ).encode()


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _wait(stop: threading.Event, seconds: float) -> bool:
    """Sleep; False when the server is stopping."""
    return not stop.wait(seconds)


def answer(
    body: bytes, status: int = 200, delay: float = 0.0, content_type: str = "application/json"
) -> Step:
    def step(conn: socket.socket, stop: threading.Event) -> bool:
        if delay and not _wait(stop, delay):
            return False
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        conn.sendall(_head(status, headers) + body)
        return True

    return step


def redirect(location: str, status: int = 307) -> Step:
    """Sends the client elsewhere (307 keeps the method and the body: the request, resent)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head(status, {"Location": location, "Content-Length": "0"}))
        return True

    return step


def silent() -> Step:
    """Reads the request and never answers."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        stop.wait()
        return False

    return step


# The slow steps finish after LONG_SECONDS: far past any deadline in the tests, and short enough
# that a function without a whole-call deadline shows it by taking that long, not by hanging.
LONG_SECONDS = 5.0


def trickle_headers(interval: float = 0.1) -> Step:
    """The status line, then one byte of a header every ``interval`` for LONG_SECONDS."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        ends = time.monotonic() + LONG_SECONDS
        while time.monotonic() < ends:
            if not _wait(stop, interval):
                return False
            conn.sendall(b"x")
        body = task_body()
        conn.sendall(f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        return True

    return step


def trickle_body(interval: float = 0.1) -> Step:
    """Whole headers, then the body one byte every ``interval``, over LONG_SECONDS at least."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        payload = task_body(padding=" " * int(LONG_SECONDS / interval))
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        conn.sendall(_head(200, headers))
        for position in range(len(payload)):
            if not _wait(stop, interval):
                return False
            conn.sendall(payload[position : position + 1])
        return True

    return step


def endless_body(interval: float = 0.0, most: int = 96 * 2**20) -> Step:
    """A chunked body of 64 KiB chunks, ``interval`` apart, for LONG_SECONDS or ``most`` bytes
    (for the client, a body without end)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        conn.sendall(_head(200, headers) + b"1\r\n{\r\n")
        chunk = b" " * 65536
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        ends, sent = time.monotonic() + LONG_SECONDS, 0
        while time.monotonic() < ends and sent < most and not stop.is_set():
            conn.sendall(framed)
            sent += len(chunk)
            if interval and not _wait(stop, interval):
                return False
        conn.sendall(b"1\r\n}\r\n0\r\n\r\n")
        return True

    return step


def bad_chunk() -> Step:
    """A chunked body whose second chunk size is not hexadecimal."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
        conn.sendall(_head(200, headers) + b"1\r\n{\r\nzz\r\n")
        return False

    return step


def cut_mid_body(reset: bool = False) -> Step:
    """Headers promising 1000 bytes, 100 of them, then the connection closes (or resets)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        headers = {"Content-Type": "application/json", "Content-Length": "1000"}
        conn.sendall(_head(200, headers) + task_body()[:100])
        if reset:  # SO_LINGER 0: close() sends RST instead of FIN
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False

    return step


def _read_request(reader: Any) -> dict[str, str] | None:
    """One request off the connection, its headers (names in lower case); None when the client
    closed it."""
    headers: dict[str, str] = {}
    line = reader.readline()
    if not line:
        return None
    line = reader.readline()
    while line not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
        line = reader.readline()
    length = int(headers.get("content-length", "0"))
    if length:
        reader.read(length)
    return headers


class RudeUpstream:
    def __init__(self, *script: Step) -> None:
        if not script:
            raise ValueError("a script needs at least one step")
        self._script = list(script)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.requests = 0
        self.heads: list[dict[str, str]] = []  # each request's headers, as they came

    @property
    def connections(self) -> int:
        """Connections accepted so far (a kept-alive one serves several requests)."""
        with self._lock:
            return len(self._connections)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _next_step(self) -> Step:
        with self._lock:
            step = self._script[min(self.requests, len(self._script) - 1)]
            self.requests += 1
            return step

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed: stopping
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError), conn.makefile("rb") as reader:
            while not self._stop.is_set():
                head = _read_request(reader)
                if head is None:
                    return
                with self._lock:
                    self.heads.append(head)
                if not self._next_step()(conn, self._stop):
                    return

    def __enter__(self) -> RudeUpstream:
        thread = threading.Thread(target=self._accept, daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close() alone won't)
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)


@contextlib.contextmanager
def unanswered_connect() -> Iterator[str]:
    """``http://127.0.0.1:port`` where a connect waits for an answer that never comes."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    # Fill the accept queue (never accepted); further SYNs are dropped by the kernel.
    for _ in range(2):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for sock in (*fillers, listener):
            sock.close()
