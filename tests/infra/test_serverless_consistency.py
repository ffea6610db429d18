"""serverless.yml deploys the same function as infra/: handler, runtime, memory, timeout, role
and environment agree, and both set every variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from callout_task.config import ENVIRONMENT_VARIABLES, load_settings

from tests.infra.paths import INFRA
from tests.infra.tf_schema_check import Config, Evaluator, literal, load_config
from tests.paths import REPO

RESERVED_PREFIXES = ("SCF_", "QCLOUD_", "TENCENTCLOUD_")


@pytest.fixture(scope="module")
def serverless() -> dict[str, Any]:
    with (REPO / "serverless.yml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


@pytest.fixture(scope="module")
def inputs(serverless: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = serverless["inputs"]
    return found


@pytest.fixture(scope="module")
def defaults(infra: Config) -> dict[str, Any]:
    # The module's defaults, and the region the working root gives it (the module has none).
    root = Evaluator(load_config(INFRA)).values
    return {**Evaluator(infra).values, "region": root["region"]}


def _terraform_function(infra: Config) -> dict[str, Any]:
    body: dict[str, Any] = literal(infra.block("tencentcloud_scf_function.this").body)
    return body


def test_serverless_uses_the_scf_component(serverless: dict[str, Any]) -> None:
    assert serverless["component"] == "scf"


def test_handler_matches(infra: Config, inputs: dict[str, Any]) -> None:
    assert inputs["handler"] == _terraform_function(infra)["handler"] == "index.main_handler"


@pytest.mark.parametrize(
    ("serverless_key", "variable"),
    [
        ("runtime", "runtime"),
        ("memorySize", "memory_size"),
        ("timeout", "timeout"),
        ("region", "region"),
        ("name", "function_name"),
        ("namespace", "namespace"),
    ],
)
def test_setting_matches_the_terraform_default(
    inputs: dict[str, Any], defaults: dict[str, Any], serverless_key: str, variable: str
) -> None:
    assert inputs[serverless_key] == defaults[variable]


def test_terraform_passes_its_settings_to_the_function(infra: Config) -> None:
    function = _terraform_function(infra)
    assert function["runtime"] == "${var.runtime}"
    assert function["mem_size"] == "${var.memory_size}"
    assert function["timeout"] == "${var.timeout}"
    assert function["zip_file"] == "${var.package_zip}"  # the root reads it from the manifest
    # settings.tf computes it; only the address of a Redis Terraform creates comes later
    assert function["environment"] == (
        "${merge(local.function_environment, local.created_redis_environment)}"
    )


def test_role_is_the_one_terraform_creates(
    infra: Config, inputs: dict[str, Any], defaults: dict[str, Any]
) -> None:
    role_name = literal(infra.block("tencentcloud_cam_role.this").body["name"])
    assert role_name == "${local.account_wide_name}-exec"
    # (without name_prefix, the account-wide names are the function's name)
    assert "var.name_prefix == null ? var.function_name" in infra.locals["account_wide_name"]
    assert inputs["role"] == f"{defaults['function_name']}-exec"


def test_both_set_exactly_the_variables_the_code_reads(
    infra: Config, inputs: dict[str, Any]
) -> None:
    # Given the variables the function reads (its own list, not a copy of it)
    expected = set(ENVIRONMENT_VARIABLES)
    # When the environments of both deployments are read
    terraform = set(infra.locals["function_environment"])
    serverless = set(inputs["environment"]["variables"])
    # Then each sets every one of them and nothing else
    assert terraform == expected
    assert serverless == expected


def test_no_variable_uses_a_prefix_scf_reserves(inputs: dict[str, Any], infra: Config) -> None:
    names = set(inputs["environment"]["variables"]) | set(infra.locals["function_environment"])
    assert not [name for name in names if name.startswith(RESERVED_PREFIXES)]


def test_serverless_values_are_what_terraform_computes_from_its_defaults(
    inputs: dict[str, Any], defaults: dict[str, Any]
) -> None:
    variables = inputs["environment"]["variables"]
    assert all(isinstance(value, str) for value in variables.values())
    assert variables["RATE_LIMIT_QPS"] == str(defaults["total_qps"])
    assert variables["RATE_LIMIT_BURST"] == str(defaults["total_qps"])
    assert variables["RATE_LIMIT_REDIS_URL"] == ""
    assert variables["RATE_LIMIT_REDIS_KEY"] == defaults["rate_limit_redis_key"]
    assert float(variables["TIME_BUDGET_SECONDS"]) == defaults["timeout"] - 0.5
    assert variables["RETRY_MAX_ATTEMPTS"] == str(defaults["retry_max_attempts"])
    assert variables["LOG_LEVEL"] == defaults["log_level"]


def test_time_budget_follows_the_function_timeout(infra: Config) -> None:
    assert infra.locals["function_environment"]["TIME_BUDGET_SECONDS"] == (
        "${tostring(var.timeout - 0.5)}"
    )


def test_timer_event_has_a_seven_field_cron_and_a_task_list(inputs: dict[str, Any]) -> None:
    timers = [event["timer"] for event in inputs["events"] if "timer" in event]
    assert len(timers) == 1
    parameters = timers[0]["parameters"]
    assert len(parameters["cronExpression"].split()) == 7
    assert isinstance(yaml.safe_load(parameters["argument"]), list)


def test_serverless_creates_no_legacy_gateway_trigger(inputs: dict[str, Any]) -> None:
    assert not [event for event in inputs["events"] if "apigw" in event]
    urls = [event["http"]["parameters"] for event in inputs["events"] if "http" in event]
    assert [url["authType"] for url in urls] == ["CAM"]


def test_serverless_file_says_how_it_relates_to_infra() -> None:
    text = (REPO / "serverless.yml").read_text(encoding="utf-8")
    assert "infra/" in text
    assert re.search(r"(?i)triggers serverless can still create", text)
    assert "apigw" in text


def test_serverless_code_path_is_the_staged_function_folder(inputs: dict[str, Any]) -> None:
    source = Path(inputs["src"]["src"])
    assert source.name == "describe_auto_callout_task"


def test_serverless_environment_is_a_valid_function_configuration(
    inputs: dict[str, Any],
) -> None:
    # Given the environment serverless.yml sets
    # When the function validates it the way it does at start-up
    settings = load_settings(inputs["environment"]["variables"])
    # Then it is accepted with the whole upstream limit for the instance
    assert settings.rate_limit_qps == 20
    assert settings.time_budget_seconds == 9.5


def _serverless_text() -> str:
    return (REPO / "serverless.yml").read_text(encoding="utf-8")


def _command_lines(text: str, starts: str) -> str:
    """A shell command quoted in serverless.yml's comments, its continuation lines joined."""
    lines = [line.lstrip("# ").rstrip() for line in text.splitlines() if line.startswith("#")]
    begin = next(i for i, line in enumerate(lines) if line.startswith(starts))
    command = []
    for line in lines[begin:]:
        command.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            break
    return " ".join(command)


