"""A client's TC3-HMAC-SHA256 signer for the Function URL, as a ``requests`` auth: it signs the
prepared request (the exact bytes sent), so that any client built on requests, schemathesis
included, calls ``autocallout serve --auth cam``. Built on the fake CCC's implementation of the
algorithm, which reproduces Tencent's worked examples (tests/fake)."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from autocallout.fake_ccc import signature
from autocallout.front_door_auth import CAM_SERVICE, LOCAL_CAM_KEY, KeyPair

SIGNED_HEADERS = ("content-type", "host")


class Tc3Auth(requests.auth.AuthBase):
    def __init__(
        self, key: KeyPair = LOCAL_CAM_KEY, clock: Callable[[], float] = time.time
    ) -> None:
        self.key = key
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(request.url or "")
        body = request.body or b""
        payload = body.encode() if isinstance(body, str) else body
        request.headers.setdefault("Content-Type", "application/json")
        request.headers["Host"] = url.netloc
        timestamp = int(self.clock())
        date = signature.credential_date(timestamp)
        canonical = signature.canonical_request(
            request.method or "GET",
            url.path or "/",
            url.query,
            dict(request.headers),
            SIGNED_HEADERS,
            payload,
        )
        to_sign = signature.string_to_sign(
            timestamp, date, CAM_SERVICE, signature.sha256_hex(canonical.encode())
        )
        signed = signature.signature(self.key.secret, date, CAM_SERVICE, to_sign)
        request.headers["Authorization"] = (
            f"{signature.ALGORITHM} Credential={self.key.key_id}/{date}/{CAM_SERVICE}/tc3_request, "
            f"SignedHeaders={';'.join(SIGNED_HEADERS)}, Signature={signed}"
        )
        request.headers["X-TC-Timestamp"] = str(timestamp)
        return request
