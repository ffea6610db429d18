"""`autocallout events` makes events that `invoke` answers; `demo` walks the samples."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import run


@pytest.mark.parametrize("shape", ["apigw", "function-url", "timer", "direct"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_generated_event_is_answered_for_its_task(shape: str, method: str) -> None:
    event = run(
        "events",
        shape,
        "--sdk-app-id",
        "1400000000",
        "--task-id",
        "3",
        "--method",
        method,
        "--callee-limit",
        "2",
    )
    answer = json.loads(run("invoke", "-", stdin=event.stdout).stdout)

    if "statusCode" in answer:
        answer = json.loads(answer["body"])
    if "results" in answer:
        [answer] = answer["results"]
    assert (answer["task_id"], answer["callee_page"]["returned"]) == (3, 2)


def test_an_apigw_post_event_can_carry_a_base64_body() -> None:
    event = json.loads(
        run(
            "events",
            "apigw",
            "--sdk-app-id",
            "1400000000",
            "--task-id",
            "5",
            "--method",
            "POST",
            "--base64",
        ).stdout
    )
    assert event["isBase64Encoded"] is True
    assert json.loads(run("invoke", "-", stdin=json.dumps(event)).stdout)["statusCode"] == 200


def test_a_timer_event_can_poll_several_tasks() -> None:
    event = json.loads(
        run(
            "events",
            "timer",
            "--sdk-app-id",
            "1400000000",
            "--task-id",
            "3",
            "--task-id",
            "5",
            "--no-include-callees",
        ).stdout
    )
    assert json.loads(event["Message"]) == [
        {"SdkAppId": 1400000000, "TaskId": 3, "include_callees": False},
        {"SdkAppId": 1400000000, "TaskId": 5, "include_callees": False},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["events", "direct", "--sdk-app-id", "1", "--task-id", "3", "--task-id", "4"],
            "only for a timer",
        ),
        (
            ["events", "direct", "--sdk-app-id", "0", "--task-id", "3"],
            "expected a whole number >= 1",
        ),
        (["events", "sqs", "--sdk-app-id", "1", "--task-id", "3"], "invalid choice"),
        (["events", "direct", "--task-id", "3"], "required"),
    ],
)
def test_bad_event_arguments_get_a_one_line_error(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_demo_summarises_every_sample_and_shows_one_answer() -> None:
    result = run("demo")
    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert any(line.startswith("timer-two-tasks.json") and " 200 " in line for line in lines)
    assert any(line.startswith("unknown-task.json") and " 404 " in line for line in lines)
    assert "Full answer to events/function-url-post-task.json:" in result.stdout
    assert '"name": "任务1"' in result.stdout


def test_the_demo_outside_the_repository_says_where_to_run_it() -> None:
    result = run("demo", "--events", "/nonexistent")
    assert result.returncode == 2
    assert "run from the repository root" in result.stderr
