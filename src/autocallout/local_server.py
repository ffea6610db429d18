"""``autocallout serve``: the function behind a local HTTP endpoint, as SCF's front doors run it.

Each request becomes the event of the chosen shape (Function URL or legacy API Gateway), goes
through ``main_handler``, and its four-field answer becomes the HTTP response.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from autocallout import front_door_auth
from autocallout.fake_ccc.server import IDLE_TIMEOUT_SECONDS, LoopbackHTTPServer, printable
from autocallout.local_invoke import DEFAULT_TIME_LIMIT_MS

SHAPES = ("function-url", "apigw")
MAX_REQUEST_BYTES = 6 * 1024 * 1024  # SCF's synchronous invocation limit
# The path of the one API infra/ creates on the legacy gateway (request_config_path); the
# gateway matches it by prefix, so it sends every path on.
API_PATH = "/"


def query_values(query: str) -> dict[str, Any]:
    """A query string as the gateways pass it: a string, a list for repeated keys, true for bare."""
    values: dict[str, Any] = {}
    for part in query.split("&"):
        if not part:
            continue
        name, has_value, raw = part.partition("=")
        value: Any = unquote_plus(raw) if has_value else True
        key = unquote_plus(name)
        if key in values:
            previous = values[key]
            values[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[key] = value
    return values


def build_event(
    shape: str, method: str, target: str, headers: dict[str, str], body: bytes, client_ip: str
) -> dict[str, Any]:
    url = urlsplit(target)
    event: dict[str, Any] = {
        "headers": {name.lower(): value for name, value in headers.items()},
        "httpMethod": method,
        "path": url.path or "/",
        "queryString": query_values(url.query),
    }
    if shape == "function-url":
        event["headers"]["x-scf-remote-addr"] = client_ip
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    if shape == "apigw":
        event.update(
            requestContext={
                "serviceId": "service-local",
                "path": API_PATH,
                "httpMethod": method,
                "requestId": str(uuid.uuid4()),
                "identity": {},
                "sourceIp": client_ip,
                "stage": "release",
            },
            queryStringParameters={},
            pathParameters={},
            headerParameters={},
            stageVariables={"stage": "release"},
        )
    return event


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes (see fake_ccc.server)
    server: LocalFunctionServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _respond

    def _serve(self) -> None:
        started = time.monotonic()
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not (raw_length.isascii() and raw_length.isdigit()):
            # int() would raise on "abc", and rfile.read(-1) wait for the client to hang up
            self.close_connection = True
            self._write(400, {"Content-Type": "text/plain"}, b"bad Content-Length", started)
            return
        length = int(raw_length)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._write(413, {"Content-Type": "text/plain"}, b"request larger than 6 MB", started)
            return
        body = self.rfile.read(length) if length else b""
        event = build_event(
            self.server.shape,
            self.command,
            self.path,
            dict(self.headers),
            body,
            self.client_address[0],
        )
        request_id = str(uuid.uuid4())
        context = {"request_id": request_id, "time_limit_in_ms": self.server.time_limit_ms}
        answer = self._front_door(body, request_id) or self.server.handler(event, context)
        status = int(answer.get("statusCode", 200))
        payload = self._served_document(status, answer.get("body", ""))
        data = base64.b64decode(payload) if answer.get("isBase64Encoded") else payload.encode()
        self._write(status, dict(answer.get("headers") or {}), data, started)

    def _front_door(self, body: bytes, request_id: str) -> dict[str, Any] | None:
        """The door's refusal, or None to let the request through (preflights always pass: the
        Function URL answers them itself, see docs/integrations.md)."""
        door = self.server.door
        if door is None or self.command == "OPTIONS":
            return None
        url = urlsplit(self.path)
        request = front_door_auth.Request(
            self.command, url.path or "/", url.query, dict(self.headers), body
        )
        refusal = door.refusal(request)
        return (
            None if refusal is None else front_door_auth.refusal_answer(door, refusal, request_id)
        )

    def _served_document(self, status: int, payload: str) -> str:
        """GET /openapi.json states the security this server enforces (openapi.for_front_door)."""
        if self.command != "GET" or urlsplit(self.path).path != "/openapi.json" or status != 200:
            return payload
        from autocallout.openapi import compact, for_front_door

        mode = "none" if self.server.door is None else self.server.door.mode
        return compact(for_front_door(json.loads(payload), mode))

    def _write(self, status: int, headers: dict[str, str], data: bytes, started: float) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        elapsed = (time.monotonic() - started) * 1000
        self.server.log(  # the method and path are the client's: escaped for the terminal
            printable(
                f"{self.client_address[0]} {self.command} {self.path} {status} {elapsed:.1f}ms"
            )
        )

    do_GET = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def __getattr__(self, name: str) -> Any:
        # Every other method (TRACE, QUERY, ...) reaches the function too, which answers 405.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


class LocalFunctionServer(LoopbackHTTPServer):
    def __init__(
        self,
        address: tuple[str, int],
        shape: str,
        handler: Callable[[Any, Any], Any],
        time_limit_ms: int = DEFAULT_TIME_LIMIT_MS,
        log: Callable[[str], None] | None = None,
        door: front_door_auth.Door | None = None,
        idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
        self.shape = shape
        self.handler = handler
        self.time_limit_ms = time_limit_ms
        self.door = door
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        super().__init__(address, _Handler, idle_timeout)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"
