"""``mock_ccc``: the fake in process, like moto's ``mock_aws``, built on ``responses``.

Requests to ``ccc.tencentcloudapi.com``, ``ccc.<region>.tencentcloudapi.com`` and the same
hosts of ``sts`` and ``ssm`` go to the backend through the real wire protocol, whichever HTTP
stack makes them:

- ``requests`` (the SDK's own clients): ``responses`` answers them in process; a request to
  loopback is made as usual, any other request made with ``requests`` fails with
  ``ConnectionError``;
- the standard library's ``http.client`` (the function's transport): while the mock is active,
  a connection to one of those hosts, http or https, direct or through a proxy's tunnel
  (HTTPS_PROXY), is connected to the fake's own loopback
  server (``FakeCccServer`` on the same backend, started on the first such connection) over
  plain TCP, the way ``responses`` stands in for requests' adapter; a connection to any other
  host off this machine is refused (``ConnectionRefusedError``: nothing leaks), and one to
  loopback (a watch's receiver, redis) is made as usual. The faults the backend injects
  (delays, resets, odd bodies) happen on that server's real sockets.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import responses

from autocallout.fake_ccc import wire
from autocallout.fake_ccc.models import CccBackend
from autocallout.fake_ccc.server import FakeCccServer, is_loopback_client

# CCC, and STS for AssumeRole: global and regional endpoints.
CCC_URL = re.compile(r"^https?://(ccc|sts|ssm)(\.[a-z0-9-]+)?\.tencentcloudapi\.com(:\d+)?(/.*)?$")
# This machine, which the mock leaves alone for requests as for http.client (a test's own server).
LOOPBACK_URL = re.compile(
    r"^https?://(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?([/?#].*)?$", re.IGNORECASE
)
CCC_HOST = re.compile(r"^(ccc|sts|ssm)(\.[a-z0-9-]+)?\.tencentcloudapi\.com\.?$", re.IGNORECASE)

F = TypeVar("F", bound=Callable[..., Any])

_active: list[CccBackend] = []
_mocks: list[mock_ccc] = []
_active_lock = threading.Lock()


def active_backend() -> CccBackend:
    """The backend of the innermost active ``mock_ccc`` (for code under a decorator)."""
    with _active_lock:
        if not _active:
            raise RuntimeError("no mock_ccc is active")
        return _active[-1]


class mock_ccc:
    """Use as ``with mock_ccc() as backend:`` or as ``@mock_ccc()``.

    Without a backend it makes a seeded one (default credentials, bundled tasks, or ``tasks``);
    as a decorator it makes a fresh one for every call, reachable with ``active_backend()``.
    """

    def __init__(
        self,
        backend: CccBackend | None = None,
        *,
        tasks: str | Path | Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        self._given = backend
        self._tasks = tasks
        self.backend = backend if backend is not None else CccBackend.seeded(tasks)
        self._mock: responses.RequestsMock | None = None
        self._server: FakeCccServer | None = None
        self._server_lock = threading.Lock()

    def start(self) -> CccBackend:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in ("GET", "POST"):
            mock.add_callback(method, CCC_URL, callback=self._on_request)
        mock.add_passthru(LOOPBACK_URL)
        mock.start()
        self._mock = mock
        with _active_lock:
            _active.append(self.backend)
            _mocks.append(self)
        _route(self.server_address)
        return self.backend

    def stop(self) -> None:
        if self._mock is None:
            return
        self._mock.stop()
        self._mock.reset()
        self._mock = None
        _unroute(self.server_address)
        with _active_lock:
            _active.remove(self.backend)
            _mocks.remove(self)
        with self._server_lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()

    def server_address(self) -> tuple[str, int]:
        """Where the fake's loopback server listens (started on the first call for it)."""
        with self._server_lock:
            if self._server is None:
                self._server = FakeCccServer(self.backend)
                self._server.start()
            host, port = self._server.endpoint.rsplit(":", 1)
            return host, int(port)

    def __enter__(self) -> CccBackend:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fresh = mock_ccc(self._given, tasks=self._tasks)
            with fresh:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _on_request(
        self, request: requests.PreparedRequest
    ) -> tuple[int, dict[str, str], bytes] | Exception:
        url = urlsplit(request.url or "")
        headers = dict(request.headers)
        headers.setdefault("Host", url.netloc)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        incoming = wire.Request(request.method or "", url.path, url.query, headers, body)
        reply = wire.handle(self.backend, incoming)
        if reply.delay:
            # responses ignores timeouts; honour the caller's read timeout as a real socket would.
            timeout = getattr(request, "req_kwargs", {}).get("timeout")
            read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
            if read_timeout is not None and reply.delay > read_timeout:
                time.sleep(read_timeout)
                return requests.exceptions.ReadTimeout(
                    f"Read timed out. (read timeout={read_timeout})"
                )
            time.sleep(reply.delay)
        if reply.reset:
            return requests.exceptions.ConnectionError(
                "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
            )
        return reply.status, reply.headers, reply.body


@contextlib.contextmanager
def tencent_hosts_at(url: str) -> Iterator[None]:
    """While active, http.client connections to CCC's, STS's and SSM's public hosts go to the
    loopback server at ``url`` (``http://127.0.0.1:port``) over plain TCP, as under
    ``mock_ccc``: for a test's own scripted upstream in their place."""
    parts = urlsplit(url)
    if not (parts.hostname and parts.port and is_loopback_client(parts.hostname)):
        raise ValueError(f"not a loopback server's URL: {url}")
    address = (parts.hostname, parts.port)

    def where() -> tuple[str, int]:
        return address

    _route(where)
    try:
        yield
    finally:
        _unroute(where)


# Where the Tencent hosts go, the innermost last; http.client's own connect methods, to restore
# when the last route is gone.
_routes: list[Callable[[], tuple[str, int]]] = []
_originals: dict[type[http.client.HTTPConnection], Callable[..., None]] = {}


def _route(where: Callable[[], tuple[str, int]]) -> None:
    with _active_lock:
        if not _routes:
            for cls in (http.client.HTTPConnection, http.client.HTTPSConnection):
                original = cls.__dict__["connect"]
                _originals[cls] = original
                cls.connect = _connect_for(original)  # type: ignore[method-assign,assignment]
        _routes.append(where)


def _unroute(where: Callable[[], tuple[str, int]]) -> None:
    with _active_lock:
        _routes.remove(where)
        if not _routes:
            for cls, original in _originals.items():
                cls.connect = original  # type: ignore[method-assign]
            _originals.clear()


def _connect_for(original: Callable[..., None]) -> Callable[[http.client.HTTPConnection], None]:
    def connect(self: http.client.HTTPConnection) -> None:
        # Through a proxy (set_tunnel), ``host`` is the proxy's and the host asked for is the
        # tunnel's: a proxy on this machine would pass the CONNECT on, off it.
        tunnel = getattr(self, "_tunnel_host", None)
        host = (tunnel or self.host).rstrip(".")
        if _here(host) and _here(self.host.rstrip(".")):
            original(self)  # a watch's receiver, redis, a test's own server: as usual
            return
        with _active_lock:
            where = _routes[-1] if _routes else None
        if where is None or not CCC_HOST.match(host):
            raise ConnectionRefusedError(
                f"mock_ccc is active: {host} is not served by the fake (nothing leaves this "
                "machine)"
            )
        # CCC, STS or SSM: plain TCP to the fake's server, whatever the scheme or the proxy.
        self.sock = socket.create_connection(
            where(), self.timeout, getattr(self, "source_address", None)
        )
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    return connect


def _here(host: str) -> bool:
    return host == "localhost" or is_loopback_client(host)
