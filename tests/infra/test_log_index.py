"""The CLS index covers every field the function logs, with a CLS type, and can be turned off."""

from __future__ import annotations

from typing import Any

from infra.policies.function_log_fields import logged_fields
from tests.infra.log_setup import index_fields
from tests.infra.tf_schema_check import Config, instance_counts, literal

INDEX = "tencentcloud_cls_index.this"
CLS_TYPES = {"long", "double", "text"}


def key_values_generator(infra: Config) -> dict[str, Any]:
    [rule] = infra.block(INDEX).body["rule"]
    [key_value] = rule["key_value"]
    [generator] = key_value["dynamic"]
    spec: dict[str, Any] = generator['"key_values"']
    return spec


def test_the_index_is_built_from_the_field_map(infra: Config) -> None:
    spec = key_values_generator(infra)
    [content] = spec["content"]
    [value] = content["value"]
    assert spec["for_each"] == "${local.log_index_fields}"
    assert (content["key"], value["type"]) == ("${key_values.key}", "${key_values.value}")
    assert value["sql_flag"] is True  # analysis on: the runbook's SQL needs it


def test_the_index_covers_every_field_the_function_logs(infra: Config) -> None:
    # Given the fields the function's code writes (LOG_FIELDS when it declares them)
    logged = logged_fields()
    # When they are compared with the index
    missing = logged - set(index_fields(infra))
    # Then none is left out
    assert len(logged) >= 10, logged
    assert missing == set()


def test_every_indexed_field_has_a_cls_type(infra: Config) -> None:
    assert set(index_fields(infra).values()) <= CLS_TYPES


def test_numbers_are_indexed_as_numbers(infra: Config) -> None:
    # Range queries (status:>=500, latency_ms:>1000) need numeric types.
    fields = index_fields(infra)
    assert {name: fields[name] for name in ("status", "attempts", "sdk_app_id", "task_id")} == {
        "status": "long",
        "attempts": "long",
        "sdk_app_id": "long",
        "task_id": "long",
    }
    assert fields["latency_ms"] == "double"
    assert fields["SCF_Duration"] == "long"


def test_scf_request_id_is_indexed_for_tracing(infra: Config) -> None:
    fields = index_fields(infra)
    assert fields["SCF_RequestId"] == fields["request_id"] == "text"


def test_index_is_planned_by_default_and_removed_when_turned_off(infra: Config) -> None:
    assert literal(infra.variables["log_index_enabled"]["default"]) is True
    assert instance_counts(infra)[INDEX] == 1
    assert instance_counts(infra, {"log_index_enabled": False})[INDEX] == 0
