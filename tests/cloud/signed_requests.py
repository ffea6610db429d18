"""Cloud API requests signed by hand (TC3-HMAC-SHA256, with the fake CCC's implementation of the
algorithm), sent through the local cloud as the provider sends them: to ``<service>.<domain>``
with the cloud as the HTTP proxy."""

from __future__ import annotations

import time

import requests

from autocallout.fake_ccc import signature
from autocallout.local_cloud import DOMAIN, LOCAL_CREDENTIALS


def post(
    proxy: str,
    service: str,
    action: str,
    body: bytes = b"{}",
    *,
    version: str = "2018-04-16",
    secret_id: str = LOCAL_CREDENTIALS.secret_id,
    secret_key: str = LOCAL_CREDENTIALS.secret_key,
    scope: str | None = None,
    timestamp: int | None = None,
    method: str = "POST",
) -> requests.Response:
    """A request signed by hand, sent through the cloud as the provider sends it (proxy)."""
    host = f"{service}.{DOMAIN}"
    when = int(time.time()) if timestamp is None else timestamp
    date = signature.credential_date(when)
    headers = {"Content-Type": "application/json", "Host": host}
    canonical = signature.canonical_request(
        method, "/", "", headers, ("content-type", "host"), body
    )
    scoped = scope or service
    to_sign = signature.string_to_sign(when, date, scoped, signature.sha256_hex(canonical.encode()))
    headers.update(
        {
            "Authorization": f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/{scoped}/tc3_request, "
            f"SignedHeaders=content-type;host, "
            f"Signature={signature.signature(secret_key, date, scoped, to_sign)}",
            "X-TC-Action": action,
            "X-TC-Version": version,
            "X-TC-Timestamp": str(when),
        }
    )
    return requests.request(
        method,
        f"http://{host}/",
        data=body,
        headers=headers,
        proxies={"http": proxy},
        timeout=10,
    )
