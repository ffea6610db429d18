"""Provisioned concurrency is off by default, and when on it keeps instances of a published
version warm behind an alias that the front door calls."""

from __future__ import annotations

import pytest

from tests.infra.tf_schema_check import Config, instance_counts, literal

PROVISIONED = (
    "tencentcloud_scf_function_version.this",
    "tencentcloud_scf_function_alias.live",
    "tencentcloud_scf_provisioned_concurrency_config.this",
)


def test_nothing_is_provisioned_by_default(infra: Config) -> None:
    assert literal(infra.variables["provisioned_instances"]["default"]) == 0
    counts = instance_counts(infra)
    assert all(counts[address] == 0 for address in PROVISIONED)


def test_provisioned_instances_publish_a_version_an_alias_and_its_config(infra: Config) -> None:
    counts = instance_counts(infra, {"provisioned_instances": 2})
    assert all(counts[address] == 1 for address in PROVISIONED)


def test_the_config_provisions_the_published_version_not_latest(infra: Config) -> None:
    config = infra.block("tencentcloud_scf_provisioned_concurrency_config.this").body
    assert config["qualifier"] == "${tencentcloud_scf_function_version.this[0].function_version}"
    assert config["version_provisioned_concurrency_num"] == "${var.provisioned_instances}"


def test_a_new_version_is_published_whenever_the_function_changes(infra: Config) -> None:
    [lifecycle] = infra.block("tencentcloud_scf_function_version.this").body["lifecycle"]
    assert lifecycle["replace_triggered_by"] == ["${tencentcloud_scf_function.this}"]
    alias = infra.block("tencentcloud_scf_function_alias.live").body
    assert alias["function_version"] == (
        "${tencentcloud_scf_function_version.this[0].function_version}"
    )


@pytest.mark.parametrize(
    ("address", "argument"),
    [
        ("tencentcloud_scf_trigger.function_url", "qualifier"),
        ("tencentcloud_api_gateway_api.this", "service_config_scf_function_qualifier"),
        # The timer too: the SCF alarms watch the serving version only, and a rollback that moves
        # the alias must move the timer's runs with it.
        ("tencentcloud_scf_trigger.timer", "qualifier"),
    ],
)
def test_the_front_door_calls_the_serving_qualifier(
    infra: Config, address: str, argument: str
) -> None:
    # The alias when provisioned, $LATEST otherwise: provisioned instances serve callers only
    # if the front door invokes what was provisioned.
    assert infra.block(address).body[argument] == "${local.serving_qualifier}"
    assert infra.locals["serving_qualifier"] == (
        '${coalesce(one(tencentcloud_scf_function_alias.live[*].name), "$LATEST")}'
    )
