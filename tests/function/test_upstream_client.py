"""The CCC client (callout_task.upstream): what the real SDK sends to a loopback CCC that records
it, and which clients (with their kept-alive connections) a warm instance keeps."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from callout_task import handler, problems
from callout_task.config import Settings
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from callout_task.invocation import CallReport, Invocation
from callout_task.rate_limit import TokenBucket
from callout_task.request import TaskRequest
from callout_task.upstream import describe_task

from tests.function.rude_upstream import task_body
from tests.seeded import TASK


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request with a task; records its headers and body, counts connections."""

    protocol_version = "HTTP/1.1"  # keeps connections alive
    server: _RecordingCcc

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), json.loads(body)))
        answer = task_body()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _RecordingCcc(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[tuple[dict[str, str], Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def recording_ccc(monkeypatch: pytest.MonkeyPatch) -> Iterator[_RecordingCcc]:
    server = _RecordingCcc()
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    monkeypatch.setenv("CCC_ENDPOINT", server.url)
    monkeypatch.setenv("RATE_LIMIT_QPS", "0")
    yield server
    server.shutdown()
    server.server_close()


def _use_credentials(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRETID", f"AKID{name}")
    monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", f"key-{name}")
    monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", f"token-{name}")


def test_the_request_names_the_action_the_region_the_task_and_the_session(
    recording_ccc: _RecordingCcc, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCC_REGION", "ap-singapore")
    _use_credentials(monkeypatch, "ROLE")

    answer = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})

    assert answer["name"] == "rude"
    [(headers, body)] = recording_ccc.requests
    assert body == TASK
    assert headers["X-TC-Action"] == "DescribeAutoCalloutTask"
    assert headers["X-TC-Region"] == "ap-singapore"
    assert headers["X-TC-Token"] == "token-ROLE"
    assert "Credential=AKIDROLE/" in headers["Authorization"]


def test_a_warm_instance_keeps_the_clients_of_the_latest_four_credentials(
    recording_ccc: _RecordingCcc, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each client has its own kept-alive connection: a client kept is a connection reused.
    for name in ("A", "B", "C", "D", "A", "E", "E", "A"):
        _use_credentials(monkeypatch, name)
        assert handler.main_handler(dict(TASK), {"time_limit_in_ms": 3000})["name"] == "rude"

    # A, B, C, D connect; A is reused; E connects (B, the least recently used, goes); E and A
    # are reused.
    assert (len(recording_ccc.requests), recording_ccc.connections) == (8, 5)


TASK_REQUEST = TaskRequest(1400000000, 3)


def _invocation(seconds_left: float) -> Invocation:
    now = time.monotonic()
    return Invocation(
        Settings(), TokenBucket(0, 1), Deadline(now + seconds_left), "direct", "r", None, now, False
    )


@pytest.mark.parametrize("credentials", [Credentials("", "key"), Credentials("AKID", " key")])
def test_credentials_the_sdk_refuses_are_a_502_saying_so(credentials: Credentials) -> None:
    # STS's answer is used as it comes: blank or padded credentials reach the SDK.
    with pytest.raises(problems.CredentialsMissing) as refused:
        describe_task(credentials, _invocation(2.0), TASK_REQUEST, CallReport())

    assert refused.value.status == 502
    assert refused.value.body("r")["detail"]


def test_no_time_to_call_ccc_says_ccc_was_not_called() -> None:
    report = CallReport()
    with pytest.raises(problems.UpstreamTimeout) as late:
        describe_task(Credentials("AKID", "key"), _invocation(0.01), TASK_REQUEST, report)

    assert report.attempts == 0
    assert "CCC " in late.value.detail