def test_serverless_says_how_infra_creates_just_the_role_and_the_log_topic(
    infra: Config,
) -> None:
    # Given the command serverless.yml gives for what it expects to exist
    command = _command_lines(_serverless_text(), "terraform -chdir=infra apply")
    targets = re.findall(r"-target=(\S+)", command)
    # Then it targets exactly the role's policy attachment and the log topic, which the module
    # infra/ is built on has
    assert sorted(targets) == [
        "module.autocallout.tencentcloud_cam_role_policy_attachment.this",
        "module.autocallout.tencentcloud_cls_topic.protected",
    ]
    for target in targets:
        address = target.removeprefix("module.autocallout.")
        assert infra.block(address).address == address
    # And it reads the ids the cls section needs from outputs infra/ has
    outputs = re.findall(r"terraform -chdir=infra output (\w+)", _serverless_text())
    assert sorted(outputs) == ["log_topic_id", "logset_id"]
    assert set(outputs) <= set(load_config(INFRA).outputs)


def test_the_reserved_concurrency_command_caps_what_infra_caps(
    inputs: dict[str, Any], defaults: dict[str, Any]
) -> None:
    command = _command_lines(_serverless_text(), "tccli scf PutReservedConcurrencyConfig")
    options = dict(re.findall(r"--(\w+) (\S+)", command))
    assert options == {
        "region": inputs["region"],
        "Namespace": inputs["namespace"],
        "FunctionName": inputs["name"],
        "ReservedConcurrencyMem": str(defaults["max_instances"] * defaults["memory_size"]),
    }


def test_an_empty_allowlist_is_said_to_allow_every_application() -> None:
    lines = _serverless_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("ALLOWED_SDK_APP_IDS:"))
    if yaml.safe_load(lines[at].strip())["ALLOWED_SDK_APP_IDS"] == "":
        comment = " ".join(line.strip() for line in lines[at - 2 : at])
        assert comment.startswith("#")
        assert "allows EVERY CCC application" in comment


def test_the_timer_asks_for_callees_as_infra_does_by_default(inputs: dict[str, Any]) -> None:
    [timer] = [event["timer"]["parameters"] for event in inputs["events"] if "timer" in event]
    tasks = yaml.safe_load(timer["argument"])
    assert [task.get("include_callees") for task in tasks] == [False] * len(tasks)
