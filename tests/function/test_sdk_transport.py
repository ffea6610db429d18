"""The one adapter over the SDK's private parts (callout_task.sdk_transport) still fits the SDK.

The digests below are of the SDK functions the adapter relies on, as read for
tencentcloud-sdk-python-common 3.1.195: ``_call`` signs and sends and raises
``ClientNetworkError`` for any failure to send; ``ApiRequest.conn`` is a ``ProxyConnection``
whose ``timeout`` is read per request and whose requests ``_session`` sends with
``stream=True``. When a new SDK release changes any of them this test fails: re-read the changed
function, check sdk_transport still holds, then update its digest here.
"""

from __future__ import annotations

import hashlib
import inspect
import time
from collections.abc import Callable
from typing import Any

import pytest
from callout_task import sdk_transport
from callout_task.deadline import Deadline
from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.http.request import ApiRequest, ProxyConnection
from urllib3.connection import HTTPConnection, HTTPSConnection

from autocallout.fake_ccc import FakeCccServer
from tests.conftest import sdk_client

READ_AS_OF = {
    AbstractClient._call: "3fae331d046d0384",
    ApiRequest.__init__: "2877e124fd100e94",
    ApiRequest._request: "ade83c038400c2ae",
    ApiRequest.send_request: "1c632bf0c62c543f",
    ProxyConnection.__init__: "7d04b8a6e1618327",
    ProxyConnection.request: "5b04c8040261cef2",
}


@pytest.mark.parametrize("function", READ_AS_OF, ids=[f.__qualname__ for f in READ_AS_OF])
def test_the_sdk_internals_the_adapter_uses_are_as_they_were_read(
    function: Callable[..., Any],
) -> None:
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == READ_AS_OF[function], f"{function.__qualname__} changed: re-read it"


@pytest.mark.parametrize("connection", [HTTPConnection, HTTPSConnection])
def test_urllib3_connects_through_new_conn_and_keeps_the_socket(connection: type[Any]) -> None:
    # The watch adopts a connection's socket when _new_conn returns it: before the TLS
    # handshake, which connect() runs next.
    assert "self._new_conn()" in inspect.getsource(connection.connect)
    assert "def _new_conn(self) -> socket.socket:" in inspect.getsource(HTTPConnection)


def test_a_prepared_client_sends_through_watched_connections(
    fake_server: FakeCccServer,
) -> None:
    client = sdk_client(fake_server.endpoint)
    sdk_transport.prepare(client)
    deadline = Deadline.for_invocation(None, 2.0, time.monotonic())

    chunks: list[bytes] = []
    sdk_transport.exchange(
        client,
        "DescribeAutoCalloutTask",
        {"SdkAppId": 1400000000, "TaskId": 3},
        deadline,
        2**20,
        chunks.append,
    )
    body = b"".join(chunks)

    assert b'"RequestId"' in body
    session = client.request.conn._session
    assert type(session.get_adapter("http://x")).__name__ == "WatchedAdapter"
    assert session.get_adapter("https://x") is session.get_adapter("http://x")  # CCC's scheme
    assert 0 < client.request.conn.timeout <= 2.0
    pools = session.get_adapter("http://x").poolmanager.pool_classes_by_scheme
    assert pools["http"].ConnectionCls.__name__ == "WatchedHTTPConnection"
    assert pools["https"].ConnectionCls.__name__ == "WatchedHTTPSConnection"
