"""``mock_ccc`` serves the standard library's ``http.client`` too (the function's transport): the
Tencent hosts reach the fake's loopback server, other hosts off this machine are refused, loopback
is left alone, and the fake's faults happen on real sockets."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time

import pytest
from callout_task import sdk_transport
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, FakeCccServer, mock_ccc
from autocallout.fake_ccc.mock import tencent_hosts_at
from tests.seeded import TASK


def _signed_call(
    host: str, service: str = "ccc", action: str = "DescribeAutoCalloutTask", seconds: float = 5
) -> dict:
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    version = {"ccc": "2020-02-10", "sts": "2018-08-13"}[service]
    endpoint = sdk_transport.Endpoint(service, version, "", credentials, f"https://{host}")
    chunks: list[bytes] = []
    params = (
        TASK
        if service == "ccc"
        else {"RoleArn": "qcs::cam::uin/1:roleName/r", "RoleSessionName": "s"}
    )
    sdk_transport.exchange(
        endpoint, action, dict(params), Deadline(time.monotonic() + seconds), 2**20, chunks.append
    )
    endpoint.disconnect()
    answer: dict = json.loads(b"".join(chunks))["Response"]
    return answer


@pytest.mark.parametrize(
    "host",
    ["ccc.tencentcloudapi.com", "ccc.ap-shanghai.tencentcloudapi.com"],
)
def test_a_signed_https_call_to_ccc_s_public_host_is_answered_by_the_backend(host: str) -> None:
    with mock_ccc() as backend:
        answer = _signed_call(host)

    assert answer["Name"]  # the seeded task 3, from the backend
    [call] = backend.calls
    assert (call.action, call.error_code) == ("DescribeAutoCalloutTask", None)


def test_sts_s_public_host_is_answered_by_the_same_backend() -> None:
    with mock_ccc() as backend:
        answer = _signed_call("sts.tencentcloudapi.com", "sts", "AssumeRole")

    assert answer["Error"]["Code"] == "ResourceNotFound.RoleNotExist"  # the backend's roles
    assert [call.action for call in backend.calls] == ["AssumeRole"]


@pytest.mark.parametrize("host", ["cvm.tencentcloudapi.com", "example.com", "10.0.0.1"])
@pytest.mark.parametrize("kind", [http.client.HTTPConnection, http.client.HTTPSConnection])
def test_any_other_host_off_this_machine_is_refused_before_a_packet_leaves(
    host: str, kind: type[http.client.HTTPConnection]
) -> None:
    connection = kind(host, timeout=5)
    with mock_ccc(), pytest.raises(ConnectionRefusedError, match="not served by the fake"):
        connection.request("GET", "/")


def test_loopback_servers_are_reached_as_usual_under_the_mock() -> None:
    with FakeCccServer() as url, mock_ccc() as backend:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request("GET", "/_fake/health")
        answer = connection.getresponse()
        body = json.loads(answer.read())
        connection.close()

    assert (answer.status, body["ok"]) == (200, True)
    assert backend.calls == []  # the other server's, not the mock's


def test_http_client_is_itself_again_once_the_mock_stops() -> None:
    before = (http.client.HTTPConnection.connect, http.client.HTTPSConnection.connect)
    with mock_ccc(), mock_ccc():  # nested: the outer still routes after the inner stops
        during = http.client.HTTPSConnection.connect
    after = (http.client.HTTPConnection.connect, http.client.HTTPSConnection.connect)

    assert during is not before[1]
    assert after == before


def test_the_innermost_mock_answers_and_the_outer_one_again_once_it_stops() -> None:
    with mock_ccc() as outer:
        with mock_ccc() as inner:
            _signed_call("ccc.tencentcloudapi.com")
        _signed_call("ccc.tencentcloudapi.com")

    assert (len(inner.calls), len(outer.calls)) == (1, 1)


def test_a_reset_the_backend_injects_is_a_reset_connection() -> None:
    with mock_ccc() as backend:
        backend.faults.inject("reset")
        with pytest.raises(sdk_transport.AttemptFailed) as failed:
            _signed_call("ccc.tencentcloudapi.com")

    assert failed.value.code == "ClientNetworkError"
    assert "reset" in failed.value.message.lower() or "closed" in failed.value.message.lower()


def test_a_delay_the_backend_injects_meets_the_caller_s_deadline() -> None:
    with mock_ccc() as backend:
        backend.faults.inject("latency", delay=2.0)
        with pytest.raises(sdk_transport.AttemptFailed) as failed:
            _signed_call("ccc.tencentcloudapi.com", seconds=0.3)

    assert failed.value.code == "DeadlineReached"
    assert [call.action for call in backend.calls] == ["DescribeAutoCalloutTask"]


def test_a_test_s_own_server_can_stand_in_for_the_tencent_hosts() -> None:
    with FakeCccServer() as url, tencent_hosts_at(url):
        answer = _signed_call("ccc.tencentcloudapi.com")

    assert answer["Name"]
    with pytest.raises(ValueError, match="loopback"), tencent_hosts_at("http://10.0.0.1:80"):
        pass


def _kept_alive_call(endpoint: sdk_transport.Endpoint) -> dict:
    chunks: list[bytes] = []
    deadline = Deadline(time.monotonic() + 5)
    sdk_transport.exchange(
        endpoint, "DescribeAutoCalloutTask", dict(TASK), deadline, 2**20, chunks.append
    )
    answer: dict = json.loads(b"".join(chunks))["Response"]
    return answer


def test_a_connection_kept_alive_under_a_mock_is_not_answered_by_it_once_it_stops() -> None:
    # As a warm function instance keeps its CCC connection from one test's mock to the next:
    # the stopped mock's server went on answering it, from the stopped mock's backend.
    fake = DEFAULT_CREDENTIALS
    credentials = Credentials(fake.secret_id, fake.secret_key, fake.token)
    endpoint = sdk_transport.Endpoint("ccc", "2020-02-10", "", credentials)
    try:
        with mock_ccc() as first:
            _kept_alive_call(endpoint)
        with mock_ccc() as second:
            _kept_alive_call(endpoint)
        with mock_ccc() as outer:
            with mock_ccc() as inner:
                _kept_alive_call(endpoint)
            _kept_alive_call(endpoint)
    finally:
        endpoint.disconnect()

    assert [len(backend.calls) for backend in (first, second, inner, outer)] == [1, 1, 1, 1]


class _RecordingProxy:
    """A loopback proxy that records what each client asks of it and hangs up: a developer's
    local proxy (HTTPS_PROXY=http://127.0.0.1:7890), which would pass a CONNECT on to the
    internet."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.asked: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(2)
                with contextlib.suppress(OSError):
                    self.asked.append(conn.recv(4096))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_a_proxy_on_this_machine_never_sees_a_call_made_under_the_mock(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # The function's transport tunnels through the proxy to the Tencent host: the proxy is on
    # loopback, so the mock let the connection go to it, and the CONNECT on to the real CCC.
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = _RecordingProxy()
    monkeypatch.setenv(variable, proxy.url)
    try:
        with mock_ccc() as backend:
            answer = _signed_call("ccc.tencentcloudapi.com")
            with pytest.raises(sdk_transport.AttemptFailed) as refused:
                _signed_call("cvm.tencentcloudapi.com")
    finally:
        proxy.close()

    assert answer["Name"]
    assert [call.action for call in backend.calls] == ["DescribeAutoCalloutTask"]
    assert "cvm.tencentcloudapi.com is not served by the fake" in refused.value.message
    assert proxy.asked == []
