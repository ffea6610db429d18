"""Cloud API 3.0 around the backend: one function from a request to the local cloud's reply.

The service is the Host's first label (``scf.local-cloud.invalid`` — what the provider and the
SDKs send through ``HTTP_PROXY`` with their root domain changed), or, for a client pointed at the
server's own address, the credential scope's service. Then: TC3-HMAC-SHA256 checked with the fake
CCC's implementation of the algorithm (``fake_ccc.signature``), ``X-TC-Version`` against the
service's, the action, the JSON body. Every answer is HTTP 200 in Tencent's envelope, errors
included: the provider treats any other status as a network fault and retries for minutes.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

from autocallout.fake_ccc import signature
from autocallout.fake_ccc.wire import JSON_CONTENT_TYPE, Reply, Request
from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend
from autocallout.local_cloud.responses import Params, Service, cam, cls, monitor, scf, ssm, tag

SERVICES: dict[str, Service] = {
    service.name: service
    for service in (
        scf.SERVICE,
        cam.SERVICE,
        cls.SERVICE,
        monitor.SERVICE,
        tag.SERVICE,
        ssm.SERVICE,
    )
}
MAX_CALLS_KEPT = 2000


@dataclass
class _Call:
    service: str = ""
    action: str = ""
    code: str | None = None


def envelope(inner: dict[str, Any], request_id: str) -> bytes:
    return json.dumps({"Response": {**inner, "RequestId": request_id}}, ensure_ascii=False).encode()


def handle(backend: CloudBackend, request: Request) -> Reply:
    request_id = str(uuid.uuid4())
    call = _Call()
    try:
        inner = _serve(backend, request, call)
    except CloudError as error:
        call.code = error.code
        inner = {"Error": {"Code": error.code, "Message": error.message}}
    _record(backend, call, request_id)
    return Reply(200, envelope(inner, request_id))


def _record(backend: CloudBackend, call: _Call, request_id: str) -> None:
    with backend.lock:
        backend.calls.append(
            {
                "service": call.service,
                "action": call.action,
                "error_code": call.code,
                "request_id": request_id,
                "at": backend.clock(),
            }
        )
        del backend.calls[:-MAX_CALLS_KEPT]


def _serve(backend: CloudBackend, request: Request, call: _Call) -> dict[str, Any]:
    call.action = request.header("x-tc-action")
    if request.method != "POST":
        raise CloudError(
            "InvalidParameter", "The local cloud takes POST requests with a JSON body."
        )
    if not call.action:
        raise CloudError("MissingParameter", "The request is missing the X-TC-Action header.")
    call.service = authenticate(backend, request)
    service = SERVICES[call.service]
    version = request.header("x-tc-version")
    if not version:
        raise CloudError("MissingParameter", "The request is missing the X-TC-Version header.")
    if version != service.version:
        raise CloudError(
            "NoSuchVersion", f"The API version `{version}` does not exist for {service.name}."
        )
    action = service.actions.get(call.action)
    if action is None:
        raise CloudError(
            "InvalidAction", f"The action `{call.action}` is not supported by {service.name} here."
        )
    content_type = request.header("content-type").split(";")[0].strip().lower()
    if content_type != JSON_CONTENT_TYPE:
        raise CloudError("InvalidParameter", f"Content-Type `{content_type}` is not supported.")
    try:
        params = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CloudError("InvalidParameter", "The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise CloudError("InvalidParameter", "The request body must be a JSON object.")
    return action(backend, Params(params))


def service_of_host(host: str) -> str | None:
    label = host.split(".", 1)[0].lower()
    return label if label in SERVICES and "." in host else None


def authenticate(backend: CloudBackend, request: Request) -> str:
    """The service a correctly signed request is for; raises the error Tencent would."""
    auth = signature.parse_authorization(request.header("authorization"))
    if auth is None or not {"content-type", "host"} <= set(auth.signed_headers):
        raise CloudError(
            "AuthFailure.InvalidAuthorization",
            "The Authorization header is missing or is not a TC3-HMAC-SHA256 authorization.",
        )
    raw_timestamp = request.header("x-tc-timestamp")
    if not (raw_timestamp.isascii() and raw_timestamp.isdigit()) or len(raw_timestamp) > 12:
        raise CloudError(
            "MissingParameter", "The request is missing a valid X-TC-Timestamp header."
        )
    timestamp = int(raw_timestamp)
    if abs(backend.clock() - timestamp) > backend.max_clock_skew:
        raise CloudError(
            "AuthFailure.SignatureExpire",
            "The request's timestamp is more than 5 minutes from the server's time.",
        )
    credential = backend.lookup_credentials(auth.secret_id)
    if credential is None:
        raise CloudError("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
    by_host = service_of_host(request.header("host"))
    if by_host is not None and by_host != auth.service:
        raise CloudError(
            "AuthFailure.SignatureFailure",
            f"The credential scope names {auth.service} but the request went to {by_host}.",
        )
    if auth.service not in SERVICES:
        raise CloudError(
            "InvalidAction", f"The local cloud does not emulate the service `{auth.service}`."
        )
    if auth.date != signature.credential_date(timestamp):
        raise CloudError(
            "AuthFailure.SignatureFailure", "The credential scope's date is not the timestamp's."
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
        raise CloudError("AuthFailure.SignatureFailure", "The request signature is incorrect.")
    if credential.token is not None and not hmac.compare_digest(
        request.header("x-tc-token").encode(), credential.token.encode()
    ):
        raise CloudError("AuthFailure.TokenFailure", "The X-TC-Token is missing or does not match.")
    return auth.service
