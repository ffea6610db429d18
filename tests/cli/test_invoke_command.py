"""`autocallout invoke`: main_handler in process on an event file, its answer as pretty JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from autocallout.fake_ccc import FakeCccServer
from autocallout.local_invoke import DEFAULT_TIME_LIMIT_MS
from tests.cli.commands import run
from tests.paths import REPO


def test_invoking_a_sample_prints_the_answer_and_exits_0() -> None:
    result = run("invoke", "events/direct-invoke.json")
    answer = json.loads(result.stdout)
    assert result.returncode == 0
    assert (answer["task_id"], answer["state"]) == (3, "running")
    said, *log_lines = result.stderr.splitlines()
    assert said.startswith("autocallout invoke: calling the fake CCC in process")
    logged = [json.loads(line) for line in log_lines]
    assert [line["message"] for line in logged] == ["invocation"]  # the log line, off stdout


def test_an_event_on_standard_input() -> None:
    result = run("invoke", "-", stdin=json.dumps({"SdkAppId": 1400000000, "TaskId": 1}))
    assert json.loads(result.stdout)["name"] == "foobar"


def test_an_http_event_prints_the_four_field_response() -> None:
    result = run("invoke", "events/function-url-get-task.json")
    assert json.loads(result.stdout)["statusCode"] == 200


@pytest.mark.parametrize(
    ("event", "status"), [("unknown-task.json", 404), ("bad-task-id.json", 400)]
)
def test_a_non_2xx_answer_exits_1(event: str, status: int) -> None:
    result = run("invoke", f"events/{event}")
    answer = json.loads(result.stdout)
    assert result.returncode == 1
    assert answer.get("status", answer.get("statusCode")) == status


def test_a_tasks_file_seeds_the_fake(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(
        json.dumps([{"SdkAppId": 1400000123, "TaskId": 9, "Name": "from my seed", "State": 2}])
    )
    result = run(
        "invoke", "-", "--fake", "--tasks", str(seed), stdin='{"SdkAppId": 1400000123, "TaskId": 9}'
    )
    assert json.loads(result.stdout)["name"] == "from my seed"


def test_live_without_credentials_is_a_one_line_error() -> None:
    result = run("invoke", "events/direct-invoke.json", "--live")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "autocallout invoke: error: --live needs credentials: set TENCENTCLOUD_SECRET_ID and "
        "TENCENTCLOUD_SECRET_KEY (in the environment or the --env-file)"
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["invoke", "no/such/event.json"], None, "no such event file"),
        (["invoke", "-"], "{not json", "is not JSON"),
        (["invoke", "events/direct-invoke.json", "--fake", "--live"], None, "not allowed with"),
        (
            ["invoke", "events/direct-invoke.json", "--tasks", "/nope.json"],
            None,
            "no such tasks file",
        ),
        (
            ["invoke", "events/direct-invoke.json", "--time-limit-ms", "-5"],
            None,
            "expected milliseconds from 1 to 900000",
        ),
        (["invoke"], None, "required"),
        (["nonsense"], None, "invalid choice"),
        ([], None, "required"),
    ],
)
def test_bad_arguments_get_a_one_line_error(
    args: list[str], stdin: str | None, message: str
) -> None:
    result = run(*args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [[], ["invoke"], ["serve"], ["fake-ccc"], ["events"], ["demo"]])
def test_every_level_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: autocallout")


def test_version_is_the_installed_package_version() -> None:
    from importlib.metadata import version

    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"autocallout {version('autocallout')}"


def test_standard_input_is_called_standard_input() -> None:
    result = run("invoke", "-", stdin="{not json")
    assert result.returncode == 2
    assert result.stderr.startswith("autocallout invoke: error: standard input is not JSON: ")


def test_a_bad_tasks_file_is_named_once(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text("{}")
    result = run("invoke", "events/direct-invoke.json", "--tasks", str(seed))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"autocallout invoke: error: cannot read tasks from {seed}: "
        "the seed file must hold a JSON list of tasks"
    )


def test_a_tasks_file_that_is_not_json_says_where(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text('[{"SdkAppId": 1,\n  oops}]')
    result = run("invoke", "events/direct-invoke.json", "--tasks", str(seed))
    assert result.stderr.strip() == (
        f"autocallout invoke: error: cannot read tasks from {seed}: not JSON (line 2, column 3: "
        "Expecting property name enclosed in double quotes)"
    )


def _deployed_timeout_seconds() -> int:
    import hcl2

    with (REPO / "infra" / "modules" / "autocallout" / "variables.tf").open() as file:
        variables = hcl2.load(file)["variable"]
    [timeout] = [block['"timeout"'] for block in variables if '"timeout"' in block]
    return int(timeout["default"])


def test_the_default_time_limit_is_the_deployed_functions_timeout() -> None:
    result = run("invoke", "--help")

    assert _deployed_timeout_seconds() * 1000 == DEFAULT_TIME_LIMIT_MS
    assert f"(default {DEFAULT_TIME_LIMIT_MS}:" in " ".join(result.stdout.split())


def test_a_ccc_slower_than_3_s_is_waited_for_as_the_deployed_function_would() -> None:
    # Given a CCC that answers after 4 s (more than the 3 s local runs used to give)
    with FakeCccServer() as url:
        requests.post(
            f"{url}/_fake/faults", json={"kind": "latency", "delay": 4, "times": 1}, timeout=5
        ).raise_for_status()
        # When a local run calls it with the default time limit
        result = run("invoke", "events/direct-invoke.json", "--ccc-endpoint", url)
    # Then it gets the task, as the deployed function (10 s) would
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["task_id"] == 3
