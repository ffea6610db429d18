"""Terraform itself enforces the input rules: infra/variables.tf alone needs no provider, so a
real `terraform plan` of it shows which values are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.infra.paths import MODULE
from tests.infra.tools import terraform_without_provider

# The inputs without a usable default: which CCC applications, and who hears of alarms.
REQUIRED_INPUTS = """
allowed_sdk_app_ids = ["1400000000"]
alarm_notice = {
  monitor_user_uids = ["1000001"]
  cls_receiver_uins = ["100000000001"]
}
"""


@pytest.fixture(scope="module")
def variables_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("variables-only")
    for name in ("variables.tf", "variables_operations.tf"):
        shutil.copy(MODULE / name, directory / name)
    # What every deployment must say (the -var of each test overrides it)
    (directory / "terraform.tfvars").write_text(REQUIRED_INPUTS, encoding="utf-8")
    result = terraform_without_provider(directory, "init", "-backend=false")
    assert result.returncode == 0, result.stderr
    return directory


def test_the_required_inputs_alone_are_accepted(variables_only: Path) -> None:
    result = terraform_without_provider(variables_only, "plan")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        # Least privilege by default: no allowlist is no longer "every application"
        (["allowed_sdk_app_ids=[]"], "allowed_sdk_app_ids is empty"),
        (["allow_all_sdk_app_ids=true"], "contradict each other"),
        # No silent alarm receiver (it used to be whoever ran terraform)
        (["alarm_notice=null"], "say who hears of the alarms"),
        (
            ["alarm_notice=null", 'alarm_notice_ids={monitor=["notice-abc"]}'],
            "The log alarms (CLS) need a notice too",
        ),
    ],
)
def test_what_a_deployment_must_decide_has_no_default(
    variables_only: Path, assignments: list[str], message: str
) -> None:
    # Given a configuration that leaves a decision to a default
    arguments = [part for assignment in assignments for part in ("-var", assignment)]
    # When Terraform plans it
    result = terraform_without_provider(variables_only, "plan", *arguments)
    # Then the plan stops and names what to decide
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    "assignments",
    [
        ["allowed_sdk_app_ids=[]", "allow_all_sdk_app_ids=true"],
        ["alarm_notice=null", "alarms_enabled=false"],
        ["alarm_notice=null", 'alarm_notice_ids={monitor=["notice-a"], cls=["notice-b"]}'],
        ["alarm_notice=null", 'alarm_notice_ids={monitor=["notice-a"]}', "log_index_enabled=false"],
    ],
)
def test_each_decision_can_be_made_explicitly(variables_only: Path, assignments: list[str]) -> None:
    arguments = [part for assignment in assignments for part in ("-var", assignment)]
    result = terraform_without_provider(variables_only, "plan", *arguments)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "assignment",
    [
        "provisioned_instances=10",
        'alarm_notice={monitor_user_uids=["1000001"], cls_receiver_uins=["100000000001"],'
        ' channels=["EMAIL", "CALL"]}',
        "alarm_webhook_url=https://hooks.example.com/alarm",
    ],
)
def test_values_inside_the_rules_are_accepted(variables_only: Path, assignment: str) -> None:
    result = terraform_without_provider(variables_only, "plan", "-var", assignment)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("total_qps=21", "upstream limit of 20 requests/second"),
        ("total_qps=0", "from 1 to 20"),
        ("max_instances=21", "from 1 to total_qps"),
        ("runtime=Python3.9", "Python3.10 or Python3.12"),
        ("memory_size=200", "steps of 128"),
        ("timeout=901", "between 1 and 900"),
        ("front_door=cngw", "function_url"),
        ("timer_cron=0 */5 * * *", "7 space-separated fields"),
        ("timer_cron=0 */5 * * * * *", "at least one task"),
        ('allowed_sdk_app_ids=["14OO"]', "positive whole number"),
        ('cors_allow_origins=["https://a.example.com/path"]', "no path"),
        ("log_level=TRACE", "DEBUG, INFO, WARNING or ERROR"),
        ("provisioned_instances=11", "from 0 to max_instances"),
        ("provisioned_instances=-1", "from 0 to max_instances"),
        ("provisioned_instances=1.5", "from 0 to max_instances"),
        (
            'alarm_notice={monitor_user_uids=["me"], cls_receiver_uins=["100000000001"]}',
            "at least one CAM user UID",
        ),
        (
            'alarm_notice={monitor_user_uids=["1000001"], cls_receiver_uins=["me"]}',
            "at least one Tencent Cloud UIN",
        ),
        (
            'alarm_notice={monitor_user_uids=["1000001"], cls_receiver_uins=[]}',
            "at least one Tencent Cloud UIN",
        ),
        (
            'alarm_notice={monitor_user_uids=["1"], cls_receiver_uins=["100000000001"],'
            ' channels=["PAGER"]}',
            "EMAIL, SMS, CALL, WECHAT",
        ),
        ("alarm_webhook_url=ftp://example.com/hook", "http(s) URL"),
        ("alarm_errors_per_minute=0", "at least 1"),
        ("alarm_throttles_per_minute=0.5", "at least 1"),
        ("alarm_duration_percent_of_timeout=101", "between 10 and 100"),
        ("alarm_concurrency_percent_of_max_instances=5", "between 10 and 100"),
        ("alarm_5xx_percent=0", "greater than 0 and at most 100"),
        ("alarm_5xx_min_invocations=0", "at least 1"),
        ("alarm_throttled_per_5_minutes=0", "at least 1"),
    ],
)
def test_value_outside_the_rules_is_refused(
    variables_only: Path, assignment: str, message: str
) -> None:
    # Given a value that breaks one rule
    # When Terraform plans with it
    result = terraform_without_provider(variables_only, "plan", "-var", assignment)
    # Then the plan stops with that rule's message
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())


TIMER = ("-var", "timer_cron=0 */5 * * * * *")


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (
            [
                'allowed_sdk_app_ids=["1400000000"]',
                'timer_tasks=[{sdk_app_id="1400000001", task_id=1}]',
            ],
            "every sdk_app_id must be in allowed_sdk_app_ids",
        ),
        (
            ['timer_tasks=[{sdk_app_id="14OO", task_id=1}]'],
            "positive whole number written as a string",
        ),
        (
            ['timer_tasks=[{sdk_app_id="1400000000", task_id=0}]'],
            "each task_id a whole number >= 1",
        ),
        (
            ['timer_tasks=[{sdk_app_id="1400000000", task_id=1.5}]'],
            "each task_id a whole number >= 1",
        ),
        (
            [
                "timer_tasks=["
                + ", ".join(f'{{sdk_app_id="1", task_id={n}}}' for n in range(1, 52))
                + "]"
            ],
            "at most 50 tasks",
        ),
        (
            # 50 tasks with 19-digit ids: about 4.3 KB of JSON, over SCF's 4 KB for the argument
            [
                'allowed_sdk_app_ids=["1400000000000000000"]',
                "timer_tasks=["
                + ", ".join(
                    f'{{sdk_app_id="1400000000000000000", task_id={1000000000000000000 + n}}}'
                    for n in range(50)
                )
                + "]",
            ],
            "exceed SCF's 4 KB limit",
        ),
    ],
)
def test_a_timer_task_outside_the_rules_is_refused(
    variables_only: Path, assignments: list[str], message: str
) -> None:
    arguments = [part for assignment in assignments for part in ("-var", assignment)]
    result = terraform_without_provider(variables_only, "plan", *TIMER, *arguments)
    assert result.returncode != 0
    assert message in " ".join(result.stderr.split())


def test_fifty_tasks_with_short_ids_fit_the_timer_argument(variables_only: Path) -> None:
    tasks = ", ".join(f'{{sdk_app_id="1400000000", task_id={n}}}' for n in range(1, 51))
    result = terraform_without_provider(
        variables_only, "plan", *TIMER, "-var", f"timer_tasks=[{tasks}]"
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "tasks",
    [
        '[{sdk_app_id="1400000000", task_id=3, include_callees=false}]',
        # One type for SdkAppIds: written as a number, it is the allowlist's string all the same.
        "[{sdk_app_id=1400000000, task_id=3}]",
    ],
)
def test_a_timer_task_of_an_allowed_application_is_accepted(
    variables_only: Path, tasks: str
) -> None:
    result = terraform_without_provider(
        variables_only,
        "plan",
        *TIMER,
        "-var",
        'allowed_sdk_app_ids=["1400000000"]',
        "-var",
        f"timer_tasks={tasks}",
    )
    assert result.returncode == 0, result.stderr
