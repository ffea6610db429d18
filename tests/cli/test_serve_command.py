"""`autocallout serve` over real loopback HTTP: both event shapes, methods, limits, concurrency."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

TASK_QUERY = {"SdkAppId": "1400000000", "TaskId": "3"}


@pytest.mark.parametrize(
    "served", [(), ("--shape", "apigw")], indirect=True, ids=["function-url", "apigw"]
)
def test_get_with_a_query_string(served: str) -> None:
    answer = requests.get(served, params=TASK_QUERY, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["X-Request-Id"]
    assert answer.json()["name"] == "任务1"


@pytest.mark.parametrize(
    "served", [(), ("--shape", "apigw")], indirect=True, ids=["function-url", "apigw"]
)
def test_post_with_a_json_body(served: str) -> None:
    answer = requests.post(
        served, json={"SdkAppId": 1400000000, "TaskId": 7, "callee_limit": 5}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json()["callee_page"]["next_offset"] == 5


def test_repeated_query_keys_with_different_values_are_400(served: str) -> None:
    answer = requests.get(f"{served}/?SdkAppId=1400000000&TaskId=3&TaskId=4", timeout=10)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"] == "application/problem+json; charset=utf-8"


def test_options_is_answered_without_a_body(served: str) -> None:
    answer = requests.options(served, timeout=10)
    assert answer.status_code == 204
    assert answer.headers["Allow"] == "GET, POST, OPTIONS"
    assert answer.content == b""


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(served: str, method: str) -> None:
    answer = requests.request(method, served, params=TASK_QUERY, timeout=10)
    assert answer.status_code == 405
    assert answer.json()["status"] == 405


def test_a_body_over_64_kib_is_413(served: str) -> None:
    answer = requests.post(
        served,
        data=json.dumps({"SdkAppId": 1400000000, "TaskId": 3, "x": "y" * 70_000}),
        timeout=10,
    )
    assert answer.status_code == 413


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_a_content_length_that_is_not_a_byte_count_is_400(served: str, length: str) -> None:
    # "abc" raised in int() (no answer, a traceback), "-1" read until the client hung up
    url = urlsplit(served)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        head = f"POST / HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {length}\r\n\r\n"
        connection.sendall(head.encode() + b"{}")
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 ")


def test_an_unknown_task_is_404(served: str) -> None:
    assert (
        requests.get(
            served, params={"SdkAppId": "1400000000", "TaskId": "404"}, timeout=10
        ).status_code
        == 404
    )


def test_concurrent_requests_are_all_answered(served: str) -> None:
    def ask(task_id: int) -> tuple[int, int]:
        answer = requests.get(
            served, params={"SdkAppId": "1400000000", "TaskId": str(task_id)}, timeout=20
        )
        return answer.status_code, answer.json().get("task_id", answer.json().get("status"))

    task_ids = [1, 3, 4, 5, 6, 7, 8] * 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(ask, task_ids))
    assert results == [(200, task_id) for task_id in task_ids]


def test_serve_on_a_port_in_use_is_a_one_line_error(served: str) -> None:
    from tests.cli.commands import run

    port = served.rsplit(":", 1)[1]
    result = run("serve", "--port", port)
    assert result.returncode == 2
    assert result.stderr == (
        f"autocallout serve: error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another server has it: choose another port with --port, 0 for any free one)\n"
    )


@pytest.mark.parametrize("path", ["/favicon.ico", "/tasks/3", "/release/"])
def test_an_unknown_path_is_a_404_problem(served: str, path: str) -> None:
    answer = requests.get(f"{served}{path}", params=TASK_QUERY, timeout=10)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert answer.json()["type"] == "urn:autocallout:problem:not-found"


@pytest.mark.parametrize("served", [("--shape", "apigw")], indirect=True, ids=["apigw"])
@pytest.mark.parametrize("path", ["/favicon.ico", "/tasks/3"])
def test_behind_the_emulated_gateway_every_path_reaches_the_lookup(served: str, path: str) -> None:
    # infra/'s API path is "/", which the legacy gateway matches by prefix: it sends every path.
    answer = requests.get(f"{served}{path}", params=TASK_QUERY, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["task_id"] == 3
