"""The wire protocol around the backend: one function from an HTTP request to the fake's reply.

Both front ends — ``mock_ccc`` (in process, on ``responses``) and ``FakeCccServer`` (loopback
HTTP) — hand every request to ``handle`` and only translate its ``Reply`` for their transport.
Order of checks: action header, signature (expiry, SecretId, scope, signature, token), version,
known action, body, injected faults, then the action with its parameters.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from autocallout.fake_ccc import signature
from autocallout.fake_ccc.exceptions import CccError
from autocallout.fake_ccc.faults import Fault
from autocallout.fake_ccc.models import CallRecord, CccBackend
from autocallout.fake_ccc.responses import SERVICES

JSON_CONTENT_TYPE = "application/json"  # exactly what Tencent sends; the SDK compares it verbatim


@dataclass(frozen=True)
class Request:
    """An HTTP request as the fake sees it, whichever front end received it."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """Case-insensitive look-up; ``name`` in lower case."""
        for key, value in self.headers.items():
            if key.lower() == name:
                return value
        return ""


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": JSON_CONTENT_TYPE})
    delay: float = 0.0
    reset: bool = False


@dataclass
class _Call:
    action: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    secret_id: str | None = None
    fault: Fault | None = None


def _envelope(inner: bytes, request_id: str) -> bytes:
    suffix = b'"RequestId":' + json.dumps(request_id).encode() + b"}}"
    if inner == b"{}":
        return b'{"Response":{' + suffix
    return b'{"Response":' + inner[:-1] + b"," + suffix


def error_body(code: str, message: str, request_id: str) -> bytes:
    inner = {"Error": {"Code": code, "Message": message}}
    return _envelope(json.dumps(inner, ensure_ascii=False).encode(), request_id)


def handle(backend: CccBackend, request: Request) -> Reply:
    request_id = str(uuid.uuid4())
    call = _Call()
    try:
        inner = _serve(backend, request, call)
    except CccError as error:
        backend.record(_record(backend, call, error.code, request_id))
        delay = call.fault.delay if call.fault else 0.0
        return Reply(200, error_body(error.code, error.message, request_id), delay=delay)
    fault = call.fault
    if fault is None:
        backend.record(_record(backend, call, None, request_id))
        return Reply(200, _envelope(inner, request_id))
    code = fault.code if fault.kind == "error" else f"fault:{fault.kind}"
    backend.record(_record(backend, call, code, request_id))
    reply = Reply(200, _envelope(inner, request_id))
    _apply(fault, reply, request_id)
    return reply


def _record(backend: CccBackend, call: _Call, code: str | None, request_id: str) -> CallRecord:
    return CallRecord(call.action, call.params, call.secret_id, code, request_id, backend.clock())


def _apply(fault: Fault, reply: Reply, request_id: str) -> None:
    reply.delay = fault.delay
    if fault.kind == "error":
        reply.body = error_body(fault.code, fault.message, request_id)
    elif fault.kind == "status":
        reply.status = fault.status
        reply.headers = {"Content-Type": "text/html"}
        reply.body = (
            f"<html><body><h1>{fault.status} injected by the fake CCC</h1></body></html>".encode()
        )
    elif fault.kind == "truncated":
        reply.body = reply.body[: max(1, len(reply.body) // 2)]
    elif fault.kind == "not_json":
        reply.headers = {"Content-Type": "text/html"}
        reply.body = b"<html><body>upstream proxy error</body></html>"
    elif fault.kind == "reset":
        reply.reset = True


def _serve(backend: CccBackend, request: Request, call: _Call) -> bytes:
    call.action = request.header("x-tc-action")
    if request.method not in ("GET", "POST"):
        raise CccError("InvalidParameter", f"HTTP method {request.method} is not supported.")
    if not call.action:
        raise CccError("MissingParameter", "The request is missing the X-TC-Action header.")
    call.secret_id, name = _authenticate(backend, request)
    service = SERVICES[name]
    version = request.header("x-tc-version")
    if not version:
        raise CccError("MissingParameter", "The request is missing the X-TC-Version header.")
    if version != service.version:
        raise CccError("NoSuchVersion", f"The API version `{version}` does not exist for {name}.")
    action = service.actions.get(call.action)
    if action is None:
        raise CccError("InvalidAction", f"The action `{call.action}` is not supported by {name}.")
    call.params = _params(request)
    call.fault = backend.faults.take(call.action)
    if call.fault is not None and call.fault.kind not in ("latency", "truncated"):
        return b"{}"
    return action(backend, call.params)


def _params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        # A query string carries text only: whole numbers are read as the integers they spell.
        pairs = parse_qsl(request.query, keep_blank_values=True)
        return {k: int(v) if v.isascii() and v.isdigit() else v for k, v in pairs}
    content_type = request.header("content-type").split(";")[0].strip().lower()
    if content_type != JSON_CONTENT_TYPE:
        raise CccError("InvalidParameter", f"Content-Type `{content_type}` is not supported.")
    try:
        params = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CccError("InvalidParameter", "The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise CccError("InvalidParameter", "The request body must be a JSON object.")
    return params


def _authenticate(backend: CccBackend, request: Request) -> tuple[str, str]:
    """SecretId and service of a correctly signed request; raises the error Tencent would."""
    auth = signature.parse_authorization(request.header("authorization"))
    if auth is None or not {"content-type", "host"} <= set(auth.signed_headers):
        raise CccError(
            "AuthFailure.InvalidAuthorization",
            "The Authorization header is missing or is not a TC3-HMAC-SHA256 authorization.",
        )
    raw_timestamp = request.header("x-tc-timestamp")
    if not raw_timestamp.isdecimal():  # what int() reads; isdigit() also takes "²", int() not
        raise CccError("MissingParameter", "The request is missing a valid X-TC-Timestamp header.")
    timestamp = int(raw_timestamp)
    if abs(backend.clock() - timestamp) > backend.max_clock_skew:
        raise CccError(
            "AuthFailure.SignatureExpire",
            "The request's timestamp is too far from the server's time (more than 5 minutes).",
        )
    credential = backend.lookup_credentials(auth.secret_id)
    if credential is None:
        raise CccError("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    host_service = request.header("host").split(".", 1)[0]
    if host_service in SERVICES and host_service != auth.service:
        raise CccError(
            "AuthFailure.SignatureFailure",
            f"The credential scope names {auth.service} but the request went to {host_service}.",
        )
    if auth.service not in SERVICES or auth.date != signature.credential_date(timestamp):
        raise CccError(
            "AuthFailure.SignatureFailure",
            "The credential scope does not match the service or the timestamp's date.",
        )
    canonical = signature.canonical_request(
        request.method,
        request.path,
        request.query,
        request.headers,
        auth.signed_headers,
        request.body,
    )
    expected = signature.signature(
        credential.secret_key,
        auth.date,
        auth.service,
        signature.string_to_sign(
            timestamp, auth.date, auth.service, signature.sha256_hex(canonical.encode())
        ),
    )
    if not hmac.compare_digest(expected, auth.signature):
        raise CccError("AuthFailure.SignatureFailure", "The request signature is incorrect.")
    if credential.token is not None and not hmac.compare_digest(
        request.header("x-tc-token").encode(), credential.token.encode()
    ):
        raise CccError(
            "AuthFailure.TokenFailure", "The X-TC-Token is missing or does not match the key."
        )
    if credential.expires_at is not None and backend.clock() >= credential.expires_at:
        raise CccError("AuthFailure.TokenFailure", "The temporary credentials have expired.")
    return credential.secret_id, auth.service
