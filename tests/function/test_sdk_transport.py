"""One attempt over HTTP signed with the SDK's signer (callout_task.sdk_transport): it still fits
the SDK, signs as the SDK's own clients do, and keeps its connection as a kept-alive client
should; and at its edges, against real loopback servers: the size limit to the byte, answers
announced too long or without end, a connect or an answer that outlasts the deadline, proxies,
and TLS that trusts only a certificate for the host it called.

The SDK is used for one thing, ``Sign.sign_tc3``. When a release changes it, a test here fails:
re-read it, check sdk_transport still holds, then update the digest.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import inspect
import json
import os
import re
import resource
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import callout_task
import pytest
from callout_task import assume_role, ca_store, handler, redis_password, sdk_transport, upstream
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from callout_task.sdk_transport import AttemptFailed
from tencentcloud.ccc.v20200210.ccc_client import CccClient
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.sign import Sign

from autocallout.fake_ccc.models import DEFAULT_CREDENTIALS
from autocallout.redis_server import RedisServer
from tests.function.answers import log_lines
from tests.function.rude_upstream import (
    RudeUpstream,
    Step,
    answer,
    task_body,
    trickle_body,
    unanswered_connect,
)
from tests.seeded import TASK

SIGNER_AS_READ = "102d0f2fe9240802"


LIMIT = 1000  # bytes, for the attempts made here directly


def _exchange(url: str, max_bytes: int = LIMIT, seconds: float = 2.0) -> bytes:
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    endpoint = sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials, url)
    deadline = Deadline(time.monotonic() + seconds)
    chunks: list[bytes] = []
    sdk_transport.exchange(
        endpoint, "DescribeAutoCalloutTask", dict(TASK), deadline, max_bytes, chunks.append
    )
    return b"".join(chunks)


def _head(headers: dict[str, str]) -> bytes:
    lines = ["HTTP/1.1 200 OK", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _until_closed(body: bytes) -> Any:
    """An answer without a length: the body ends when the connection does."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head({"Connection": "close"}) + body)
        return False

    return step


def _announced(length: int) -> Any:
    """Headers announcing ``length`` bytes, then nothing until the server stops."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head({"Content-Type": "application/json", "Content-Length": str(length)}))
        stop.wait(5)
        return False

    return step


_PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
)


def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


class _TunnelProxy:
    """A proxy that grants CONNECT, then records what the client sends into the tunnel (the
    start of its TLS handshake) and hangs up: nothing goes further than this machine."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.head = b""
        self.tunnelled = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        conn, _ = self._listener.accept()
        with conn:
            conn.settimeout(5)
            while b"\r\n\r\n" not in self.head:
                data = conn.recv(4096)
                if not data:
                    return
                self.head += data
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.tunnelled = conn.recv(4096)

    def __enter__(self) -> _TunnelProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        self._thread.join(timeout=5)


def _closed_port() -> str:
    """A loopback address where a connect is refused at once."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        return f"http://127.0.0.1:{listener.getsockname()[1]}"


def _trickled(body: bytes, headers: dict[str, str]) -> Any:
    """``headers``, then ``body`` one byte every 0.05 s (at most 2 s)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head(headers))
        for position in range(min(len(body), 40)):
            if stop.wait(0.05):
                return False
            conn.sendall(body[position : position + 1])
        return False

    return step


def _endless_until_closed() -> Any:
    """A body without a length that does not end: 64 KiB a millisecond for 2 s at most."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head({"Connection": "close"}))
        chunk, ends = b" " * 65536, time.monotonic() + 2
        while time.monotonic() < ends and not stop.wait(0.001):
            conn.sendall(chunk)
        return False

    return step


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA of the tests' own (``ca.pem``) and a certificate it signed for the name localhost
    only (``server.pem``, ``server.key``), made with openssl once for this file."""
    directory = tmp_path_factory.mktemp("tls")
    RedisServer._certificates(directory)  # the TLS Redis tests' own
    return directory


