"""The fake as a loopback HTTP server: the same backend and wire protocol behind a real socket.

The standard library's ThreadingHTTPServer is enough: every request is one call to
``wire.handle``, so a framework would add a dependency and nothing else. A small control API under
``/_fake/`` lets another process inject faults, add or advance tasks and read the call log.

    with FakeCccServer(backend) as url:      # url == "http://127.0.0.1:<port>"
        ...
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from autocallout.fake_ccc import wire
from autocallout.fake_ccc.exceptions import CccError
from autocallout.fake_ccc.faults import Fault
from autocallout.fake_ccc.models import CccBackend

CONTROL_PREFIX = "/_fake/"
MAX_BODY = 8 * 1024 * 1024
# The listen backlog of a production server: the kernel's maximum (net.core.somaxconn caps it).
# socketserver's 5 made a burst of 40 clients wait out SYN retransmits, about 1 s each.
LISTEN_BACKLOG = socket.SOMAXCONN
# How long a connection may stay silent, mid-request (half a request line, a body that stops) or
# idle between keep-alive requests: then its handler closes it and the thread ends, instead of
# waiting for as long as the client likes. Longer than any pause of a client that is working.
IDLE_TIMEOUT_SECONDS = 30.0
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (ESC, BEL, C1...) as escapes."""
    return _UNPRINTABLE.sub(lambda match: ascii(match[0])[1:-1], text)


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server with a production backlog and a timeout on silent connections;
    the fake's server and ``autocallout serve``'s."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    ) -> None:
        self.idle_timeout = idle_timeout
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Every read and write of the connection gives up after idle_timeout seconds of silence
        # (the handler's own `timeout` is None, so its setup() leaves this one in place).
        request.settimeout(self.idle_timeout)
        super().finish_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and end every open connection: a kept-alive one would otherwise go on
        being answered by a server that has stopped (its handler thread is a daemon, not
        joined), from that server's backend (under ``mock_ccc``, the next mock's client)."""
        super().server_close()
        with self._open_lock:
            for connection in self._open:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's session expects
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm holds
    # the body back on a reused connection until the client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:  # the request line is the client's: escape it
            self.server.log(printable(f"{self.address_string()} {format % args}"))

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        declared = self.headers.get("Content-Length") or "0"
        if not (declared.isascii() and declared.isdigit()):
            # "abc" crashed int(); "-5" made read() wait for the client to hang up.
            self.close_connection = True  # the body, if any, is not read
            self._send(400, {"Content-Type": "text/plain"}, b"Content-Length must be digits")
            return
        length = int(declared)
        if length > MAX_BODY:
            self.close_connection = True
            self._send(413, {"Content-Type": "text/plain"}, b"body too large")
            return
        body = self.rfile.read(length) if length else b""
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path[len(CONTROL_PREFIX) :], body)
            return
        if self.command == "DELETE":
            self._send(405, {"Content-Type": "text/plain"}, b"method not allowed")
            return
        request = wire.Request(self.command, url.path, url.query, dict(self.headers), body)
        reply = wire.handle(self.server.backend, request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self._send(reply.status, reply.headers, reply.body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def _control(self, route: str, body: bytes) -> None:
        # Faults and the call log (SecretIds in it) are for this machine, whatever --host says.
        if not is_loopback_client(self.client_address[0]):
            self._json(403, {"error": "the control API answers loopback clients only"})
            return
        action = _CONTROL_ROUTES.get((self.command, route))
        if action is None:
            self._json(404, {"error": f"no control route {self.command} {CONTROL_PREFIX}{route}"})
            return
        try:
            self._json(200, action(self.server.backend, json.loads(body) if body else None))
        except (ValueError, KeyError, TypeError) as error:
            self._json(400, {"error": str(error)})
        except CccError as error:
            self._json(404, {"error": error.message, "code": error.code})


def _objects(payload: Any) -> list[dict[str, Any]]:
    items = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(item, dict) for item in items):
        raise ValueError("send a JSON object or a list of them")
    return items


def _add_faults(backend: CccBackend, payload: Any) -> Any:
    for item in _objects(payload):
        backend.faults.add(Fault.from_dict(item))
    return {"pending": len(backend.faults.pending())}


def _clear_faults(backend: CccBackend, payload: Any) -> Any:
    backend.faults.clear()
    return {"pending": 0}


def _advance(backend: CccBackend, payload: Any) -> Any:
    [key] = _objects(payload)
    return {"State": backend.advance_task(int(key["SdkAppId"]), int(key["TaskId"])).get("State")}


def _reset(backend: CccBackend, payload: Any) -> Any:
    backend.reset()
    return {"ok": True}


_CONTROL_ROUTES: dict[tuple[str, str], Callable[[CccBackend, Any], Any]] = {
    ("GET", "health"): lambda backend, _: {"ok": True, "tasks": len(backend.tasks)},
    ("GET", "calls"): lambda backend, _: [call.as_dict() for call in backend.calls],
    ("POST", "faults"): _add_faults,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "tasks"): lambda backend, _: backend.listing(),
    ("POST", "tasks"): lambda backend, payload: {"added": backend.load_tasks(_objects(payload))},
    ("POST", "tasks/advance"): _advance,
    ("POST", "reset"): _reset,
}


def is_loopback_client(host: str) -> bool:
    """127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address (a dual-stack socket's view)."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


class _Server(LoopbackHTTPServer):
    def __init__(
        self,
        address: tuple[str, int],
        backend: CccBackend,
        log: Callable[[str], None] | None,
        idle_timeout: float,
    ) -> None:
        self.backend = backend
        self.log = log
        super().__init__(address, _Handler, idle_timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout passed during an injected delay) is not an error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FakeCccServer:
    """The fake on loopback; ``with FakeCccServer(backend) as url:`` starts and stops it."""

    def __init__(
        self,
        backend: CccBackend | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    ) -> None:
        self.backend = backend if backend is not None else CccBackend.seeded()
        self._server = _Server((host, port), self.backend, log, idle_timeout)
        self._thread: threading.Thread | None = None
        self._serving = False  # shutdown() would wait forever for a loop that never ran

    @property
    def endpoint(self) -> str:
        """``host:port``, what ``HttpProfile(endpoint=...)`` takes."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    def start(self) -> str:
        self._serving = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-ccc", daemon=True
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._serving = True
        self._server.serve_forever()

    def stop(self) -> None:
        if self._serving:
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
