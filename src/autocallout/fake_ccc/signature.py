"""TC3-HMAC-SHA256, the Cloud API 3.0 request signature, computed the way Tencent documents it.

The fake recomputes every request's signature from its canonical form and the SecretKey it knows,
so a client that signs wrongly is refused here as it would be by Tencent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

ALGORITHM = "TC3-HMAC-SHA256"

_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/\s]+)/(?P<date>\d{4}-\d{2}-\d{2})"
    r"/(?P<service>[a-z0-9]+)/tc3_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Authorization:
    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_authorization(value: str) -> Authorization | None:
    """The parts of an ``Authorization`` header, or None when it is not a TC3 one."""
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        return None
    return Authorization(
        secret_id=match["secret_id"],
        date=match["date"],
        service=match["service"],
        signed_headers=tuple(match["signed"].split(";")),
        signature=match["signature"],
    )


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    payload: bytes,
) -> str:
    """Header names are matched case-insensitively; values are trimmed and lower-cased."""
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical_headers = "".join(
        f"{name}:{lowered.get(name, '').strip().lower()}\n" for name in signed_headers
    )
    return "\n".join(
        (
            method.upper(),
            path or "/",
            query,
            canonical_headers,
            ";".join(signed_headers),
            sha256_hex(payload),
        )
    )


def credential_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def iso_utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def signing_key(secret_key: str, date: str, service: str) -> bytes:
    def step(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()

    return step(step(step(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")


def string_to_sign(timestamp: int, date: str, service: str, hashed_canonical_request: str) -> str:
    scope = f"{date}/{service}/tc3_request"
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{hashed_canonical_request}"


def signature(secret_key: str, date: str, service: str, to_sign: str) -> str:
    key = signing_key(secret_key, date, service)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
