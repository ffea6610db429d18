"""The server mode's control API: faults, tasks (listed in order, without their callees) and the
call log from another process, for loopback clients only."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from autocallout.fake_ccc import CccBackend, FakeCccServer
from autocallout.fake_ccc.server import is_loopback_client
from tests.sdk_clients import sdk_client
from tests.seeded import TASK


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


def test_faults_injected_over_http_apply_to_the_next_call(fake_server: FakeCccServer) -> None:
    answer = requests.post(
        f"{fake_server.url}/_fake/faults",
        json={"kind": "error", "code": "InternalError.DBError"},
        timeout=5,
    )
    assert answer.json() == {"pending": 1}

    with pytest.raises(TencentCloudSDKException) as caught:
        sdk_client(fake_server.endpoint).call("DescribeAutoCalloutTask", TASK)

    assert caught.value.code == "InternalError.DBError"
    calls = requests.get(f"{fake_server.url}/_fake/calls", timeout=5).json()
    assert [call["error_code"] for call in calls] == ["InternalError.DBError"]


def test_a_bad_fault_is_answered_400(fake_server: FakeCccServer) -> None:
    answer = requests.post(f"{fake_server.url}/_fake/faults", json={"kind": "meteor"}, timeout=5)
    assert answer.status_code == 400
    assert "unknown fault kind" in answer.json()["error"]


def test_tasks_added_and_advanced_over_http(fake_server: FakeCccServer) -> None:
    task = {"SdkAppId": 1400000077, "TaskId": 1, "Name": "new", "State": 0, "Callees": []}
    requests.post(f"{fake_server.url}/_fake/tasks", json=task, timeout=5).raise_for_status()
    advanced = requests.post(
        f"{fake_server.url}/_fake/tasks/advance",
        json={"SdkAppId": 1400000077, "TaskId": 1},
        timeout=5,
    )

    body = json.loads(
        sdk_client(fake_server.endpoint).call(
            "DescribeAutoCalloutTask", {"SdkAppId": 1400000077, "TaskId": 1}
        )
    )

    assert advanced.json() == {"State": 1}
    assert body["Response"]["State"] == 1


def test_an_unknown_control_route_is_404(fake_server: FakeCccServer) -> None:
    assert requests.get(f"{fake_server.url}/_fake/nothing", timeout=5).status_code == 404


def test_the_server_keeps_connections_alive_across_calls() -> None:
    with FakeCccServer(CccBackend.seeded()) as url:
        client = sdk_client(url.removeprefix("http://"))
        client.request.set_keep_alive()
        for _ in range(3):
            client.call("DescribeAutoCalloutTask", TASK)
        pool = client.request.conn._session.adapters["http://"].poolmanager.pools
        assert len(pool.keys()) == 1


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5", False),
        ("192.168.1.2", False),
        ("::ffff:10.0.0.5", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
        # addresses that resemble loopback without being it
        ("0.0.0.0", False),  # noqa: S104 - every address of this machine, reachable from others
        ("::", False),
        ("128.0.0.1", False),
        ("1127.0.0.1", False),
        ("::2", False),
        ("::ffff:128.0.0.1", False),
        ("127.0.0.1.evil.net", False),
        ("localhost", False),  # a name, never what a socket reports
        ("2130706433", False),
    ],
)
def test_only_loopback_clients_may_use_the_control_api(host: str, allowed: bool) -> None:
    assert is_loopback_client(host) is allowed


@pytest.mark.parametrize(
    ("length", "status", "says"),
    [
        ("abc", 400, b"Content-Length must be digits"),
        ("-5", 400, b"Content-Length must be digits"),
        ("1e3", 400, b"Content-Length must be digits"),
        ("\u0662", 400, b"Content-Length must be digits"),  # int() would read it as 2
        ("99999999999", 413, b"body too large"),
    ],
)
def test_a_body_the_server_will_not_read_is_refused_and_the_connection_closes(
    fake_server: FakeCccServer, length: str, status: int, says: bytes
) -> None:
    host, port = fake_server.endpoint.split(":")
    request = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n{{}}"
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(request.encode())
        answer = b""
        while chunk := raw.recv(65536):  # the server hangs up: no wait for a body it won't read
            answer += chunk

    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert answer.endswith(says)


def test_the_control_api_lists_every_task_in_order_without_its_callees(
    fake_server: FakeCccServer,
) -> None:
    fake_server.backend.put_task({"SdkAppId": 1400000000, "TaskId": 2, "Callees": None})

    listed = requests.get(f"{fake_server.url}/_fake/tasks", timeout=5).json()

    assert listed == [
        {"SdkAppId": 1400000000, "TaskId": 1, "Name": "foobar", "State": 1, "Callees": 1},
        {"SdkAppId": 1400000000, "TaskId": 2, "Name": None, "State": None, "Callees": 0},
        {"SdkAppId": 1400000000, "TaskId": 3, "Name": "任务1", "State": 1, "Callees": 6},
        {"SdkAppId": 1400000000, "TaskId": 4, "Name": "无截止时间任务", "State": 0, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 5, "Name": "暂停的任务", "State": 5, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 6, "Name": "future-state", "State": 9, "Callees": 2},
        {"SdkAppId": 1400000000, "TaskId": 7, "Name": "大批量外呼", "State": 2, "Callees": 10_000},
        {"SdkAppId": 1400000000, "TaskId": 8, "Name": "sparse", "State": 4, "Callees": 0},
        {
            "SdkAppId": 1400000001,
            "TaskId": 1,
            "Name": "other application",
            "State": 3,
            "Callees": 2,
        },
    ]


@pytest.mark.parametrize(("client_host", "status"), [("127.0.0.1", 200), ("198.51.100.7", 403)])
def test_the_server_answers_control_calls_from_loopback_clients_only(
    client_host: str, status: int
) -> None:
    backend = CccBackend.seeded()
    server = FakeCccServer(backend)
    with server:
        assert _control_request_from(server, client_host) == status
    assert len(backend.faults.pending()) == (1 if status == 200 else 0)
