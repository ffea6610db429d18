"""The local cloud on loopback: Cloud API 3.0, Function URLs and a control API behind one port.

One ThreadingHTTPServer takes three kinds of requests:

- Cloud API calls: the provider and the SDKs send them through ``HTTP_PROXY`` (absolute-form
  ``POST http://scf.local-cloud.invalid/``) or straight to this address; ``wire.handle`` answers,
  but for CCC (a function's upstream): ``call_ccc`` asks CAM (``iam``), then the fake CCC.
- Function URLs: ``/scf-url/<id>/...``, the address a Function URL trigger reports.
- ``/_cloud/`` (loopback clients only): ``health``, ``resources`` (what the account holds),
  ``logs?topic=ID`` (a CLS topic's lines), ``calls``, ``timer-runs``, ``save``.

``LocalCloud`` starts it with its fake CCC (the function's upstream) and its data plane, and
says which environment points Terraform or an SDK at it (``terraform_environment``).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from autocallout.fake_ccc import CccBackend, FakeCccServer, signature
from autocallout.fake_ccc import wire as ccc_wire
from autocallout.fake_ccc.server import is_loopback_client
from autocallout.fake_ccc.wire import Reply, Request
from autocallout.local_cloud import iam, wire
from autocallout.local_cloud.models import LOCAL_CREDENTIALS, CloudBackend
from autocallout.local_cloud.runtime import DataPlane

DOMAIN = "local-cloud.invalid"  # RFC 2606: never resolves, so a request that skips us fails
URL_PREFIX = "/scf-url/"
CONTROL_PREFIX = "/_cloud/"
MAX_BODY = 80 * 1024 * 1024  # a 50 MB zip in Base64 plus the rest of the request


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        declared = self.headers.get("Content-Length") or "0"
        if not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY:
            self.close_connection = True
            self._send(400, {"Content-Type": "text/plain"}, b"bad or too large Content-Length")
            return
        body = self.rfile.read(int(declared)) if declared != "0" else b""
        headers = dict(self.headers)
        if url.netloc and "Host" not in headers:
            headers["Host"] = url.netloc
        path = url.path or "/"
        if path.startswith(CONTROL_PREFIX) and not url.netloc:
            self._control(path[len(CONTROL_PREFIX) :], url.query)
            return
        if path.startswith(URL_PREFIX):
            status, answer_headers, data = self.server.cloud.plane.serve_url(
                self.command, path, url.query, headers, body, self.client_address[0]
            )
            self._send(status, answer_headers, data)
            return
        request = Request(self.command, path, url.query, headers, body)
        if _scope_service(request) == "ccc":  # a function's call to CCC: CAM first, then the fake
            reply = self.server.cloud.call_ccc(request)
        else:
            reply = wire.handle(self.server.cloud.backend, request)
        if reply.delay:  # a fault injected into the fake CCC
            time.sleep(reply.delay)
        self._send(reply.status, reply.headers, reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_HEAD = _dispatch

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self._send(status, {"Content-Type": "application/json"}, body)

    def _control(self, route: str, query: str) -> None:
        if not is_loopback_client(self.client_address[0]):
            self._json(403, {"error": "the control API answers loopback clients only"})
            return
        cloud = self.server.cloud
        backend = cloud.backend
        args = {k: v[-1] for k, v in parse_qs(query).items()}
        if (self.command, route) == ("GET", "health"):
            self._json(200, {"ok": True, "region": backend.region})
        elif (self.command, route) == ("GET", "resources"):
            self._json(200, backend.resources())
        elif (self.command, route) == ("GET", "logs"):
            with backend.lock:
                lines = [
                    r["Line"] for r in backend.table("cls.logs").get(args.get("topic", ""), [])
                ]
            self._json(200, lines)
        elif (self.command, route) == ("GET", "calls"):
            with backend.lock:
                self._json(200, list(backend.calls))
        elif (self.command, route) == ("GET", "timer-runs"):
            with backend.lock:
                self._json(200, list(cloud.plane.timer_runs))
        elif (self.command, route) == ("POST", "save") and cloud.state_file is not None:
            backend.save(cloud.state_file)
            self._json(200, {"saved": str(cloud.state_file)})
        else:
            self._json(404, {"error": f"no control route {self.command} {CONTROL_PREFIX}{route}"})


def _scope_service(request: Request) -> str | None:
    by_host = request.header("host").split(".", 1)[0].lower()
    if by_host == "ccc":
        return "ccc"
    auth = signature.parse_authorization(request.header("authorization"))
    return auth.service if auth is not None else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], cloud: LocalCloud, log: Callable[[str], None] | None
    ):
        self.cloud = cloud
        self.log = log
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class LocalCloud:
    """``with LocalCloud() as cloud:`` — the emulator, its fake CCC and its data plane, started.

    ``state_file``: read at start when it exists, written at stop (and on POST /_cloud/save).
    """

    def __init__(
        self,
        backend: CloudBackend | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ccc: CccBackend | None = None,
        state_file: str | Path | None = None,
        log: Callable[[str], None] | None = None,
        timers: bool = True,
    ) -> None:
        self.backend = backend if backend is not None else CloudBackend()
        self.state_file = Path(state_file) if state_file is not None else None
        if self.state_file is not None and self.state_file.exists():
            self.backend.load(self.state_file)
        self.ccc_server = FakeCccServer(ccc if ccc is not None else CccBackend.seeded())
        self._server = _Server((host, port), self, log)
        host_name, bound_port = self._server.server_address[:2]
        self.url = f"http://{host_name!s}:{bound_port}"
        self.backend.url_base = self.url
        self.plane = DataPlane(self.backend, self.ccc_server.backend, self.url)
        self._timers = timers
        self._thread: threading.Thread | None = None
        self._serving = False

    def call_ccc(self, request: Request) -> Reply:
        """A call to CCC: refused as CAM would when it comes with a function role's credentials
        its policies do not allow, else answered by the fake CCC."""
        auth = signature.parse_authorization(request.header("authorization"))
        role = self.plane.role_of(auth.secret_id) if auth is not None else None
        if role is not None:
            action = f"ccc:{request.header('x-tc-action')}"
            try:
                params = json.loads(request.body or b"{}")
            except ValueError:
                params = {}
            app = params.get("SdkAppId", "*") if isinstance(params, dict) else "*"
            resource = f"qcs::ccc::uin/{self.backend.account.owner_uin}:SdkAppId/{app}"
            if not iam.allows(self.backend, role, action, resource):
                body = ccc_wire.error_body(
                    "AuthFailure.UnauthorizedOperation",
                    f"The role {role} is not authorised for {action} on {resource}.",
                    str(uuid.uuid4()),
                )
                return Reply(200, body)
        return ccc_wire.handle(self.ccc_server.backend, request)

    def terraform_environment(self) -> dict[str, str]:
        """What points the tencentcloud provider (or an SDK) at this cloud, and only here."""
        return {
            "TENCENTCLOUD_SECRET_ID": LOCAL_CREDENTIALS.secret_id,
            "TENCENTCLOUD_SECRET_KEY": LOCAL_CREDENTIALS.secret_key,
            "TENCENTCLOUD_REGION": self.backend.region,
            "TENCENTCLOUD_PROTOCOL": "HTTP",
            "TENCENTCLOUD_DOMAIN": DOMAIN,
            "HTTP_PROXY": self.url,
            "http_proxy": self.url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            # An error that is no error of ours is not worth minutes of retries.
            "TENCENTCLOUD_READ_RETRY_TIMEOUT": "1",
            "TENCENTCLOUD_WRITE_RETRY_TIMEOUT": "1",
        }

    def start(self) -> LocalCloud:
        self.ccc_server.start()
        if self._timers:
            self.plane.start_timers()
        self._serving = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="local-cloud", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.ccc_server.start()
        if self._timers:
            self.plane.start_timers()
        self._serving = True
        self._server.serve_forever(0.2)

    def stop(self) -> None:
        if self._serving:
            self._server.shutdown()
            self._serving = False
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.plane.close()
        self.ccc_server.stop()
        if self.state_file is not None:
            self.backend.save(self.state_file)

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