@contextlib.contextmanager
def _tls_upstream(
    directory: Path, body: bytes, names: list[str | None] | None = None
) -> Iterator[str]:
    """``https://localhost:port``, with the certificate in ``directory``; it answers ``body`` to
    anyone who completes the handshake. ``names``: the server name each handshake asked for."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    if names is not None:
        context.sni_callback = lambda tls, name, context: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with (
                    contextlib.suppress(OSError),
                    context.wrap_socket(conn, server_side=True) as tls,
                ):
                    tls.settimeout(5)
                    reader = tls.makefile("rb")
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        head += reader.readline()
                    length = re.search(rb"(?i)content-length: *(\d+)", head)
                    reader.read(int(length[1]) if length else 0)
                    tls.sendall(
                        _head({"Content-Length": str(len(body)), "Connection": "close"}) + body
                    )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):  # wakes the accept() it waits in (close alone: not)
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)


def _negative_chunk_then(size: int) -> Any:
    """A chunked body whose second chunk size line is negative, then ``size`` bytes and the close:
    a chunk of no size, which a reader that trusts the line reads to the connection's end."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head({"Transfer-Encoding": "chunked"}) + b"1\r\n{\r\n-1\r\n")
        block = b" " * 65536
        for _ in range(size // len(block)):
            if stop.is_set():
                return False
            conn.sendall(block)
        return False

    return step


def test_the_sdk_s_signer_is_as_it_was_read() -> None:
    digest = hashlib.sha256(inspect.getsource(Sign.sign_tc3).encode()).hexdigest()[:16]
    assert digest == SIGNER_AS_READ, "Sign.sign_tc3 changed: re-read it"


def test_each_service_is_called_with_the_sdk_s_version_of_its_api() -> None:
    assert CccClient._apiVersion == upstream.VERSION
    assert (upstream.SERVICE, upstream.ACTION) == ("ccc", "DescribeAutoCalloutTask")
    assert hasattr(CccClient, upstream.ACTION)
    assert assume_role.STS_VERSION == "2018-08-13"
    assert redis_password.SSM_VERSION == "2019-09-23"


# 22:13:20 UTC: already the next day east of UTC+2, so a date taken in local time differs.
@pytest.mark.usefixtures("machine_time_zone")
@pytest.mark.parametrize("token", ["a-session-token", None])
@pytest.mark.parametrize("region", ["ap-shanghai", ""])
def test_a_request_is_signed_as_the_sdk_s_own_client_signs_it(
    token: str | None, region: str
) -> None:
    credentials = Credentials("AKIDEXAMPLE", "secret-key", token)
    endpoint = sdk_transport.Endpoint("ccc", "2020-02-10", region, credentials)
    params = {"SdkAppId": 1400000000, "TaskId": 3}
    payload = json.dumps(params).encode()
    timestamp = 1_700_000_000

    ours = endpoint.signed_headers("DescribeAutoCalloutTask", payload, timestamp)

    sdk = CommonClient("ccc", "2020-02-10", Credential("AKIDEXAMPLE", "secret-key", token), region)
    request = RequestInternal("ccc.tencentcloudapi.com", "POST", "/")
    original = time.time
    try:
        time.time = lambda: float(timestamp)  # the SDK reads the clock itself
        sdk._build_req_with_tc3_signature("DescribeAutoCalloutTask", params, request)
    finally:
        time.time = original
    assert request.data == payload.decode()
    expected = {k: v for k, v in request.header.items() if k != "X-TC-RequestClient"}
    assert ours == expected


def _answer_then_close(body: bytes) -> Step:
    """A whole answer with its length and no "Connection: close", then the connection closed:
    a server ending an idle kept-alive connection (its idle timeout) right after answering."""
    keep = answer(body)

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        keep(conn, stop)
        return False

    return step


def _exchange_with(endpoint: sdk_transport.Endpoint, seconds: float = 2.0) -> bytes:
    chunks: list[bytes] = []
    deadline = Deadline(time.monotonic() + seconds)
    sdk_transport.exchange(
        endpoint,
        "DescribeAutoCalloutTask",
        {"SdkAppId": 1, "TaskId": 3},
        deadline,
        2**20,
        chunks.append,
    )
    return b"".join(chunks)


def _endpoint(url: str) -> sdk_transport.Endpoint:
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    return sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials, url)


def test_an_endpoint_keeps_its_connection_alive_between_calls() -> None:
    with RudeUpstream(answer(task_body("first")), answer(task_body("second"))) as server:
        endpoint = _endpoint(server.url)
        bodies = [_exchange_with(endpoint), _exchange_with(endpoint)]

    assert bodies == [task_body("first"), task_body("second")]
    assert (server.requests, server.connections) == (2, 1)


def test_a_kept_alive_connection_is_checked_without_waiting_on_it() -> None:
    # Whether the server has dropped it is asked of the socket without blocking: a connection
    # that is fine has nothing to read, and waiting for something would spend the call's time
    # (here all of it: the check would last until the deadline shut the socket).
    with RudeUpstream(answer(task_body("first")), answer(task_body("second"))) as server:
        endpoint = _endpoint(server.url)
        first = _exchange_with(endpoint)
        second = _exchange_with(endpoint, seconds=0.8)

    assert (first, second) == (task_body("first"), task_body("second"))
    assert (server.requests, server.connections) == (2, 1)


def test_a_kept_alive_connection_the_server_has_dropped_is_replaced_before_the_next_call() -> None:
    # Sent on the dropped connection, the request would find it closed: a network error, an
    # attempt (and a rate-limit token) spent on nothing.
    script = (_answer_then_close(task_body("first")), answer(task_body("second")))
    with RudeUpstream(*script) as server:
        endpoint = _endpoint(server.url)
        first = _exchange_with(endpoint)
        time.sleep(0.05)  # the server's FIN arrives
        second = _exchange_with(endpoint)

    assert (first, second) == (task_body("first"), task_body("second"))
    assert (server.requests, server.connections) == (2, 2)


