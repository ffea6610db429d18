"""Behaviour of the fake that an audit could break without any other test noticing (issue 18)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer
from tests.fake.conftest import Fake

TASK = {"SdkAppId": 1400000000, "TaskId": 3}


def _signed_headers(host: str, body: bytes, timestamp: int, scope_date: str) -> dict[str, str]:
    """TC3-HMAC-SHA256 headers written here from Tencent's description, independently of the
    fake's own signer, with the credential scope's date given rather than derived."""

    def hmac_sha256(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    content_type = "application/json"
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{scope_date}/ccc/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = hmac_sha256(("TC3" + DEFAULT_CREDENTIALS.secret_key).encode(), scope_date)
    key = hmac_sha256(hmac_sha256(key, "ccc"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Authorization": (
            f"TC3-HMAC-SHA256 Credential={DEFAULT_CREDENTIALS.secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        ),
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": "DescribeAutoCalloutTask",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": "2020-02-10",
        "X-TC-Token": DEFAULT_CREDENTIALS.token or "",
    }


@pytest.mark.parametrize(
    ("days_off", "expected"), [(0, None), (-1, "AuthFailure.SignatureFailure")]
)
def test_the_credential_scope_must_name_the_timestamps_utc_day(
    fake: Fake, days_off: int, expected: str | None
) -> None:
    # Signed consistently either way: only the scope's date differs from the timestamp's day.
    timestamp = int(time.time())
    day = datetime.fromtimestamp(timestamp, tz=timezone.utc) + timedelta(days=days_off)
    host = fake.endpoint or "ccc.tencentcloudapi.com"
    body = json.dumps(TASK).encode()
    headers = _signed_headers(host, body, timestamp, day.strftime("%Y-%m-%d"))
    scheme = "http" if fake.endpoint else "https"

    answer = requests.post(f"{scheme}://{host}/", data=body, headers=headers, timeout=5).json()

    error = answer["Response"].get("Error")
    assert (error["Code"] if error else None) == expected
    if expected is None:
        assert answer["Response"]["Name"] == "任务1"


def _control_request_from(server: FakeCccServer, client_host: str) -> int:
    """The status of a control API call as answered to a client at ``client_host``.

    Tests may only use loopback, so the connection is a loopback one and the server is told the
    peer is ``client_host``: the request then takes the server's own path from there on, as one
    from another machine would (socketserver's finish_request is where accept() hands over)."""
    body = json.dumps({"kind": "error", "code": "InternalError"}).encode()
    request = (
        b"POST /_fake/faults HTTP/1.1\r\nHost: fake\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    with (
        socket.create_server(("127.0.0.1", 0)) as listener,
        socket.create_connection(listener.getsockname()[:2], timeout=5) as client,
    ):
        accepted, _ = listener.accept()
        with accepted:
            client.sendall(request)
            server._server.finish_request(accepted, (client_host, 50000))
        status_line = client.makefile("rb").readline()
    return int(status_line.split()[1])


@pytest.mark.parametrize(("client_host", "status"), [("127.0.0.1", 200), ("198.51.100.7", 403)])
def test_the_server_answers_control_calls_from_loopback_clients_only(
    client_host: str, status: int
) -> None:
    backend = CccBackend.seeded()
    server = FakeCccServer(backend)
    with server:
        assert _control_request_from(server, client_host) == status
    assert len(backend.faults.pending()) == (1 if status == 200 else 0)
