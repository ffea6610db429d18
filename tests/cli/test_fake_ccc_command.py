"""`autocallout fake-ccc` serves the fake over loopback with the credentials it prints."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from autocallout.fake_ccc import FakeCredentials
from tests.paths import REPO
from tests.sdk_clients import sdk_client

AUTOCALLOUT = str(Path(sys.executable).with_name("autocallout"))


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """The fake started with ARGS, and what it printed: its export lines, plus "tasks"."""
    process = subprocess.Popen(
        [AUTOCALLOUT, "fake-ccc", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for line in process.stdout:
        match = re.match(r"\s+export (\w+)=(\S+)", line)
        if match:
            printed[match[1]] = match[2]
        if line.startswith("tasks: "):
            printed["tasks"] = line.removeprefix("tasks: ").strip()
        if line.startswith("control API"):
            break
    return process, printed


@pytest.fixture
def started(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    process, printed = _start(*getattr(request, "param", ()))
    yield printed
    process.terminate()
    process.wait(timeout=10)


def _client(printed: dict[str, str]):  # type: ignore[no-untyped-def]
    credentials = FakeCredentials(
        printed["TENCENTCLOUD_SECRET_ID"],
        printed["TENCENTCLOUD_SECRET_KEY"],
        printed.get("TENCENTCLOUD_SESSION_TOKEN"),
    )
    return sdk_client(printed["CCC_ENDPOINT"].removeprefix("http://"), credentials)


def test_the_printed_endpoint_and_credentials_work_with_the_sdk(started: dict[str, str]) -> None:
    body = json.loads(
        _client(started).call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3})
    )
    assert body["Response"]["Name"] == "任务1"


@pytest.mark.parametrize(
    "started",
    [("--secret-id", "AKIDMINE", "--secret-key", "my-key", "--token", "tok")],
    indirect=True,
)
def test_given_credentials_are_temporary_when_a_token_is_given(started: dict[str, str]) -> None:
    assert started["TENCENTCLOUD_SECRET_ID"] == "AKIDMINE"
    assert started["TENCENTCLOUD_SESSION_TOKEN"] == "tok"
    without_token = {k: v for k, v in started.items() if k != "TENCENTCLOUD_SESSION_TOKEN"}
    with pytest.raises(TencentCloudSDKException) as caught:
        _client(without_token).call(
            "DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3}
        )
    assert caught.value.code == "AuthFailure.TokenFailure"


def test_a_tasks_file_replaces_the_bundled_seed(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(json.dumps([{"SdkAppId": 1400000099, "TaskId": 1, "Name": "mine", "State": 2}]))
    process, printed = _start("--tasks", str(seed))
    try:
        body = json.loads(
            _client(printed).call("DescribeAutoCalloutTask", {"SdkAppId": 1400000099, "TaskId": 1})
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert body["Response"]["Name"] == "mine"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tasks", "/no/such/file.json"], "no such tasks file"),
        (["--secret-id", "AKIDONLY"], "--secret-id and --secret-key go together"),
        (["--port", "x"], "expected a port from 0 to 65535"),
    ],
)
def test_bad_arguments_get_a_one_line_error(args: list[str], message: str) -> None:
    result = subprocess.run(
        [AUTOCALLOUT, "fake-ccc", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_control_api_lists_the_seeded_tasks(started: dict[str, str]) -> None:
    listed = requests.get(f"{started['CCC_ENDPOINT']}/_fake/tasks", timeout=10).json()
    keys = [(task["SdkAppId"], task["TaskId"]) for task in listed]
    assert keys == [(1400000000, n) for n in (1, 3, 4, 5, 6, 7, 8)] + [(1400000001, 1)]
    by_key = {(task["SdkAppId"], task["TaskId"]): task for task in listed}
    assert by_key[(1400000000, 3)] == {
        "SdkAppId": 1400000000, "TaskId": 3, "Name": "任务1", "State": 1, "Callees": 6
    }  # fmt: skip
    assert by_key[(1400000000, 7)]["Callees"] == 10_000


def test_the_start_text_and_the_readme_name_the_same_tasks(started: dict[str, str]) -> None:
    assert started["tasks"] == "SdkAppId 1400000000: tasks 1, 3-8; SdkAppId 1400000001: task 1"
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"seed tasks are {started['tasks']}" in readme