def test_a_dropped_connection_is_replaced_even_on_a_descriptor_select_cannot_watch() -> None:
    # select() watches descriptors below 1024 only; a process with many files open (the local
    # server holding many connections) gets sockets past that. Such a kept-alive connection
    # cannot be checked for the server's end, so it is never trusted: replaced before each call.
    # Room for them where the soft limit on open files is Linux's usual 1024 (CI machines).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        room = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        resource.setrlimit(resource.RLIMIT_NOFILE, (room, hard))
    fillers: list[int] = []
    try:
        fillers.extend(os.open(os.devnull, os.O_RDONLY) for _ in range(1100))
        script = (_answer_then_close(task_body("first")), answer(task_body("second")))
        with RudeUpstream(*script) as server:
            endpoint = _endpoint(server.url)
            first = _exchange_with(endpoint)
            assert endpoint.connection is not None
            assert endpoint.connection.sock.fileno() >= 1024
            time.sleep(0.05)  # the server's FIN arrives
            second = _exchange_with(endpoint)
    finally:
        for descriptor in fillers:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    assert (first, second) == (task_body("first"), task_body("second"))
    assert (server.requests, server.connections) == (2, 2)


def _answer_and_wait_for_the_close(head: bytes, closed: threading.Event) -> Step:
    """``head`` and more body than the client will read, then ``closed`` set once the client
    has closed its end (a FIN, or a reset: the client closed with the body unread)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(head + b"x" * 2 * sdk_transport.BODY_CHUNK_BYTES)
        while not stop.is_set():
            try:
                conn.settimeout(0.05)
                if conn.recv(65536):
                    continue
            except TimeoutError:
                continue
            except ConnectionResetError:
                pass  # closed with the answer unread: a reset, not a FIN
            closed.set()
            return False
        return False

    return step


@pytest.mark.parametrize(
    ("head", "code", "said"),
    [
        (b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\n", "ServerNetworkError", "HTTP 503"),
        (
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/\r\n\r\n",
            "ServerNetworkError",
            "HTTP 302",
        ),
        (b"HTTP/1.0 200 OK\r\n\r\n", "BodyTooLarge", "1024"),
    ],
    ids=["503 ending the connection", "302 without a length", "200 past the limit"],
)
def test_a_failed_answer_s_connection_is_closed_when_the_attempt_ends(
    head: bytes, code: str, said: str
) -> None:
    # An answer that ends its connection has http.client hand the socket over to the answer: a
    # failed attempt that closed only the connection left the socket open for as long as the
    # failure (its traceback holds the answer) lived, or until a garbage collection.
    closed = threading.Event()
    with RudeUpstream(_answer_and_wait_for_the_close(head, closed)) as server:
        endpoint = _endpoint(server.url)
        chunks: list[bytes] = []
        with pytest.raises(sdk_transport.AttemptFailed) as failed:
            sdk_transport.exchange(
                endpoint, "X", {}, Deadline(time.monotonic() + 2.0), 1024, chunks.append
            )
        seen = closed.wait(2.0)

    assert failed.value.code == code
    assert said in failed.value.message  # what the log line says went wrong: the status
    assert seen, "the client's end of the connection is still open"


@pytest.mark.parametrize(
    ("secret_id", "secret_key"), [("", "key"), ("AKID", " key"), ("AKID ", "key"), ("AKID", "")]
)
def test_credentials_the_sdk_would_refuse_are_refused(secret_id: str, secret_key: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names no part of them
        sdk_transport.Endpoint("ccc", "2020-02-10", "", Credentials(secret_id, secret_key))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's own refusal
        Credential(secret_id, secret_key)


@pytest.mark.parametrize("sent", [answer, _until_closed], ids=["with a length", "without"])
def test_an_answer_of_the_limit_is_read_whole_and_one_byte_more_is_refused(sent: Any) -> None:
    body = bytes(range(256)) * (LIMIT // 256) + b"x" * (LIMIT % 256)
    with RudeUpstream(sent(body)) as server:
        assert _exchange(server.url) == body
    with RudeUpstream(sent(body + b"y")) as server, pytest.raises(AttemptFailed) as refused:
        _exchange(server.url)
    assert refused.value.code == "BodyTooLarge"


@pytest.mark.parametrize("sent", [answer, _until_closed], ids=["with a length", "without"])
def test_an_answer_of_many_chunks_is_read_as_sent(sent: Any) -> None:
    size = 3 * sdk_transport.BODY_CHUNK_BYTES + 17
    body = bytes(range(251)) * (size // 251) + b"z" * (size % 251)
    with RudeUpstream(sent(body)) as server:
        assert _exchange(server.url, max_bytes=size) == body


def test_an_answer_announced_longer_than_the_limit_is_refused_before_its_body(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with RudeUpstream(_announced(33 * 2**20)) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        started = time.monotonic()
        result = handler.main_handler(dict(TASK), {"time_limit_in_ms": 2000})
        took = time.monotonic() - started

    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert took < 0.5  # not waited for: the deadline is at 1.85 s
    assert (result["status"], "upstream_code" in result) == (502, False)
    assert (line["attempts"], line["upstream_code"]) == (1, "BodyTooLarge")


def test_a_connect_that_outlasts_the_deadline_ends_at_it_as_a_504(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One attempt: its own failure, not the retries' end, makes the answer.
    monkeypatch.setenv("RETRY_MAX_ATTEMPTS", "1")
    with unanswered_connect() as url:
        monkeypatch.setenv("CCC_ENDPOINT", url)
        started = time.monotonic()
        result = handler.main_handler(dict(TASK), {"time_limit_in_ms": 500})
        took = time.monotonic() - started

    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert took <= 0.5 + 0.2  # the limit, and scheduling on a shared machine
    assert result["status"] == 504
    assert (line["attempts"], line["upstream_code"]) == (1, "DeadlineReached")


def test_a_connect_that_ends_after_the_deadline_gets_no_tls_handshake(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The socket timeout bounds a connect, not the name lookup before it: a slow resolver lets
    # the connect finish after the deadline. Its socket is shut at once, so the TLS handshake
    # with a server that never answers does not wait for the socket timeout on top.
    resolve = socket.getaddrinfo

    def slow_resolver(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.1)
        return resolve(*args, **kwargs)

    monkeypatch.setenv("RETRY_MAX_ATTEMPTS", "1")
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connects, never says a word
        monkeypatch.setenv("CCC_ENDPOINT", f"https://127.0.0.1:{silent.getsockname()[1]}")
        monkeypatch.setattr(socket, "getaddrinfo", slow_resolver)
        started = time.monotonic()
        result = handler.main_handler(dict(TASK), {"time_limit_in_ms": 1000})
        took = time.monotonic() - started

    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert (result["status"], line["upstream_code"]) == (504, "DeadlineReached")
    # The lookup's 1.1 s, and scheduling; a handshake waiting on its socket timeout: 2 s or more
    assert took < 1.1 + 0.5


def test_a_refused_connection_is_a_network_error_saying_why() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    # Closed: a connect is refused at once.
    with pytest.raises(AttemptFailed) as failed:
        _exchange(url)

    assert failed.value.code == "ClientNetworkError"
    # Before the answer's headers, what failed is the network's own words, and only them.
    refused = ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED))
    assert failed.value.message == str(refused)


@pytest.mark.parametrize(
    ("variable", "value", "authorization"),
    [
        ("HTTPS_PROXY", "{url}", None),
        ("https_proxy", "{url}", None),
        ("ALL_PROXY", "{url}", None),
        ("all_proxy", "{url}", None),
        ("HTTPS_PROXY", "{host}", None),  # no scheme: an http proxy
        ("HTTPS_PROXY", "http://us%65r:p%40ss@{host}", "Basic dXNlcjpwQHNz"),  # user:p@ss
        ("HTTPS_PROXY", "http://user@{host}", "Basic dXNlcjo="),  # user:, an empty password
    ],
)
def test_an_endpoint_off_this_machine_is_reached_through_the_proxy_s_tunnel(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, authorization: str | None
) -> None:
    # TLS runs inside the tunnel, end to end: the proxy sees the host name asked for and a TLS
    # handshake naming it, never the signed request.
    _no_proxy_variables(monkeypatch)
    with _TunnelProxy() as proxy:
        url = proxy.url
        monkeypatch.setenv(variable, value.format(url=url, host=url.removeprefix("http://")))
        with pytest.raises(AttemptFailed) as failed:  # the proxy hangs up inside the tunnel
            _exchange("https://ccc.example.invalid")

    head = proxy.head.decode("latin-1")
    assert head.startswith("CONNECT ccc.example.invalid:443 HTTP/1.")
    proxy_authorization = [
        line.split(":", 1)[1].strip()
        for line in head.split("\r\n")
        if line.lower().startswith("proxy-authorization:")
    ]
    assert proxy_authorization == ([authorization] if authorization else [])
    assert proxy.tunnelled[:1] == b"\x16"  # a TLS handshake record: the ClientHello...
    assert b"ccc.example.invalid" in proxy.tunnelled  # ...naming the host (SNI)
    assert b"TC3-HMAC-SHA256" not in proxy.head + proxy.tunnelled
    assert failed.value.code == "ClientNetworkError"


@pytest.mark.parametrize("variable", ["NO_PROXY", "no_proxy"])
@pytest.mark.parametrize(
    "no_proxy",
    [
        "ccc.example.invalid",
        ".example.invalid",
        "example.invalid:443",
        "*",
        "a,  b,*",
        "other.example, ccc.example.invalid",  # the list as often written: spaces after commas
    ],
)
def test_an_endpoint_named_by_no_proxy_goes_straight_to_its_host(
    monkeypatch: pytest.MonkeyPatch, variable: str, no_proxy: str
) -> None:
    _no_proxy_variables(monkeypatch)
    with RudeUpstream(answer(b"{}")) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv(variable, no_proxy)
        with pytest.raises(AttemptFailed) as failed:
            _exchange("https://ccc.example.invalid")  # no such host: looked up here, not sent

    assert proxy.requests == 0
    assert failed.value.code == "ClientNetworkError"


@pytest.mark.parametrize(
    ("url", "tunnel"),
    [
        ("https://ccc.example.invalid", "ccc.example.invalid:443"),
        ("https://ccc.example.invalid:8443", "ccc.example.invalid:8443"),
        ("https://[2001:db8::5]", "[2001:db8::5]:443"),  # an IPv6 address in its brackets
        ("https://[2001:db8::5]:8443", "[2001:db8::5]:8443"),
    ],
)
def test_the_tunnel_asked_of_the_proxy_goes_to_the_endpoint_s_port_else_443(
    monkeypatch: pytest.MonkeyPatch, url: str, tunnel: str
) -> None:
    _no_proxy_variables(monkeypatch)
    with _TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(AttemptFailed):  # the proxy hangs up inside the tunnel
            _exchange(url)

    assert proxy.head.decode("latin-1").startswith(f"CONNECT {tunnel} HTTP/1.")


def _recording_resolver(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address an attempt looks up, in order; each lookup answered "no such name", so
    that nothing leaves this machine (looking its address up is an attempt's first step)."""
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        asked.append((host, port))
        raise socket.gaierror(socket.EAI_NONAME, "not looked up in the tests")

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    return asked


