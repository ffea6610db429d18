"""Both front-door choices give a configuration Terraform can plan: the right resources are
counted in, nothing refers to an instance that is not planned, and the rate limit holds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.paths import FIXTURES
from tests.infra.tf_schema_check import (
    Config,
    Evaluator,
    instance_counts,
    literal,
    load_config,
    reference_problems,
)

FUNCTION_URL = "tencentcloud_scf_trigger.function_url"
# On the account's existing service (api_gateway_service_id): the module creates no service.
GATEWAY_SERVICE = "data.tencentcloud_api_gateway_services.this"
GATEWAY = (
    GATEWAY_SERVICE,
    "tencentcloud_api_gateway_api.this",
    "tencentcloud_api_gateway_service_release.this",
    "tencentcloud_api_gateway_usage_plan.this",
    "tencentcloud_api_gateway_usage_plan_attachment.this",
    "tencentcloud_api_gateway_api_key.this",
    "tencentcloud_api_gateway_api_key_attachment.this",
)
ALWAYS = (
    "tencentcloud_cam_role.this",
    "tencentcloud_cam_policy.this",
    "tencentcloud_cam_role_policy_attachment.this",
    "tencentcloud_cls_logset.this",
    "tencentcloud_cls_topic.protected",
    "tencentcloud_scf_function.this",
    "tencentcloud_scf_reserved_concurrency_config.this",
)
DOORS: dict[str, dict[str, Any]] = {
    "function_url": {"front_door": "function_url"},
    "api_gateway": {"front_door": "api_gateway", "api_gateway_service_id": "service-abc123"},
}

# Variable sets worth planning: each front door, with and without the optional parts.
VARIATIONS: list[dict[str, Any]] = [
    {**DOORS[front_door], **extra}
    for front_door in ("function_url", "api_gateway")
    for extra in (
        {},
        {
            "timer_cron": "0 */5 * * * * *",
            "timer_tasks": [{"sdk_app_id": "1400000000", "task_id": 3}],
            "ccc_role_arn": "qcs::cam::uin/100000000001:roleName/ccc-reader",
            "allowed_sdk_app_ids": ["1400000000"],
            "cors_allow_origins": ["https://console.example.com"],
        },
    )
]


def test_front_door_defaults_to_function_url(infra: Config) -> None:
    assert literal(infra.variables["front_door"]["default"]) == "function_url"


def test_function_url_choice_plans_the_url_and_no_gateway(infra: Config) -> None:
    # Given the default front door
    # When the count of every block is evaluated
    counts = instance_counts(infra, {"front_door": "function_url"})
    # Then the Function URL is planned, nothing of the legacy gateway is, the rest always is
    assert counts[FUNCTION_URL] == 1
    assert all(counts[address] == 0 for address in GATEWAY)
    assert all(counts[address] == 1 for address in ALWAYS)


def test_api_gateway_choice_plans_the_gateway_and_no_url(infra: Config) -> None:
    counts = instance_counts(infra, DOORS["api_gateway"])
    assert counts[FUNCTION_URL] == 0
    assert all(counts[address] == 1 for address in GATEWAY)
    assert all(counts[address] == 1 for address in ALWAYS)


def test_the_timer_is_planned_only_when_configured(infra: Config) -> None:
    off = instance_counts(infra)
    on = instance_counts(infra, VARIATIONS[1])
    assert (off["tencentcloud_scf_trigger.timer"], on["tencentcloud_scf_trigger.timer"]) == (0, 1)


def test_the_gateway_binds_to_the_account_s_service_and_creates_none(infra: Config) -> None:
    # Tencent sells no new API Gateway resources since 2024-07 (notice 628/106651)
    assert not [b for b in infra.blocks if b.type == "tencentcloud_api_gateway_service"]
    for address in (
        "tencentcloud_api_gateway_api.this",
        "tencentcloud_api_gateway_service_release.this",
        "tencentcloud_api_gateway_usage_plan_attachment.this",
    ):
        assert infra.block(address).body["service_id"] == "${var.api_gateway_service_id}"


@pytest.mark.parametrize("variables", VARIATIONS, ids=lambda v: f"{v['front_door']}-{len(v)}")
def test_every_reference_points_at_a_planned_instance(
    infra: Config, variables: dict[str, Any]
) -> None:
    # Given one set of variables
    # When every planned block, local and output is searched for references
    problems = reference_problems(infra, variables)
    # Then each one names an instance that this plan creates (or uses a splat)
    assert problems == []


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("unguarded_index.tf", "tencentcloud_api_gateway_service.gw[0] is not planned"),
        ("resource_on_missing_instance.tf", "tencentcloud_api_gateway_api.api[0] is not planned"),
        ("resource_on_missing_instance.tf", "tencentcloud_scf_function.f has count"),
    ],
)
def test_reference_check_reports_an_inconsistent_fixture(fixture: str, expected: str) -> None:
    # Given a configuration that only plans for one front door
    config = load_config(FIXTURES / "consistency" / fixture)
    # When the other front door is the default
    problems = reference_problems(config, {"front_door": "function_url"})
    # Then the dangling reference is reported
    assert any(expected in problem for problem in problems), problems


def test_function_url_is_cam_signed_unless_explicitly_opted_out(infra: Config) -> None:
    # Given the Function URL trigger's description and the opt-in variable
    trigger = infra.block(FUNCTION_URL).body
    assert literal(infra.variables["function_url_anonymous"]["default"]) is False
    assert "local.function_url_auth_type" in trigger["trigger_desc"]
    evaluator = Evaluator(infra)
    # When the auth type is evaluated with and without the opt-in
    # Then it is CAM by default and NONE only with function_url_anonymous = true
    assert evaluator.evaluate(infra.locals["function_url_auth_type"]) == "CAM"
    opted_in = Evaluator(infra, {"function_url_anonymous": True})
    assert opted_in.evaluate(infra.locals["function_url_auth_type"]) == "NONE"


def test_function_url_trigger_is_http_without_a_trigger_name(infra: Config) -> None:
    body = literal(infra.block(FUNCTION_URL).body)
    assert body["type"] == "http"
    # The provider refuses trigger_name for http triggers.
    assert "trigger_name" not in body


def test_gateway_api_signs_callers_and_integrates_the_response(infra: Config) -> None:
    api = literal(infra.block("tencentcloud_api_gateway_api.this").body)
    assert api["auth_type"] not in {"NONE", None}
    assert api["service_config_type"] == "SCF"
    assert api["service_config_scf_is_integrated_response"] is True


@pytest.mark.parametrize(
    ("address", "attribute"),
    [
        ("tencentcloud_api_gateway_api.this", "release_limit"),
        ("tencentcloud_api_gateway_usage_plan.this", "max_request_num_pre_sec"),
    ],
)
def test_gateway_limits_are_the_total_qps(infra: Config, address: str, attribute: str) -> None:
    assert infra.block(address).body[attribute] == "${var.total_qps}"


@pytest.mark.parametrize(("total", "accepted"), [(20, True), (1, True), (21, False), (0, False)])
def test_total_qps_is_validated_against_the_upstream_limit(
    infra: Config, total: int, accepted: bool
) -> None:
    # Given the validation rules of total_qps
    rules = infra.variables["total_qps"]["validation"]
    # When they are evaluated for a value
    verdict = all(Evaluator(infra, {"total_qps": total}).evaluate(r["condition"]) for r in rules)
    # Then only 1..20 passes
    assert verdict is accepted


@pytest.mark.parametrize(
    ("total", "instances", "accepted"), [(20, 10, True), (20, 20, True), (20, 21, False)]
)
def test_max_instances_cannot_leave_an_instance_without_a_request(
    infra: Config, total: int, instances: int, accepted: bool
) -> None:
    rules = infra.variables["max_instances"]["validation"]
    values = {"total_qps": total, "max_instances": instances}
    assert all(Evaluator(infra, values).evaluate(r["condition"]) for r in rules) is accepted


def test_reserved_concurrency_and_per_instance_limit_bound_the_total(infra: Config) -> None:
    # Given the defaults
    values = Evaluator(infra).values
    total, instances, memory = values["total_qps"], values["max_instances"], values["memory_size"]
    reserved = infra.block("tencentcloud_scf_reserved_concurrency_config.this").body
    # Then reserved memory is instances x memory, and each instance may use the whole total
    # (shared through Redis, or with CCC's own limit as the backstop: test_rate_limit_store.py)
    assert reserved["reserved_concurrency_mem"] == "${var.max_instances * var.memory_size}"
    assert infra.locals["per_instance_qps"] == "${var.total_qps}"
    assert total <= 20
    assert instances * memory == 2560


def test_timer_carries_the_tasks_as_its_custom_argument(infra: Config) -> None:
    timer = infra.block("tencentcloud_scf_trigger.timer").body
    assert literal(timer["type"]) == "timer"
    assert timer["trigger_desc"] == "${var.timer_cron}"
    assert timer["custom_argument"] == "${local.timer_message}"
    tasks = infra.locals["timer_task_list"]
    assert "SdkAppId" in tasks
    assert "TaskId" in tasks
    # the tasks alone, or with the watch (docs/integrations.md §5) beside them
    message = infra.locals["timer_message"]
    assert "jsonencode(local.timer_task_list)" in message
    assert "tasks = local.timer_task_list, watch = local.watch_message" in message


def test_outputs_name_the_function_url_role_and_log_topic(infra: Config) -> None:
    assert {"function_name", "url", "role_name", "log_topic_id"} <= set(infra.outputs)
    assert infra.outputs["api_gateway_key_id"]["sensitive"] is True
    assert json.dumps(infra.outputs["url"]).count("[*]") == 2
