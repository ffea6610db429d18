"""The front door's authentication, for ``autocallout serve --auth cam|api-key|none``.

In the cloud the function never sees an unauthenticated request: the Function URL checks a CAM
signature, the legacy API Gateway an API key, before the event is made. Locally this module plays
that part, so that the signing recipes in docs/integrations.md meet a verifier:

- ``cam``: TC3-HMAC-SHA256 over the whole request (method, path, query, signed headers, body), in
  the credential scope ``<date>/scf/tc3_request``, with ``X-TC-Timestamp`` at most 5 minutes off,
  checked with the fake CCC's own implementation of the algorithm (fake_ccc.signature).
- ``api-key``: the legacy gateway's key-pair authentication: ``Authorization: hmac id=...,
  algorithm="hmac-sha1", headers="x-date source", signature=...``, the Base64 HMAC of the listed
  headers as ``name: value`` lines, with ``X-Date`` at most 15 minutes off.

Each door knows one local key pair, printed by ``serve``. A refusal is a 401 problem: what the real
doors answer is not documented (docs/integrations.md says what is confirmed and what is ours).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from autocallout.fake_ccc import signature

MODES = ("none", "cam", "api-key")
PROBLEM_SLUG = "unauthenticated"
PROBLEM_TITLE = "The front door refused the request's credentials"
STATUS = 401
CAM_SERVICE = "scf"
CAM_MAX_SKEW_SECONDS = 300  # Tencent Cloud API's limit for X-TC-Timestamp
API_KEY_MAX_SKEW_SECONDS = 900  # the legacy gateway's documented 15 minutes for X-Date
_HMAC_ALGORITHMS = {"hmac-sha1": hashlib.sha1, "hmac-sha256": hashlib.sha256}
_HMAC_FIELD = re.compile(r'\s*([a-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class KeyPair(NamedTuple):
    key_id: str
    secret: str


# Local, published on purpose: they open nothing but `autocallout serve` on this machine
# (and are shaped unlike real keys, so that the repository credential scan passes them).
LOCAL_CAM_KEY = KeyPair("AKIDlocalFunctionUrl", "localFunctionUrlSecretKey")
LOCAL_API_KEY = KeyPair("local-api-gateway-key", "localApiGatewayKeySecret")


class Request(NamedTuple):
    """What the door sees: the request line's parts, the headers (any case) and the body bytes."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class CamDoor:
    """Function URL with CAM authentication (TC3-HMAC-SHA256)."""

    key: KeyPair = LOCAL_CAM_KEY
    clock: Callable[[], float] = field(default=time.time)
    mode: str = "cam"
    challenge: str = signature.ALGORITHM

    def refusal(self, request: Request) -> str | None:
        """None when the request is signed with this door's key, else why it is not."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        auth = signature.parse_authorization(headers.get("authorization", ""))
        if auth is None:
            return "Sign the request: the Authorization header is missing or not TC3-HMAC-SHA256."
        if "host" not in auth.signed_headers:
            return "SignedHeaders must include host."
        raw_timestamp = headers.get("x-tc-timestamp", "")
        if not (raw_timestamp.isascii() and raw_timestamp.isdigit()):
            return "X-TC-Timestamp (Unix seconds) is missing or not a number."
        # past 12 digits (milliseconds have 13) it is off whatever it is, and int() or the float
        # subtraction of a few hundred digits would raise instead of refusing
        number = raw_timestamp.lstrip("0") or "0"
        timestamp = int(number) if len(number) <= 12 else None
        if timestamp is None or abs(self.clock() - timestamp) > CAM_MAX_SKEW_SECONDS:
            return f"X-TC-Timestamp is more than {CAM_MAX_SKEW_SECONDS} seconds from the time."
        if not hmac.compare_digest(auth.secret_id.encode(), self.key.key_id.encode()):
            return "The SecretId is not one this door knows."
        if auth.service != CAM_SERVICE or auth.date != signature.credential_date(timestamp):
            return (
                f"The credential scope must be <date of X-TC-Timestamp>/{CAM_SERVICE}/tc3_request."
            )
        canonical = signature.canonical_request(
            request.method,
            request.path,
            request.query,
            headers,
            auth.signed_headers,
            request.body,
        )
        to_sign = signature.string_to_sign(
            timestamp, auth.date, auth.service, signature.sha256_hex(canonical.encode())
        )
        expected = signature.signature(self.key.secret, auth.date, auth.service, to_sign)
        if not hmac.compare_digest(expected, auth.signature):
            return "The signature does not match the request."
        return None


@dataclass(frozen=True)
class ApiKeyDoor:
    """Legacy API Gateway with key-pair authentication (``auth_type = SECRET``)."""

    key: KeyPair = LOCAL_API_KEY
    clock: Callable[[], float] = field(default=time.time)
    mode: str = "api-key"
    challenge: str = 'hmac realm="apigw"'

    def refusal(self, request: Request) -> str | None:
        """None when the request carries this door's key and a fresh signature, else why not."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        fields = _hmac_fields(headers.get("authorization", ""))
        if fields is None or not {"id", "algorithm", "headers", "signature"} <= set(fields):
            return 'Authorization must be hmac id="", algorithm="", headers="", signature=""'
        digest = _HMAC_ALGORITHMS.get(fields["algorithm"].lower())
        if digest is None:
            return f"algorithm must be one of {', '.join(_HMAC_ALGORITHMS)}."
        listed = fields["headers"].lower().split()
        if "x-date" not in listed:
            return 'headers must list x-date (headers="x-date source").'
        try:
            sent = parsedate_to_datetime(headers.get("x-date", ""))
        except (TypeError, ValueError, IndexError, OverflowError):
            return "X-Date is missing or not an HTTP date (Tue, 24 Nov 2026 08:00:00 GMT)."
        if sent.tzinfo is None:  # "-0000" or asctime's form: GMT as HTTP dates are, not local
            sent = sent.replace(tzinfo=timezone.utc)
        if abs(self.clock() - sent.timestamp()) > API_KEY_MAX_SKEW_SECONDS:
            return f"X-Date is more than {API_KEY_MAX_SKEW_SECONDS // 60} minutes from the time."
        if not hmac.compare_digest(fields["id"].encode(), self.key.key_id.encode()):
            return "The key id is not one this door knows."
        to_sign = "\n".join(f"{name}: {headers.get(name, '')}" for name in listed)
        expected = base64.b64encode(
            hmac.new(self.key.secret.encode(), to_sign.encode(), digest).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), fields["signature"].encode()):
            return "The signature does not match the listed headers."
        return None