@pytest.mark.parametrize(
    ("host", "no_proxy", "direct"),
    [
        ("[2001:db8::5]:443", "2001:db8::5", True),  # an IPv6 address, as written alone
        ("[2001:db8::5]:443", "[2001:db8::5]", True),  # ...or in brackets, as in a URL
        ("[2001:db8::5]:443", "[2001:db8::5]:443", True),  # ...with a port
        ("[2001:db8::5]:443", "[2001:db8::6]:443", False),
        ("xccc.example.box", "XCCC.EXAMPLE.BOX", True),  # host names have no case
        ("ccc.example.invalid", "other.example", False),
        ("ccc.example.invalid", "le.invalid", False),  # the end of a name is not its domain
        ("ccc.example.invalid", "ccc.example", False),
    ],
)
def test_no_proxy_names_a_host_or_its_domains_whole_in_any_case(
    monkeypatch: pytest.MonkeyPatch, host: str, no_proxy: str, direct: bool
) -> None:
    _no_proxy_variables(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.invalid:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    asked = _recording_resolver(monkeypatch)
    with pytest.raises(AttemptFailed):
        _exchange(f"https://{host}")

    address = urlsplit(f"https://{host}").hostname
    assert asked == [(address, 443) if direct else ("proxy.example.invalid", 3128)]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://[2001:db8::5]", ("2001:db8::5", 443)),
        ("http://[2001:db8::5]", ("2001:db8::5", 80)),
        ("https://[2001:db8::5]:8443", ("2001:db8::5", 8443)),
        ("https://ccc.example.invalid", ("ccc.example.invalid", 443)),
    ],
)
def test_an_endpoint_without_a_port_is_called_at_its_scheme_s_even_an_ipv6_address(
    monkeypatch: pytest.MonkeyPatch, url: str, address: tuple[str, int]
) -> None:
    # http.client reads "2001:db8::5" given alone as host "2001:db8:" at port 5.
    _no_proxy_variables(monkeypatch)
    asked = _recording_resolver(monkeypatch)
    with pytest.raises(AttemptFailed) as failed:
        _exchange(url)

    assert asked == [address]
    assert failed.value.code == "ClientNetworkError"


