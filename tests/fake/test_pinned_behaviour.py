"""Behaviour of the fake that an audit could break without any other test noticing (issue 18)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, CccError, FakeCccServer
from tests.fake.modes import Fake
from tests.sdk_clients import sdk_client
from tests.seeded import TASK


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


def test_advancing_a_running_task_settles_each_call_and_calls_the_next_waiting_callee() -> None:
    backend = CccBackend()
    callees = [
        {"Callee": "13800000000", "State": 3, "Sessions": ["earlier"]},  # even: answers
        {"Callee": "13800000001", "State": 4},  # waiting to retry: called next
        {"Callee": "13800000002", "State": 3},  # even: answers
        {"Callee": "13800000003", "State": 3},  # odd: does not answer
    ]
    backend.put_task({"SdkAppId": 1, "TaskId": 7, "State": 1, "Callees": callees})
    before = backend.encoded_task(1, 7)

    task = backend.advance_task(1, 7)

    assert [callee["State"] for callee in task["Callees"]] == [1, 3, 1, 2]
    assert task["Callees"][0]["Sessions"] == ["earlier", "fake-7-0"]
    assert task["Callees"][2]["Sessions"] == ["fake-7-2"]
    assert task["State"] == 1
    assert json.loads(backend.encoded_task(1, 7)) != json.loads(before)  # the cache was dropped


def test_the_call_log_lists_every_field_of_a_call(fake_server: FakeCccServer) -> None:
    sdk_client(fake_server.endpoint).call("DescribeAutoCalloutTask", TASK)
    [call] = requests.get(f"{fake_server.url}/_fake/calls", timeout=5).json()
    assert set(call) == {"action", "params", "secret_id", "error_code", "request_id", "at"}
    assert call["action"] == "DescribeAutoCalloutTask"
    assert call["params"] == TASK
    assert call["secret_id"] == DEFAULT_CREDENTIALS.secret_id
    assert call["error_code"] is None
    assert call["at"] == pytest.approx(time.time(), abs=60)
    assert len(call["request_id"]) == 36


def test_sts_issues_fresh_temporary_credentials_that_expire() -> None:
    backend = CccBackend(clock=lambda: 1_700_000_000.0)
    backend.roles.add("qcs::cam::uin/1:roleName/r")

    issued, expires_at = backend.assume_role("qcs::cam::uin/1:roleName/r", 900)
    again, _ = backend.assume_role("qcs::cam::uin/1:roleName/r", 900)

    assert re.fullmatch(r"AKIDFAKESTS[0-9A-F]{20}", issued.secret_id)
    assert re.fullmatch(r"[0-9a-f]{32}", issued.secret_key)
    assert re.fullmatch(r"[0-9a-f]{48}", issued.token or "")
    assert expires_at == issued.expires_at == 1_700_000_900.0
    assert backend.lookup_credentials(issued.secret_id) == issued
    assert again.secret_id != issued.secret_id


def test_sts_refuses_a_role_it_does_not_know_naming_it() -> None:
    with pytest.raises(CccError) as refused:
        CccBackend().assume_role("qcs::cam::uin/1:roleName/nobody", 900)
    assert refused.value.code == "ResourceNotFound.RoleNotExist"
    assert "qcs::cam::uin/1:roleName/nobody" in refused.value.message


def test_sts_states_the_expiry_in_utc_both_ways(fake: Fake) -> None:
    fake.backend.roles.add("qcs::cam::uin/1:roleName/r")
    fake.backend.clock = lambda: 1_700_000_000.0
    fake.backend.max_clock_skew = 10**10
    creds = DEFAULT_CREDENTIALS
    profile = ClientProfile(
        httpProfile=HttpProfile(
            endpoint=fake.endpoint, protocol="http" if fake.endpoint else "https"
        )
    )
    client = CommonClient(
        "sts", "2018-08-13", Credential(creds.secret_id, creds.secret_key, creds.token), "", profile
    )
    answer = client.call_json(
        "AssumeRole", {"RoleArn": "qcs::cam::uin/1:roleName/r", "RoleSessionName": "t"}
    )["Response"]
    assert answer["ExpiredTime"] == 1_700_007_200
    assert answer["Expiration"] == "2023-11-15T00:13:20Z"
