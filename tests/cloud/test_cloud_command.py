"""``autocallout cloud``: serves until Ctrl-C, prints and writes the provider's environment,
keeps its state in a file when asked, and refuses bad arguments in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.cloud import sample_functions
from tests.cloud.signed_requests import post


def _start(*arguments: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "autocallout.cli", "cloud", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("local cloud on http://127.0.0.1:"), first
    return process, first.split()[3]


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=20)


def test_it_writes_the_providers_environment_and_answers(tmp_path: Path) -> None:
    env_file = tmp_path / "cloud.env"
    process, url = _start("--env-file", str(env_file))
    try:
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert values["HTTP_PROXY"] == url
        assert values["TENCENTCLOUD_DOMAIN"] == "local-cloud.invalid"
        assert values["TENCENTCLOUD_PROTOCOL"] == "HTTP"
        assert requests.get(f"{url}/_cloud/health", timeout=10).json()["ok"] is True
    finally:
        assert _stop(process) == 0


def test_its_state_survives_a_restart_in_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process, url = _start("--state", str(state))
    try:
        body = json.dumps({"RoleName": "exec", "PolicyDocument": sample_functions.trust_document()})
        answer = post(url, "cam", "CreateRole", body.encode(), version="2019-01-16")
        assert "RoleId" in answer.json()["Response"]
    finally:
        assert _stop(process) == 0
    assert "exec" in state.read_text()

    again, url = _start("--state", str(state))
    try:
        assert requests.get(f"{url}/_cloud/resources", timeout=10).json() == {
            "cam.roles": [json.loads(state.read_text())["state"]["cam.roles"].popitem()[0]]
        }
    finally:
        assert _stop(again) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--port", "70000"], "expected a port from 0 to 65535"),
        (["--tasks", "/no/such/tasks.json"], "no such tasks file: /no/such/tasks.json"),
    ],
)
def test_bad_arguments_are_one_line(arguments: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autocallout.cli", "cloud", *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**os.environ},
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_state_file_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("[1, 2]")
    result = subprocess.run(
        [sys.executable, "-m", "autocallout.cli", "cloud", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"autocallout cloud: error: cannot read the state file {state}:"
        " not a local cloud state file"
    )
