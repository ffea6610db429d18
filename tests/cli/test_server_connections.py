"""The local doors, `serve` and `fake-ccc`, as servers: a burst of clients, silent connections,
and request lines with terminal control characters in what they print."""

from __future__ import annotations

import contextlib
import selectors
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from autocallout.fake_ccc import FakeCccServer
from autocallout.fake_ccc.server import LoopbackHTTPServer
from autocallout.local_server import LocalFunctionServer
from tests.cli.commands import AUTOCALLOUT, clean_environment
from tests.paths import REPO

BURST = 64  # more than socketserver's default backlog of 5 lets wait in the accept queue
ESCAPED_PATH = b"/\x1b[2J\x1b]0;owned\x07\x9b31m"


def _function_server(idle_timeout: float = 30.0) -> LoopbackHTTPServer:
    def answer(event: Any, context: Any) -> Any:
        return {"statusCode": 404, "headers": {}, "body": ""}

    return LocalFunctionServer(
        ("127.0.0.1", 0), "function-url", answer, idle_timeout=idle_timeout, log=lambda _: None
    )


def _fake_server(idle_timeout: float = 30.0) -> LoopbackHTTPServer:
    server: LoopbackHTTPServer = FakeCccServer(idle_timeout=idle_timeout)._server
    return server


SERVERS: dict[str, Callable[..., LoopbackHTTPServer]] = {
    "serve": _function_server,
    "fake-ccc": _fake_server,
}


@contextlib.contextmanager
def _serving(server: LoopbackHTTPServer) -> Iterator[tuple[str, int]]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("make", SERVERS.values(), ids=SERVERS.keys())
def test_a_burst_of_connections_waits_in_the_accept_queue(
    make: Callable[..., LoopbackHTTPServer],
) -> None:
    # Given a server that listens but has not accepted anything yet (a busy accept loop)
    server = make()
    clients = [socket.socket() for _ in range(BURST)]
    selector = selectors.DefaultSelector()
    try:
        # When a burst of clients connects at once
        for client in clients:
            client.setblocking(False)
            client.connect_ex(server.server_address[:2])
            selector.register(client, selectors.EVENT_WRITE)
        connected = 0
        # Then the kernel completes every handshake: none is dropped for a full queue and left
        # to retransmit its SYN a second later (the wait is only a bound on a failing run)
        while connected < BURST:
            ready = selector.select(timeout=5)
            if not ready:
                break
            for key, _ in ready:
                selector.unregister(key.fileobj)
                connected += key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0  # type: ignore[union-attr]
        assert connected == BURST
    finally:
        selector.close()
        for client in clients:
            client.close()
        server.server_close()


@pytest.mark.parametrize(
    "sent",
    [
        b"GET /?SdkAppId=1 HTT",  # half a request line
        b"GET / HTTP/1.1\r\nHost: x\r\n",  # headers that never end
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}",  # a body that stops
    ],
    ids=["request-line", "headers", "body"],
)
@pytest.mark.parametrize("make", SERVERS.values(), ids=SERVERS.keys())
def test_a_connection_that_goes_silent_is_closed(
    make: Callable[..., LoopbackHTTPServer], sent: bytes
) -> None:
    with _serving(make(idle_timeout=0.2)) as address, socket.create_connection(address) as client:
        client.sendall(sent)
        client.settimeout(30)  # a bound for a failing run: before the fix it waited forever
        # the server closes it (its handler's thread ends) without an answer
        assert client.recv(1024) == b""


@pytest.mark.parametrize(
    "make", [LocalFunctionServer.__init__, FakeCccServer.__init__], ids=SERVERS.keys()
)
def test_the_silence_allowed_by_default_is_bounded(make: Callable[..., None]) -> None:
    import inspect

    default = inspect.signature(make).parameters["idle_timeout"].default
    assert 1 <= default <= 60


def _printed_for(command: list[str], stream: str) -> str:
    """Run COMMAND (whose first stdout line names its URL after ' on '), send one request with
    ESC, BEL and a C1 CSI in its path, stop it, and return what it printed on STREAM."""
    process = subprocess.Popen(
        [AUTOCALLOUT, *command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=clean_environment(),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        url = first.split(" on ", 1)[1].split()[0].rstrip(",")
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=30) as client:
            client.sendall(
                b"GET " + ESCAPED_PATH + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            while client.recv(65536):
                pass
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    return (err if stream == "stderr" else out).decode("utf-8", "replace")


@pytest.mark.parametrize(
    "command", [["serve"], ["fake-ccc", "--verbose"]], ids=["serve", "fake-ccc"]
)
def test_control_characters_of_a_request_are_printed_escaped(command: list[str]) -> None:
    printed = _printed_for(command, "stderr")

    assert "\\x1b[2J\\x1b]0;owned\\x07" in printed
    assert not any(char in printed for char in "\x1b\x07\x9b")
