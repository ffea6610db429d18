"""One attempt over HTTP signed with the SDK's signer (callout_task.sdk_transport) still fits the
SDK, signs as the SDK's own clients do, and keeps its connection as a kept-alive client should.

The SDK is used for one thing, ``Sign.sign_tc3``. When a release changes it, a test here fails:
re-read it, check sdk_transport still holds, then update the digest.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import socket
import threading
import time

import pytest
from callout_task import assume_role, redis_password, sdk_transport, upstream
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from tencentcloud.ccc.v20200210.ccc_client import CccClient
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.sign import Sign

from autocallout.fake_ccc.models import DEFAULT_CREDENTIALS
from tests.function.rude_upstream import RudeUpstream, Step, answer, task_body

SIGNER_AS_READ = "102d0f2fe9240802"


def test_the_sdk_s_signer_is_as_it_was_read() -> None:
    digest = hashlib.sha256(inspect.getsource(Sign.sign_tc3).encode()).hexdigest()[:16]
    assert digest == SIGNER_AS_READ, "Sign.sign_tc3 changed: re-read it"


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


def _answer_then_close(body: bytes) -> Step:
    """A whole answer with its length and no "Connection: close", then the connection closed:
    a server ending an idle kept-alive connection (its idle timeout) right after answering."""
    keep = answer(body)

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        keep(conn, stop)
        return False

    return step


def _exchange_with(endpoint: sdk_transport.Endpoint) -> bytes:
    chunks: list[bytes] = []
    deadline = Deadline(time.monotonic() + 2.0)
    sdk_transport.exchange(
        endpoint,
        "DescribeAutoCalloutTask",
        {"SdkAppId": 1, "TaskId": 3},
        deadline,
        2**20,
        chunks.append,
    )
    return b"".join(chunks)


def _endpoint(url: str) -> sdk_transport.Endpoint:
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    return sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials, url)


def test_an_endpoint_keeps_its_connection_alive_between_calls() -> None:
    with RudeUpstream(answer(task_body("first")), answer(task_body("second"))) as server:
        endpoint = _endpoint(server.url)
        bodies = [_exchange_with(endpoint), _exchange_with(endpoint)]

    assert bodies == [task_body("first"), task_body("second")]
    assert (server.requests, server.connections) == (2, 1)


def test_a_kept_alive_connection_the_server_has_dropped_is_replaced_before_the_next_call() -> None:
    # Sent on the dropped connection, the request would find it closed: a network error, an
    # attempt (and a rate-limit token) spent on nothing.
    script = (_answer_then_close(task_body("first")), answer(task_body("second")))
    with RudeUpstream(*script) as server:
        endpoint = _endpoint(server.url)
        first = _exchange_with(endpoint)
        time.sleep(0.05)  # the server's FIN arrives
        second = _exchange_with(endpoint)

    assert (first, second) == (task_body("first"), task_body("second"))
    assert (server.requests, server.connections) == (2, 2)


def _answer_and_wait_for_the_close(head: bytes, closed: threading.Event) -> Step:
    """``head`` and more body than the client will read, then ``closed`` set once the client
    has closed its end (a FIN, or a reset: the client closed with the body unread)."""

    def step(conn: socket.socket, stop: threading.Event) -> bool:
        conn.sendall(head + b"x" * 2 * sdk_transport.BODY_CHUNK_BYTES)
        while not stop.is_set():
            try:
                conn.settimeout(0.05)
                if conn.recv(65536):
                    continue
            except TimeoutError:
                continue
            except ConnectionResetError:
                pass  # closed with the answer unread: a reset, not a FIN
            closed.set()
            return False
        return False

    return step


@pytest.mark.parametrize(
    ("head", "code"),
    [
        (b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\n", "ServerNetworkError"),
        (b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/\r\n\r\n", "ServerNetworkError"),
        (b"HTTP/1.0 200 OK\r\n\r\n", "BodyTooLarge"),
    ],
    ids=["503 ending the connection", "302 without a length", "200 past the limit"],
)
def test_a_failed_answer_s_connection_is_closed_when_the_attempt_ends(
    head: bytes, code: str
) -> None:
    # An answer that ends its connection has http.client hand the socket over to the answer: a
    # failed attempt that closed only the connection left the socket open for as long as the
    # failure (its traceback holds the answer) lived, or until a garbage collection.
    closed = threading.Event()
    with RudeUpstream(_answer_and_wait_for_the_close(head, closed)) as server:
        endpoint = _endpoint(server.url)
        chunks: list[bytes] = []
        with pytest.raises(sdk_transport.AttemptFailed) as failed:
            sdk_transport.exchange(
                endpoint, "X", {}, Deadline(time.monotonic() + 2.0), 1024, chunks.append
            )
        seen = closed.wait(2.0)

    assert failed.value.code == code
    assert seen, "the client's end of the connection is still open"


@pytest.mark.parametrize(
    ("secret_id", "secret_key"), [("", "key"), ("AKID", " key"), ("AKID ", "key"), ("AKID", "")]
)
def test_credentials_the_sdk_would_refuse_are_refused(secret_id: str, secret_key: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names no part of them
        sdk_transport.Endpoint("ccc", "2020-02-10", "", Credentials(secret_id, secret_key))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's own refusal
        Credential(secret_id, secret_key)
