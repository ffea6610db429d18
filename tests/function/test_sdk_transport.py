"""One attempt over HTTP signed with the SDK's signer (callout_task.sdk_transport) still fits the
SDK and urllib3, and signs as the SDK's own clients do.

The SDK is used for one thing, ``Sign.sign_tc3``; urllib3 for one internal, ``_new_conn``. When
a release changes either, a test here fails: re-read it, check sdk_transport still holds, then
update the digest.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from typing import Any

import pytest
from callout_task import assume_role, redis_password, sdk_transport, upstream
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from tencentcloud.ccc.v20200210.ccc_client import CccClient
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.sign import Sign
from urllib3.connection import HTTPConnection, HTTPSConnection

from autocallout.fake_ccc import FakeCccServer
from autocallout.fake_ccc.models import DEFAULT_CREDENTIALS

SIGNER_AS_READ = "102d0f2fe9240802"


def test_the_sdk_s_signer_is_as_it_was_read() -> None:
    digest = hashlib.sha256(inspect.getsource(Sign.sign_tc3).encode()).hexdigest()[:16]
    assert digest == SIGNER_AS_READ, "Sign.sign_tc3 changed: re-read it"


@pytest.mark.parametrize("connection", [HTTPConnection, HTTPSConnection])
def test_urllib3_connects_through_new_conn_and_keeps_the_socket(connection: type[Any]) -> None:
    # The watch adopts a connection's socket when _new_conn returns it: before the TLS
    # handshake, which connect() runs next.
    assert "self._new_conn()" in inspect.getsource(connection.connect)
    assert "def _new_conn(self) -> socket.socket:" in inspect.getsource(HTTPConnection)


def test_each_service_is_called_with_the_sdk_s_version_of_its_api() -> None:
    assert CccClient._apiVersion == upstream.VERSION
    assert (upstream.SERVICE, upstream.ACTION) == ("ccc", "DescribeAutoCalloutTask")
    assert hasattr(CccClient, upstream.ACTION)
    assert assume_role.STS_VERSION == "2018-08-13"
    assert redis_password.SSM_VERSION == "2019-09-23"


@pytest.mark.parametrize("token", ["a-session-token", None])
@pytest.mark.parametrize("region", ["ap-shanghai", ""])
def test_a_request_is_signed_as_the_sdk_s_own_client_signs_it(
    token: str | None, region: str
) -> None:
    credentials = Credentials("AKIDEXAMPLE", "secret-key", token)
    endpoint = sdk_transport.Endpoint("ccc", "2020-02-10", region, credentials)
    params = {"SdkAppId": 1400000000, "TaskId": 3}
    payload = json.dumps(params).encode()
    timestamp = 1_700_000_000

    ours = endpoint.signed_headers("DescribeAutoCalloutTask", payload, timestamp)

    sdk = CommonClient("ccc", "2020-02-10", Credential("AKIDEXAMPLE", "secret-key", token), region)
    request = RequestInternal("ccc.tencentcloudapi.com", "POST", "/")
    original = time.time
    try:
        time.time = lambda: float(timestamp)  # the SDK reads the clock itself
        sdk._build_req_with_tc3_signature("DescribeAutoCalloutTask", params, request)
    finally:
        time.time = original
    assert request.data == payload.decode()
    expected = {k: v for k, v in request.header.items() if k != "X-TC-RequestClient"}
    assert ours == expected


def test_an_endpoint_sends_through_watched_connections_and_follows_no_redirect(
    fake_server: FakeCccServer,
) -> None:
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    endpoint = sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials, fake_server.url)
    deadline = Deadline.for_invocation(None, 2.0, time.monotonic())
    chunks: list[bytes] = []

    sdk_transport.exchange(
        endpoint,
        "DescribeAutoCalloutTask",
        {"SdkAppId": 1400000000, "TaskId": 3},
        deadline,
        2**20,
        chunks.append,
    )

    assert b'"RequestId"' in b"".join(chunks)
    session = endpoint.session
    assert type(session.get_adapter("http://x")).__name__ == "WatchedAdapter"
    assert session.get_adapter("https://x") is session.get_adapter("http://x")
    assert session.get_redirect_target(object()) is None
    pools = session.get_adapter("http://x").poolmanager.pool_classes_by_scheme
    assert pools["http"].ConnectionCls.__name__ == "WatchedHTTPConnection"
    assert pools["https"].ConnectionCls.__name__ == "WatchedHTTPSConnection"


@pytest.mark.parametrize(
    ("secret_id", "secret_key"), [("", "key"), ("AKID", " key"), ("AKID ", "key"), ("AKID", "")]
)
def test_credentials_the_sdk_would_refuse_are_refused(secret_id: str, secret_key: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names no part of them
        sdk_transport.Endpoint("ccc", "2020-02-10", "", Credentials(secret_id, secret_key))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's own refusal
        Credential(secret_id, secret_key)
