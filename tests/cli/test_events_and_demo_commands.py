"""`autocallout events` makes events that `invoke` answers; `demo` walks the samples."""

from __future__ import annotations

import json

import pytest

from tests.cli.commands import run


@pytest.mark.parametrize(
    ("shape", "method"),
    [
        ("apigw", ["--method", "GET"]),
        ("apigw", ["--method", "POST"]),
        ("function-url", ["--method", "GET"]),
        ("function-url", ["--method", "POST"]),
        ("function-url", []),
        ("timer", []),
        ("direct", []),
    ],
)
def test_a_generated_event_is_answered_for_its_task(shape: str, method: list[str]) -> None:
    event = run(
        "events", shape, "--sdk-app-id", "1400000000", "--task-id", "3", *method,
        "--callee-limit", "2",
    )  # fmt: skip
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["timer", "--method", "POST"], "--method applies to HTTP events (apigw, function-url)"),
        (["direct", "--method", "GET"], "--method applies to HTTP events"),
        (["timer", "--base64"], "--base64 applies to HTTP events"),
        (["function-url", "--base64"], "--base64 encodes a request body: add --method POST"),
        (["apigw", "--method", "GET", "--base64"], "add --method POST"),
    ],
)
def test_an_events_option_meaningless_for_the_shape_is_refused(
    args: list[str], message: str
) -> None:
    result = run("events", *args, "--sdk-app-id", "1400000000", "--task-id", "3")
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_every_events_option_has_help_text() -> None:
    # argparse lists an option without help alone on its line, with nothing after its name
    help_text = run("events", "--help").stdout
    options = help_text.split("options:\n", 1)[1].splitlines()
    silent = [
        line.strip()
        for line, following in zip(options, [*options[1:], ""], strict=True)
        if line.startswith("  -")
        and "  " not in line.strip()
        and not following.startswith(" " * 10)
    ]
    assert silent == []
    positional = help_text.split("positional arguments:\n", 1)[1].split("\n\n", 1)[0]
    assert "the trigger" in positional


def test_demo_refuses_an_event_to_show_that_does_not_exist() -> None:
    result = run("demo", "--show", "nope.json")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "autocallout demo: error: --show nope.json: no such event in events"
    )
