"""Every block of infra/ is what provider 1.83.25 accepts, checked against its schema (the
provider itself cannot be downloaded here, so this stands in for `terraform validate`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.paths import FIXTURES, INFRA
from tests.infra.tf_schema_check import Config, check_schema, load_config, version_allows


def test_every_infra_block_matches_the_provider_schema(
    infra: Config, schema: dict[str, Any]
) -> None:
    # Given the parsed infra/ directory and the provider's schema
    # When each resource, data and provider block is checked against it
    problems = check_schema(infra, schema)
    # Then nothing is unknown, missing, misshapen or computed-only
    assert problems == []


def test_infra_declares_the_resources_the_design_needs(infra: Config) -> None:
    types = {block.type for block in infra.blocks}
    assert {
        "tencentcloud_cam_role",
        "tencentcloud_cam_policy",
        "tencentcloud_cam_role_policy_attachment",
        "tencentcloud_cls_logset",
        "tencentcloud_cls_topic",
        "tencentcloud_scf_function",
        "tencentcloud_scf_reserved_concurrency_config",
        "tencentcloud_scf_trigger",
        "tencentcloud_api_gateway_services",  # data: the account's existing service
        "tencentcloud_api_gateway_api",
        "tencentcloud_api_gateway_service_release",
        "tencentcloud_api_gateway_usage_plan",
        "tencentcloud_api_gateway_api_key",
    } <= types


def test_the_module_asks_for_at_least_1_83_16_and_the_root_pins_the_tested_line(
    infra: Config, schema: dict[str, Any]
) -> None:
    # Given the module's requirement and the working root's
    module_pin = infra.required_providers["tencentcloud"]
    root_pin = load_config(INFRA).required_providers["tencentcloud"]
    # Then both name the provider the schema describes and admit its version
    for pin in (module_pin, root_pin):
        assert pin["source"] == schema["provider_source_address"]
        assert version_allows(pin["version"], schema["provider_version"])
        assert not version_allows(pin["version"], "1.83.15")
    # And only a lower bound in the module, so that a team's root may pin what it tests
    assert module_pin["version"].startswith(">=")
    assert version_allows(module_pin["version"], "1.90.0")
    # While the newcomer's root stays on the 1.83 line
    assert root_pin["version"].startswith("~>")
    assert not version_allows(root_pin["version"], "1.84.0")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("unknown_argument.tf", "unknown argument 'memory_size'"),
        ("conflicting_arguments.tf", "'cos_bucket_name' conflicts with 'zip_file'"),
        ("missing_required.tf", "required argument 'logset_id' is missing"),
        ("unknown_type.tf", "no resource type 'tencentcloud_scf_function_url'"),
        ("never_released_type.tf", "was never released"),
        ("block_as_attribute.tf", "'layers' is a block"),
        ("attribute_as_block.tf", "'environment' is an argument, not a block"),
        ("computed_only.tf", "'outer_sub_domain' is computed"),
        ("disallowed_value.tf", "'auth_type' = 'IAM' is not one of"),
        ("nested_unknown_argument.tf", "layers[0]: unknown argument 'layer_id'"),
        ("dynamic_unknown_argument.tf", "dynamic.key_values[0].value[0]: unknown argument"),
    ],
)
def test_schema_check_reports_a_broken_fixture(
    schema: dict[str, Any], fixture: str, expected: str
) -> None:
    # Given a configuration broken in one known way
    config = load_config(FIXTURES / "schema" / fixture)
    # When it is checked
    problems = check_schema(config, schema)
    # Then the check names exactly that problem
    assert len(problems) == 1, problems
    assert expected in problems[0]
