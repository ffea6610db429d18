"""The watch variable: refused at plan time unless complete (Redis, a timer, valid targets), and
what Terraform sends the timer is what the function reads as its watch; its role may read exactly
the targets' SSM secrets, and an alarm follows undelivered changes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from callout_task.watch_config import watch_request

from tests.cli.commands import run
from tests.infra.cls_query import fields_named
from tests.infra.log_setup import hcl_string, index_fields
from tests.infra.paths import MODULE
from tests.infra.redis_inputs import EXISTING
from tests.infra.tf_schema_check import Config, instance_counts
from tests.infra.tools import terraform_without_provider

TIMER = {"timer_cron": "0 */5 * * * * *", "timer_tasks": '[{sdk_app_id="1400000000", task_id=3}]'}
WATCH = (
    '{name = "campaign", progress_step = 10, targets = {'
    ' ops = {kind = "wecom", secret = "watch-ops:v1"},'
    ' crm = {kind = "webhook", secret = "watch-crm:v2", host = "Hooks.Example.com"},'
    ' lark = {kind = "feishu", secret = "watch-ops:v1"} } }'
)
WATCHED = {**EXISTING, **TIMER, "watch": WATCH}
ONE = 'targets = {a = {kind = "wecom", secret = "s:v1"}}'


@pytest.fixture(scope="module")
def settings_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("watch-settings")
    for name in ("variables.tf", "rate_limit_store_variables.tf", "settings.tf"):
        shutil.copy(MODULE / name, directory / name)
    (directory / "terraform.tfvars").write_text(  # the allowlist has no default
        'allowed_sdk_app_ids = ["1400000000"]\n', encoding="utf-8"
    )
    result = terraform_without_provider(directory, "init", "-backend=false")
    assert result.returncode == 0, result.stderr
    return directory


def _arguments(values: dict[str, str]) -> list[str]:
    return [part for name, value in values.items() for part in ("-var", f"{name}={value}")]


def _console(directory: Path, values: dict[str, str], expression: str) -> Any:
    from tests.infra.tools import terraform_binary

    console = subprocess.run(
        [str(terraform_binary()), f"-chdir={directory}", "console", *_arguments(values)],
        input=f"jsonencode({expression})\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "TF_VAR_region": "ap-guangzhou", "PATH": ""},
    )
    assert console.returncode == 0, console.stderr
    return json.loads(json.loads(console.stdout))


def test_a_complete_watch_is_accepted(settings_only: Path) -> None:
    result = terraform_without_provider(settings_only, "plan", *_arguments(WATCHED))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({**TIMER, "watch": WATCH}, 'watch needs rate_limit_store = "redis"'),
        ({**EXISTING, "watch": WATCH}, "set timer_cron and timer_tasks too"),
        (
            {**WATCHED, "watch": '{targets = {a = {kind = "slack", secret = "s:v1"}}}'},
            "kind is webhook, wecom, feishu or dingtalk",
        ),
        (
            {**WATCHED, "watch": '{targets = {a = {kind = "wecom", secret = "https://qyapi"}}}'},
            '"<SSM secret name>:<version>"',
        ),
        (
            {**WATCHED, "watch": '{targets = {a = {kind = "webhook", secret = "s:v1"}}}'},
            "a webhook names the host its URL points to",
        ),
        (
            {
                **WATCHED,
                "watch": '{targets = {a = {kind = "dingtalk", secret = "s:v1", host = "x.com"}}}',
            },
            "a robot takes none",
        ),
        ({**WATCHED, "watch": "{targets = {}}"}, "1 to 8 targets"),
        (
            {
                **WATCHED,
                "watch": '{events = ["weather"], ' + ONE + "}",
            },
            'some of "state", "progress", "lookup"',
        ),
        (
            {
                **WATCHED,
                "watch": "{progress_step = 0, " + ONE + "}",
            },
            "progress_step is a whole percent 1-100",
        ),
    ],
)
def test_an_incomplete_or_invalid_watch_is_refused_at_plan_time(
    settings_only: Path, values: dict[str, str], message: str
) -> None:
    result = terraform_without_provider(settings_only, "plan", *_arguments(values))
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())


def test_the_timer_message_is_the_watch_the_function_reads(settings_only: Path) -> None:
    message = _console(settings_only, WATCHED, "local.timer_message")
    request = watch_request(json.loads(message))
    assert request is not None
    assert request.entries == [{"SdkAppId": 1400000000, "TaskId": 3, "include_callees": False}]
    assert request.watch.rules.watch == "campaign"
    assert request.watch.rules.progress_step == 10
    targets = {target.name: target for target in request.watch.targets}
    assert targets["crm"].hosts == ("hooks.example.com",)
    assert targets["ops"].secret == ("watch-ops", "v1")
    assert targets["lark"].hosts == ("open.feishu.cn", "open.larksuite.com")


def test_the_function_runs_terraforms_watch_message(settings_only: Path) -> None:
    # Given the Message Terraform writes, in a timer event to the real console script (no Redis
    # configured locally): the lookups are answered and the watch says its memory is missing
    message = _console(settings_only, WATCHED, "local.timer_message")
    event = {"Type": "Timer", "TriggerName": "poll-tasks", "Message": message}
    result = run("invoke", "-", stdin=json.dumps(event))
    answer = json.loads(result.stdout)
    assert answer["results"][0]["task_id"] == 3
    assert answer["watch"]["memory"] == "unavailable"
    assert "RATE_LIMIT_REDIS_URL" in result.stderr


def test_the_role_may_read_exactly_the_targets_secrets(settings_only: Path, infra: Config) -> None:
    names = _console(settings_only, WATCHED, "local.watch_secret_names")
    assert sorted(names) == ["watch-crm", "watch-ops"]
    # A statement of the role's one policy (iam.tf), on exactly those secrets, each named by the
    # uin that created it (SSM's create_uin), not by the account's owner
    statements = infra.locals["execution_policy_statements"]
    assert "local.watch_enabled ? [{" in statements
    assert "resource = local.watch_secret_resources" in statements
    text = json.dumps(infra.locals["watch_secret_resources"])
    assert "creatorUin/${creator}/${name}" in text
    assert "for name in local.watch_secret_names" in infra.locals["watch_secret_creators"]
    assert "secret.create_uin" in infra.locals["watch_secret_creators"]
    assert "*" not in text.replace("[*]", "")


def test_the_watch_plans_its_policy_and_alarm_only_when_set(infra: Config) -> None:
    watched = instance_counts(infra, {"watch": {"alert_after_ticks": 5}})
    plain = instance_counts(infra)
    unindexed = instance_counts(
        infra, {"watch": {"alert_after_ticks": 5}, "log_index_enabled": False}
    )
    addresses = ("data.tencentcloud_ssm_secrets.watch", "tencentcloud_cls_alarm.watch_undelivered")
    assert [watched[a] for a in addresses] == [1, 1]
    assert [plain[a] for a in addresses] == [0, 0]
    assert unindexed["tencentcloud_cls_alarm.watch_undelivered"] == 0


def test_the_alarm_queries_the_error_line_the_function_writes(infra: Config) -> None:
    query = hcl_string(infra.locals["watch_alarm_query"])
    assert fields_named(query) <= set(index_fields(infra))
    assert 'message:"watch target undelivered"' in query
    alarm = infra.block("tencentcloud_cls_alarm.watch_undelivered").body
    assert "docs/operations.md#watch-undelivered" in json.dumps(alarm["message_template"])
