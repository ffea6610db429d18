"""The alarms: planned by default, removed when turned off, each with a notice, each CLS alarm
querying indexed fields only and testing only what its query returns."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.cls_query import condition_variables, fields_named, split, sql_aliases
from tests.infra.test_log_index import index_fields
from tests.infra.tf_schema_check import Config, instance_counts, literal, reference_problems

METRIC_ALARMS = (
    "tencentcloud_monitor_alarm_notice.function",
    "tencentcloud_monitor_alarm_policy.function",
    "tencentcloud_monitor_policy_binding_object.function",
)
LOG_ALARMS = (
    "tencentcloud_cls_alarm_notice.function",
    "tencentcloud_cls_alarm.server_errors",
    "tencentcloud_cls_alarm.throttled",
    "tencentcloud_cls_alarm.misconfigured",
)
CLS_ALARMS = [address for address in LOG_ALARMS if address.startswith("tencentcloud_cls_alarm.")]


def hcl_string(value: str) -> str:
    """A quoted HCL string literal as text (its escapes are JSON's)."""
    text: str = json.loads(value)
    return text


def queries(infra: Config) -> dict[str, str]:
    return {name: hcl_string(q) for name, q in infra.locals["log_alarm_queries"].items()}


def test_defaults_plan_every_alarm_and_its_notices(infra: Config) -> None:
    # Given the default variables
    counts = instance_counts(infra)
    # Then every metric alarm, log alarm and notice is planned
    assert all(counts[address] == 1 for address in METRIC_ALARMS + LOG_ALARMS)


def test_alarms_enabled_false_removes_every_alarm_and_notice(infra: Config) -> None:
    counts = instance_counts(infra, {"alarms_enabled": False})
    assert all(counts[address] == 0 for address in METRIC_ALARMS + LOG_ALARMS)
    # what they watch stays
    assert counts["tencentcloud_cls_index.function"] == 1


def test_without_the_index_only_the_log_alarms_go(infra: Config) -> None:
    counts = instance_counts(infra, {"log_index_enabled": False})
    assert all(counts[address] == 1 for address in METRIC_ALARMS)
    assert all(counts[address] == 0 for address in LOG_ALARMS)


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"alarms_enabled": False},
        {"log_index_enabled": False},
        {"provisioned_instances": 2},
        {"provisioned_instances": 2, "front_door": "api_gateway", "alarms_enabled": False},
    ],
    ids=["defaults", "no-alarms", "no-index", "provisioned", "gateway-provisioned-no-alarms"],
)
def test_every_reference_points_at_a_planned_instance(
    infra: Config, variables: dict[str, Any]
) -> None:
    assert reference_problems(infra, variables) == []


@pytest.mark.parametrize("address", CLS_ALARMS)
def test_each_cls_alarm_notifies_the_notice_built_from_alarm_notice(
    infra: Config, address: str
) -> None:
    body = infra.block(address).body
    assert body["alarm_notice_ids"] == ["${tencentcloud_cls_alarm_notice.function[0].id}"]
    assert literal(body["status"]) is True


def test_the_metric_policy_notifies_its_notice_and_is_bound_to_the_function(
    infra: Config,
) -> None:
    policy = infra.block("tencentcloud_monitor_alarm_policy.function").body
    binding = infra.block("tencentcloud_monitor_policy_binding_object.function").body
    assert policy["notice_ids"] == ["${tencentcloud_monitor_alarm_notice.function[0].id}"]
    assert "tencentcloud_scf_function.this.name" in binding["dimensions"][0]["dimensions_json"]
    assert "local.serving_version" in binding["dimensions"][0]["dimensions_json"]


def test_the_metric_policy_watches_errors_throttles_duration_and_concurrency(
    infra: Config,
) -> None:
    [conditions] = infra.block("tencentcloud_monitor_alarm_policy.function").body["conditions"]
    rules = {literal(rule["metric_name"]): rule for rule in conditions["rules"]}
    assert set(rules) == {"Error", "Throttle", "Duration", "ConcurrentExecutions"}
    assert literal(conditions["is_union_rule"]) == 0  # each rule alarms on its own
    assert rules["Duration"]["value"] == "${tostring(local.alarm_duration_ms)}"
    assert rules["ConcurrentExecutions"]["value"] == "${tostring(local.alarm_concurrent_requests)}"


def test_thresholds_follow_the_timeout_and_max_instances(infra: Config) -> None:
    assert infra.locals["alarm_duration_ms"] == (
        "${floor(var.timeout * 1000 * var.alarm_duration_percent_of_timeout / 100)}"
    )
    assert infra.locals["alarm_concurrent_requests"] == (
        "${ceil(var.max_instances * var.alarm_concurrency_percent_of_max_instances / 100)}"
    )


@pytest.mark.parametrize("name", ["server_errors", "throttled", "misconfigured"])
def test_each_alarm_query_names_indexed_fields_only(infra: Config, name: str) -> None:
    named = fields_named(queries(infra)[name])
    assert named, f"{name}: no field found in the query"
    assert named <= set(index_fields(infra))


@pytest.mark.parametrize("address", CLS_ALARMS)
def test_each_trigger_condition_reads_what_its_query_returns(infra: Config, address: str) -> None:
    # Given an alarm, its query and its trigger condition
    body = infra.block(address).body
    name = address.rsplit(".", 1)[1]
    [target] = body["alarm_targets"]
    assert target["query"] == f"${{local.log_alarm_queries.{name}}}"
    _, sql = split(queries(infra)[name])
    # Then the condition's $1.x variables are columns the SQL names (or the built-in count)
    variables = condition_variables(hcl_string(body["condition"]))
    assert variables
    assert variables <= sql_aliases(sql) | {"__QUERYCOUNT__"}
    # and the query is CQL, over the last 5 minutes
    assert (literal(target["syntax_rule"]), target["start_time_offset"]) == (1, -5)
