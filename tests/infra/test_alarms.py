"""The alarms: planned by default, removed when turned off, each with a notice, each CLS alarm
querying indexed fields only and testing only what its query returns."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.cls_query import condition_variables, fields_named, split, sql_aliases
from tests.infra.log_setup import hcl_string, index_fields, queries
from tests.infra.tf_schema_check import Config, instance_counts, literal, reference_problems

METRIC_ALARMS = (
    "tencentcloud_monitor_alarm_notice.this",
    "tencentcloud_monitor_alarm_policy.this",
    "tencentcloud_monitor_policy_binding_object.this",
)
LOG_ALARM_NOTICE = "tencentcloud_cls_alarm_notice.this"
LOG_ALARMS = "tencentcloud_cls_alarm.log"  # one instance per entry of local.log_alarms
LOG_ALARM_NAMES = ["server_errors", "throttled", "misconfigured"]
# Who hears of alarms has no default: every plan names someone.
NOTICE = {
    "alarm_notice": {"monitor_user_uids": ["1000001"], "cls_receiver_uins": ["100000000001"]},
}


def test_defaults_plan_every_alarm_and_its_notices(infra: Config) -> None:
    # Given the default variables and someone to notify
    counts = instance_counts(infra, NOTICE)
    # Then every metric alarm, each log alarm and both notices are planned
    assert all(counts[address] == 1 for address in (*METRIC_ALARMS, LOG_ALARM_NOTICE))
    assert counts[LOG_ALARMS] == len(LOG_ALARM_NAMES)


def test_existing_notices_replace_the_created_ones(infra: Config) -> None:
    counts = instance_counts(
        infra, {"alarm_notice": None, "alarm_notice_ids": {"monitor": ["n1"], "cls": ["n2"]}}
    )
    assert counts["tencentcloud_monitor_alarm_notice.this"] == 0
    assert counts[LOG_ALARM_NOTICE] == 0
    assert counts["tencentcloud_monitor_alarm_policy.this"] == 1
    assert counts[LOG_ALARMS] == len(LOG_ALARM_NAMES)


def test_alarms_enabled_false_removes_every_alarm_and_notice(infra: Config) -> None:
    counts = instance_counts(infra, {**NOTICE, "alarms_enabled": False})
    assert all(counts[address] == 0 for address in (*METRIC_ALARMS, LOG_ALARM_NOTICE, LOG_ALARMS))
    # what they watch stays
    assert counts["tencentcloud_cls_index.this"] == 1


def test_without_the_index_only_the_log_alarms_go(infra: Config) -> None:
    counts = instance_counts(infra, {**NOTICE, "log_index_enabled": False})
    assert all(counts[address] == 1 for address in METRIC_ALARMS)
    assert counts[LOG_ALARM_NOTICE] == counts[LOG_ALARMS] == 0


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
    assert reference_problems(infra, {**NOTICE, **variables}) == []


def test_each_cls_alarm_notifies_the_notices_and_is_on(infra: Config) -> None:
    body = infra.block(LOG_ALARMS).body
    assert body["alarm_notice_ids"] == "${local.cls_notice_ids}"
    assert "tencentcloud_cls_alarm_notice.this[*].id" in infra.locals["cls_notice_ids"]
    assert "var.alarm_notice_ids.cls" in infra.locals["cls_notice_ids"]
    assert literal(body["status"]) is True


def test_the_metric_policy_notifies_its_notices_and_is_bound_to_the_function(
    infra: Config,
) -> None:
    policy = infra.block("tencentcloud_monitor_alarm_policy.this").body
    binding = infra.block("tencentcloud_monitor_policy_binding_object.this").body
    assert policy["notice_ids"] == "${local.monitor_notice_ids}"
    assert "tencentcloud_monitor_alarm_notice.this[*].id" in infra.locals["monitor_notice_ids"]
    assert "tencentcloud_scf_function.this.name" in binding["dimensions"][0]["dimensions_json"]
    assert "local.serving_version" in binding["dimensions"][0]["dimensions_json"]


def test_the_metric_notice_takes_user_uids_and_the_log_notice_uins(infra: Config) -> None:
    # Cloud Monitor's UserNotice.UserIds are UIDs; CLS's receivers (receiver_type Uin) are UINs
    [users] = infra.block("tencentcloud_monitor_alarm_notice.this").body["user_notices"]
    assert "var.alarm_notice.monitor_user_uids" in users["user_ids"]
    [receivers] = infra.block(LOG_ALARM_NOTICE).body["notice_receivers"]
    assert literal(receivers["receiver_type"]) == "Uin"
    assert "var.alarm_notice.cls_receiver_uins" in receivers["receiver_ids"]


def test_the_metric_policy_watches_errors_throttles_duration_and_concurrency(
    infra: Config,
) -> None:
    [conditions] = infra.block("tencentcloud_monitor_alarm_policy.this").body["conditions"]
    [generator] = [g['"rules"'] for g in conditions["dynamic"] if '"rules"' in g]
    assert generator["for_each"] == "${local.metric_alarm_rules}"
    [content] = generator["content"]
    assert content["metric_name"] == "${rules.value.metric}"
    assert content["value"] == "${tostring(rules.value.value)}"
    rules = {literal(rule["metric"]): rule for rule in literal(infra.locals["metric_alarm_rules"])}
    # In the order the policy has always had them, so the provider sees no change
    assert list(rules) == ["Error", "Throttle", "Duration", "ConcurrentExecutions"]
    assert literal(conditions["is_union_rule"]) == 0  # each rule alarms on its own
    assert rules["Duration"]["value"] == "${local.alarm_duration_ms}"
    assert rules["ConcurrentExecutions"]["value"] == "${local.alarm_concurrent_requests}"


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


@pytest.mark.parametrize("name", LOG_ALARM_NAMES)
def test_each_trigger_condition_reads_what_its_query_returns(infra: Config, name: str) -> None:
    # Given an alarm, its query and its trigger condition
    body = infra.block(LOG_ALARMS).body
    assert body["for_each"] == "${local.log_alarms_enabled ? local.log_alarms : {}}"
    [target] = body["alarm_targets"]
    assert target["query"] == "${local.log_alarm_queries[each.key]}"
    assert body["condition"] == "${each.value.condition}"
    _, sql = split(queries(infra)[name])
    # Then the condition's $1.x variables are columns the SQL names (or the built-in count)
    variables = condition_variables(hcl_string(infra.locals["log_alarms"][name]["condition"]))
    assert variables
    assert variables <= sql_aliases(sql) | {"__QUERYCOUNT__"}
    # and the query is CQL, over the last 5 minutes
    assert (literal(target["syntax_rule"]), target["start_time_offset"]) == (1, -5)
