"""`autocallout watch`: a watching timer's ticks on this machine, each event printed and
delivered to the targets on the command line (here, local receivers checking signatures)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.commands import AUTOCALLOUT, clean_environment, run
from tests.function.watch_receivers import Receiver
from tests.paths import REPO


def events_of(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_a_task_advanced_on_the_fake_prints_every_change_once() -> None:
    result = run("watch", "--ticks", "7", "--interval", "0", "--advance")

    assert result.returncode == 0, result.stderr
    told = [(e["type"], e["data"]["after"]["state"]) for e in events_of(result.stdout)]
    assert told == [
        ("task.state.changed", "initial"),
        ("task.state.changed", "running"),
        ("task.progress", "running"),
        ("task.progress", "running"),
        ("task.state.changed", "completed"),
    ]
    ticks = [line for line in result.stderr.splitlines() if ": tick " in line]
    assert len(ticks) == 7
    assert ticks[-1].endswith("tick 7: 4: completed; delivered 0, pending 0")


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    with Receiver("webhook") as receiver:
        yield receiver


def test_events_are_delivered_to_a_webhook_given_on_the_command_line(webhook: Receiver) -> None:
    result = run(
        "watch",
        "--task", "1400000000:3",
        "--task", "1400000000:5",
        "--ticks", "2",
        "--interval", "0",
        "--webhook", webhook.url,
        "--webhook-secret", webhook.secret or "",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    printed = [event["id"] for event in events_of(result.stdout)]
    assert len(printed) == 2
    assert webhook.event_ids() == printed  # verified by standardwebhooks, each once
    assert "delivered 2, pending 0" in result.stderr
    assert webhook.secret not in result.stderr + result.stdout


def test_a_robot_given_on_the_command_line_gets_its_platforms_message() -> None:
    with Receiver("dingtalk") as dingtalk:
        result = run(
            "watch", "--ticks", "1", "--dingtalk", dingtalk.url,
            "--dingtalk-secret", dingtalk.secret or "",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert dingtalk.refused == []
    assert len(dingtalk.event_ids()) == 1
    assert dingtalk.token not in result.stderr


def test_a_running_fake_ccc_is_watched_through_its_endpoint() -> None:
    fake = subprocess.Popen(
        [AUTOCALLOUT, "fake-ccc", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=clean_environment(),
    )
    assert fake.stdout is not None
    endpoint = ""
    for line in fake.stdout:
        match = re.match(r"\s+export CCC_ENDPOINT=(\S+)", line)
        if match:
            endpoint = match[1]
        if line.startswith("control API"):
            break
    try:
        result = run(
            "watch", "--ccc-endpoint", endpoint, "--ticks", "3", "--interval", "0", "--advance"
        )
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    told = [(e["type"], e["data"]["after"]["state"]) for e in events_of(result.stdout)]
    assert told == [
        ("task.state.changed", "initial"),
        ("task.state.changed", "running"),
        ("task.progress", "running"),
    ]
    assert endpoint in result.stderr.splitlines()[0]  # it says which CCC it calls


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "3"], "expected SDKAPPID:TASKID"),
        (["--wecom", "https://example.com/cgi-bin/webhook/send?key=k"], "points to example.com"),
        (["--webhook", "https://hooks.example.com/in"], "needs a signing secret"),
        (["--feishu-secret", "s"], "--feishu-secret goes with --feishu"),
        (["--events", "weather"], "events must list some of state, progress, lookup"),
        (["--redis-url", "http://x"], "--redis-url must start with redis://"),
        (["--interval", "-1"], "expected seconds"),
    ],
)
def test_bad_arguments_get_a_one_line_error(args: list[str], message: str) -> None:
    result = run("watch", "--ticks", "1", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # usage line at most, no traceback
    assert "key=k" not in result.stderr
