"""infra/modules/autocallout/settings.tf, planned and applied by the real Terraform binary (it
holds no resource, so no provider is needed): the env file a local run takes, and the timer's
message, both fed to the real `autocallout` console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from callout_task.config import ENVIRONMENT_VARIABLES

from tests.cli.commands import run
from tests.infra.paths import MODULE
from tests.infra.tools import terraform_without_provider

AUTOCALLOUT = str(Path(sys.executable).with_name("autocallout"))


@pytest.fixture(scope="module")
def settings_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("settings-only")
    for name in ("variables.tf", "rate_limit_store_variables.tf", "settings.tf"):
        shutil.copy(MODULE / name, directory / name)
    # The allowlist has no default (least privilege): the seeded application of the fake
    (directory / "terraform.tfvars").write_text(
        'allowed_sdk_app_ids = ["1400000000"]\n', encoding="utf-8"
    )
    result = terraform_without_provider(directory, "init")
    assert result.returncode == 0, result.stderr
    return directory


def _vars(values: dict[str, str]) -> list[str]:
    return [part for name, value in values.items() for part in ("-var", f"{name}={value}")]


def _local_env(directory: Path, values: dict[str, str]) -> str:
    applied = terraform_without_provider(directory, "apply", "-auto-approve", *_vars(values))
    assert applied.returncode == 0, applied.stderr
    output = terraform_without_provider(directory, "output", "-raw", "local_env")
    assert output.returncode == 0, output.stderr
    return output.stdout


def _timer_message(directory: Path, values: dict[str, str]) -> str:
    console = subprocess.run(
        [*_terraform_command(directory), "console", *_vars(values)],
        input="local.timer_message\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert console.returncode == 0, console.stderr
    message: str = json.loads(console.stdout)  # an HCL string literal, JSON-compatible here
    return message


def _terraform_command(directory: Path) -> list[str]:
    from tests.infra.tools import terraform_binary

    return [str(terraform_binary()), f"-chdir={directory}"]


def test_local_env_holds_every_variable_the_function_reads(settings_only: Path) -> None:
    text = _local_env(settings_only, {})
    names = [line.split("=", 1)[0] for line in text.splitlines()]
    assert sorted(names) == sorted(ENVIRONMENT_VARIABLES)


def test_local_env_gives_a_local_run_the_deployed_configuration(
    settings_only: Path, tmp_path: Path
) -> None:
    # Given a deployment that may read one application, at 10 requests/second over 5 instances
    text = _local_env(
        settings_only,
        {"allowed_sdk_app_ids": '["1400000001"]', "total_qps": "10", "max_instances": "5"},
    )
    env_file = tmp_path / "deployed.env"
    env_file.write_text(text, encoding="utf-8")
    # When the sample (another application) runs locally with Terraform's env file
    result = run("invoke", "events/direct-invoke.json", "--env-file", str(env_file))
    # Then the allowlist refuses it, and the instance's rate is the cloud's (the whole total)
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == 403
    assert "RATE_LIMIT_QPS=10\n" in text


@pytest.mark.parametrize(("include", "expected_callees"), [("", 0), (", include_callees=true", 6)])
def test_the_timer_message_asks_for_callees_only_when_told(
    settings_only: Path, include: str, expected_callees: int
) -> None:
    # Given a timer task written as a user would, without or with include_callees
    message = _timer_message(
        settings_only,
        {
            "timer_cron": "0 */5 * * * * *",
            "timer_tasks": f'[{{sdk_app_id="1400000000", task_id=3{include}}}]',
        },
    )
    # When the function gets Terraform's message in a timer event
    event = {"Type": "Timer", "TriggerName": "poll-tasks", "Message": message}
    result = run("invoke", "-", stdin=json.dumps(event))
    # Then the answer carries the callees only if asked, the summary always
    [answer] = json.loads(result.stdout)["results"]
    assert len(answer["callees"]) == expected_callees
    assert answer["callee_summary"]["total"] == 6


def test_the_timer_message_keeps_a_19_digit_sdk_app_id_exact(settings_only: Path) -> None:
    message = _timer_message(
        settings_only,
        {
            "timer_cron": "0 */5 * * * * *",
            "timer_tasks": '[{sdk_app_id="9223372036854775807", task_id=1}]',
            "allowed_sdk_app_ids": '["9223372036854775807"]',
        },
    )
    assert json.loads(message) == [
        {"SdkAppId": 9223372036854775807, "TaskId": 1, "include_callees": False}
    ]