@pytest.mark.parametrize(
    "value",
    [
        "socks5://127.0.0.1:1080",
        "ftp://proxy.example:21",
        "http://proxy.example:99999",
        "http://proxy.example:0",  # no port a proxy listens at (not "none given": 80)
        "http://[2001:db8::7]:0",
        "http://[2001:db8::7:3128",  # a bracket not closed: no URL at all
        "[2001:db8::7",
    ],
)
def test_a_proxy_that_cannot_be_used_fails_each_attempt_saying_so_without_quoting_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    _no_proxy_variables(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", value)
    with pytest.raises(AttemptFailed) as failed:
        _exchange("https://ccc.example.invalid")

    assert failed.value.code == "ClientNetworkError"
    assert failed.value.message.startswith("HTTPS_PROXY is not an http://host:port proxy")
    assert value not in failed.value.message


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("http://proxy.example.invalid", ("proxy.example.invalid", 80)),
        ("proxy.example.invalid", ("proxy.example.invalid", 80)),
        ("proxy.example.invalid:3128", ("proxy.example.invalid", 3128)),
        ("http://proxy.example.invalid:8080/", ("proxy.example.invalid", 8080)),
    ],
)
def test_a_proxy_is_called_at_its_port_or_at_80_the_port_of_http(
    monkeypatch: pytest.MonkeyPatch, value: str, address: tuple[str, int]
) -> None:
    _no_proxy_variables(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", value)
    asked = _recording_resolver(monkeypatch)
    with pytest.raises(AttemptFailed) as failed:
        _exchange("https://ccc.example.invalid")

    assert asked == [address]
    assert failed.value.code == "ClientNetworkError"


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_proxy_never_sees_a_signed_request_to_a_loopback_endpoint(
    monkeypatch: pytest.MonkeyPatch, variable: str, scheme: str
) -> None:
    # The local fake on loopback: a proxy from the environment would get the Authorization and
    # X-TC-Token headers in cleartext. The request goes straight to the endpoint instead.
    _no_proxy_variables(monkeypatch)
    with RudeUpstream(answer(b'{"Response": {}}')) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        with RudeUpstream(answer(b'{"Response": {"RequestId": "direct"}}')) as ccc:
            if scheme == "http":
                body = _exchange(ccc.url)
            else:  # plain http answers TLS: the handshake fails, but with the endpoint itself
                with pytest.raises(AttemptFailed):
                    _exchange(ccc.url.replace("http://", "https://"))
                assert ccc.connections == 1

    assert proxy.requests == proxy.connections == 0
    if scheme == "http":
        assert body == b'{"Response": {"RequestId": "direct"}}'


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2", "[::1]"])
def test_every_loopback_name_ignores_proxies(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    _no_proxy_variables(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    credentials = Credentials("AKID", "key")
    here = sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials, f"https://{host}:9000")
    assert here.proxy is None
    elsewhere = sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials)
    assert elsewhere.proxy == ("127.0.0.1", 3128, {})


def test_a_network_failure_with_almost_no_time_left_is_the_deadline_reached() -> None:
    # Below the slack, the next attempt could not be made: the deadline, not the network, ends
    # the lookup (a 504), whatever the socket said.
    with pytest.raises(AttemptFailed) as failed:
        _exchange(_closed_port(), seconds=sdk_transport.DEADLINE_SLACK_SECONDS * 0.8)

    assert failed.value.code == "DeadlineReached"
    assert "refused" in failed.value.message


def test_a_network_failure_with_exactly_the_slack_left_is_the_network_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rule's edge: only below the slack is a failure taken for the deadline's. The clocks of
    # the deadline and of the watch stopped at 0, so that the time left is the slack exactly.
    stopped = SimpleNamespace(monotonic=lambda: 0.0)
    monkeypatch.setattr("callout_task.deadline.time", stopped)
    monkeypatch.setattr("callout_task.watchdog.time", stopped)
    endpoint = _endpoint(_closed_port())
    deadline = Deadline(sdk_transport.DEADLINE_SLACK_SECONDS)
    assert deadline.remaining() == sdk_transport.DEADLINE_SLACK_SECONDS
    with pytest.raises(AttemptFailed) as failed:
        sdk_transport.exchange(endpoint, "X", {}, deadline, LIMIT, [].append)

    assert failed.value.code == "ClientNetworkError"


@pytest.mark.parametrize(
    ("sent", "why"),
    [
        (trickle_body(0.05), "reading the answer failed"),
        (_trickled(b"x" * 99, {"Content-Length": "99", "Connection": "close"}), "reading"),
        (_trickled(b"x" * 99, {"Connection": "close"}), ""),
    ],
    ids=["with a length", "with a length, then closed", "ended by the close"],
)
def test_an_answer_that_trickles_is_cut_at_the_deadline_even_when_it_then_looks_whole(
    sent: Any, why: str
) -> None:
    # An answer that ends its connection: http.client lets go of the socket after the headers.
    # Shut at the deadline, a body without a length simply ends: nothing but the watch tells
    # it from a whole one. One with a length fails, and what failed is kept for the log.
    started = time.monotonic()
    with RudeUpstream(sent) as server, pytest.raises(AttemptFailed) as cut:
        _exchange(server.url, seconds=0.3)

    assert time.monotonic() - started <= 0.3 + 0.2  # the trickle lasts 2 s
    assert cut.value.code == "DeadlineReached"
    assert why in cut.value.message


def test_an_answer_of_many_chunks_one_byte_over_the_limit_is_refused() -> None:
    size = 2 * sdk_transport.BODY_CHUNK_BYTES
    with (
        RudeUpstream(_until_closed(b"w" * (size + 1))) as server,
        pytest.raises(AttemptFailed) as refused,
    ):
        _exchange(server.url, max_bytes=size)

    assert refused.value.code == "BodyTooLarge"


def test_an_endless_answer_without_a_length_is_cut_at_the_limit_not_read_to_its_end() -> None:
    started = time.monotonic()
    with RudeUpstream(_endless_until_closed()) as server, pytest.raises(AttemptFailed) as refused:
        _exchange(server.url, max_bytes=2**20, seconds=1.5)

    assert refused.value.code == "BodyTooLarge"
    assert time.monotonic() - started < 1.0  # the deadline is at 1.5 s


def test_an_https_endpoint_whose_certificate_a_trusted_ca_signed_is_answered(
    certificates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The system's store, as OpenSSL finds it: SSL_CERT_FILE names the test's CA in its place.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    with _tls_upstream(certificates, b'{"Response": {"RequestId": "tls"}}') as url:
        assert _exchange(url) == b'{"Response": {"RequestId": "tls"}}'


def test_the_ca_store_is_read_at_an_instance_s_first_handshake_and_not_again(
    certificates: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # OpenSSL parses the whole store (30-100 ms) when it is read: once per instance, at its
    # first handshake, not on every call. So a CA added to the store after that (here: the
    # store OpenSSL reads becomes one holding the tests' CA) is trusted from the next instance.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    with _tls_upstream(certificates, b'{"Response": {"RequestId": "tls"}}') as url:
        with pytest.raises(AttemptFailed) as before:
            _exchange(url)
        monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
        with pytest.raises(AttemptFailed) as same_instance:
            _exchange(url)
        callout_task.reset_instance()
        next_instance = _exchange(url)

    for refused in (before, same_instance):
        assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message
    assert next_instance == b'{"Response": {"RequestId": "tls"}}'


def test_an_https_endpoint_is_asked_for_by_its_name_in_the_handshake(
    certificates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SNI: a server with several names (Tencent's API front door serves many) picks the
    # certificate by it; an address is sent without one.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    names: list[str | None] = []
    with _tls_upstream(certificates, b"{}", names) as url:
        _exchange(url)
        with pytest.raises(AttemptFailed):  # the certificate names localhost only
            _exchange(url.replace("localhost", "127.0.0.1"))

    assert names == ["localhost", None]


def test_an_https_endpoint_no_trusted_ca_vouches_for_is_refused(certificates: Path) -> None:
    with _tls_upstream(certificates, b"{}") as url, pytest.raises(AttemptFailed) as refused:
        _exchange(url)

    assert refused.value.code == "ClientNetworkError"
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message


def test_an_https_endpoint_whose_certificate_names_another_host_is_refused(
    certificates: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signed by a trusted CA, but for localhost: reached as 127.0.0.1 it is someone else's.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    with _tls_upstream(certificates, b"{}") as url, pytest.raises(AttemptFailed) as refused:
        _exchange(url.replace("localhost", "127.0.0.1"))

    assert refused.value.code == "ClientNetworkError"
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message
    assert "127.0.0.1" in refused.value.message  # "IP address mismatch ... '127.0.0.1'"


@pytest.mark.parametrize("folder", ["empty", "missing"])
def test_where_openssl_finds_no_store_the_distribution_s_bundle_is_trusted(
    certificates: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, folder: str
) -> None:
    # A Python built with an OpenSSL of its own looks for the store under that OpenSSL's prefix,
    # where there may be none (or an empty certs folder): every call to Tencent would fail.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path if folder == "empty" else tmp_path / "none"))
    # The distribution's bundle: here, one holding the tests' CA.
    bundles = ("/no/such/bundle.pem", str(certificates / "ca.pem"))
    monkeypatch.setattr(ca_store, "DISTRIBUTION_BUNDLES", bundles)
    with _tls_upstream(certificates, b'{"Response": {"RequestId": "tls"}}') as url:
        assert _exchange(url) == b'{"Response": {"RequestId": "tls"}}'


@pytest.fixture(scope="module")
def another_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA that signed nothing the tests serve (``ca.pem``), made with openssl once."""
    directory = tmp_path_factory.mktemp("another-ca")
    openssl = shutil.which("openssl") or "openssl"
    key = ("-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key")
    subprocess.run(
        [openssl, "req", "-x509", *key, "-out", "ca.pem", "-subj", "/CN=another CA", "-days", "2"],
        cwd=directory,
        check=True,
        capture_output=True,
    )
    return directory / "ca.pem"


@pytest.mark.parametrize("found", ["file", "folder"])
def test_where_openssl_finds_a_store_only_that_store_is_trusted(
    certificates: Path,
    another_ca: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    found: str,
) -> None:
    # SSL_CERT_FILE or SSL_CERT_DIR name the store (an operator's own CAs): the distribution's
    # bundle is what stands in for a store that is missing, not an addition to one that is there.
    # Here that bundle would trust the server, the store OpenSSL finds does not.
    if found == "file":
        monkeypatch.setenv("SSL_CERT_FILE", str(another_ca))
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # empty
    else:
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
        folder = tmp_path / "certs"
        folder.mkdir()
        shutil.copy(another_ca, folder / "another-ca.pem")
        monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    monkeypatch.setattr(ca_store, "DISTRIBUTION_BUNDLES", (str(certificates / "ca.pem"),))
    with _tls_upstream(certificates, b"{}") as url, pytest.raises(AttemptFailed) as refused:
        _exchange(url)

    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message


@pytest.fixture(scope="module")
def off_this_machine(certificates: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A certificate for ccc.example.invalid (``server.pem``, ``server.key``) that the tests' CA
    signed: a name off this machine, so that a proxy is used for it."""
    directory = tmp_path_factory.mktemp("off-this-machine")
    (directory / "san.cnf").write_text("subjectAltName=DNS:ccc.example.invalid\n")
    openssl = shutil.which("openssl") or "openssl"
    key = ("-newkey", "rsa:2048", "-nodes", "-keyout", "server.key")
    ca = ("-CA", str(certificates / "ca.pem"), "-CAkey", str(certificates / "ca.key"))
    sign = ("x509", "-req", "-in", "server.csr", *ca, "-CAcreateserial", "-out", "server.pem")
    for command in (
        [openssl, "req", *key, "-out", "server.csr", "-subj", "/CN=ccc.example.invalid"],
        [openssl, *sign],
    ):
        subprocess.run(
            [*command, "-days", "2", *(["-extfile", "san.cnf"] if "x509" in command else [])],
            cwd=directory,
            check=True,
            capture_output=True,
        )
    return directory


@contextlib.contextmanager
def _relaying_proxy(to: str) -> Iterator[str]:
    """An http proxy that grants one CONNECT and relays the tunnel to ``to`` (host:port), as a
    proxy would to the host asked for."""
    listener = socket.create_server(("127.0.0.1", 0))
    host, port = to.rsplit(":", 1)

    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve() -> None:
        with contextlib.suppress(OSError):
            client, _ = listener.accept()
            with client, socket.create_connection((host, int(port))) as upstream:
                client.settimeout(5)
                head = b""
                while b"\r\n\r\n" not in head:
                    head += client.recv(4096)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
                back.start()
                pipe(client, upstream)
                with contextlib.suppress(OSError):  # the client is done: so is the tunnel
                    upstream.shutdown(socket.SHUT_RDWR)
                back.join(timeout=5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=5)


def test_through_a_proxy_tls_trusts_the_store_a_direct_call_trusts(
    certificates: Path, off_this_machine: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The same TLS settings inside the tunnel: here the distribution's bundle, where OpenSSL
    # finds no store (what an https connection made with http.client's defaults would not see).
    _no_proxy_variables(monkeypatch)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))  # empty
    monkeypatch.setattr(ca_store, "DISTRIBUTION_BUNDLES", (str(certificates / "ca.pem"),))
    body = b'{"Response": {"RequestId": "tunnelled"}}'
    with _tls_upstream(off_this_machine, body) as upstream:
        relayed_to = f"127.0.0.1:{urlsplit(upstream).port}"
        with _relaying_proxy(relayed_to) as proxy:
            monkeypatch.setenv("HTTPS_PROXY", proxy)
            assert _exchange("https://ccc.example.invalid") == body


def test_a_chunk_of_negative_size_is_read_no_further_than_the_limit() -> None:
    # http.client's read(amount) reads such a chunk whole, to the connection's end, before
    # the limit sees any of it: 8 MiB here, as much as the server sends by the deadline
    # (300 MB measured in 2 s over loopback), in memory at once.
    with (
        RudeUpstream(_negative_chunk_then(8 * 2**20)) as server,
        pytest.raises(AttemptFailed) as refused,
    ):
        _exchange(server.url, max_bytes=2**20, seconds=5)

    assert refused.value.code == "BodyTooLarge"


@pytest.mark.parametrize("length", ["1000 ", "+1000", "01000"])
def test_a_body_cut_short_of_a_length_http_client_reads_as_one_is_a_network_error(
    length: str,
) -> None:
    # The length is http.client's, which reads these spellings as 1000: cut at 100 bytes, the
    # answer must not be taken as whole (its JSON cut short would read as a bad answer from
    # CCC, not a network failure that a retry may mend).
    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(_head({"Content-Length": length}) + b"{" + b" " * 99)
        return False

    with RudeUpstream(step) as server, pytest.raises(AttemptFailed) as cut:
        _exchange(server.url, max_bytes=2000)

    assert cut.value.code == "ClientNetworkError"
    assert "after 100 of 1000 bytes" in cut.value.message