Door = CamDoor | ApiKeyDoor


def _hmac_fields(value: str) -> dict[str, str] | None:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "hmac":
        return None
    fields: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = _HMAC_FIELD.match(rest, position)
        if match is None:
            return None
        fields[match[1]] = match[2]
        position = match.end()
    return fields


def door_for(mode: str) -> Door | None:
    """The door of ``--auth MODE``; None for ``none`` (anonymous, as ``make demo`` runs)."""
    if mode == "cam":
        return CamDoor()
    if mode == "api-key":
        return ApiKeyDoor()
    if mode == "none":
        return None
    raise ValueError(f"auth must be one of {', '.join(MODES)}")


def refusal_answer(door: Door, detail: str, request_id: str) -> dict[str, object]:
    """The 401 the local door answers, in the function's four-field shape and problem format."""
    body = {
        "type": f"urn:autocallout:problem:{PROBLEM_SLUG}",
        "title": PROBLEM_TITLE,
        "status": STATUS,
        "detail": detail,
        "request_id": request_id,
    }
    return {
        "isBase64Encoded": False,
        "statusCode": STATUS,
        "headers": {
            "Content-Type": "application/problem+json; charset=utf-8",
            "X-Request-Id": request_id,
            "Cache-Control": "no-store",
            "WWW-Authenticate": door.challenge,
        },
        "body": json.dumps(body, ensure_ascii=False),
    }


def try_lines(door: Door | None, url: str) -> list[str]:
    """How to call ``serve`` at ``url`` through ``door``: curl when anonymous, else the signed
    recipe of docs/integrations.md with the variables it reads (an unsigned curl gets 401)."""
    if door is None:
        return [f"try: curl '{url}/?SdkAppId=1400000000&TaskId=3'  (Ctrl-C stops)"]
    if door.mode == "cam":
        names = ("FUNCTION_URL", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
        recipe = 'a "CAM-signed request" recipe of docs/integrations.md (section 1)'
    else:
        names = ("GATEWAY_URL", "KEY_ID", "KEY_SECRET")
        recipe = "an API key recipe of docs/integrations.md (section 2)"
    values = (url, door.key.key_id, door.key.secret)
    exports = " ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))
    return [
        "try (every request is signed, GET /openapi.json too: an unsigned curl gets 401):",
        f"  export {exports}",
        f"  then run {recipe}  (Ctrl-C stops)",
    ]


def key_lines(door: Door | None) -> list[str]:
    """What ``serve`` prints so that a caller can sign: the door and its local key pair."""
    if door is None:
        return ["auth: none (anonymous, like a Function URL without CAM)"]
    what = "Function URL CAM, TC3-HMAC-SHA256" if door.mode == "cam" else "API Gateway key"
    return [
        f"auth: {door.mode} ({what}); the local key pair:",
        f"  key id: {door.key.key_id}",
        f"  secret: {door.key.secret}",
    ]
