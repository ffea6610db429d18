"""rate_limit_store: "local" by default; "redis" with an existing instance, or a new one in a VPC
of its own or in yours. Real `terraform plan` runs show which combinations Terraform refuses
(the variables need no provider); the evaluator shows what each accepted one plans."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.paths import MODULE
from tests.infra.redis_inputs import EXISTING
from tests.infra.tf_schema_check import (
    Config,
    Evaluator,
    instance_counts,
    literal,
    reference_problems,
)
from tests.infra.tools import terraform_binary, terraform_without_provider

NEW: dict[str, str] = {
    "rate_limit_store": "redis",
    "redis_availability_zone": "ap-guangzhou-3",
    "redis_password": "Passw0rd-123",
}
NEW_IN_YOUR_VPC: dict[str, str] = {
    **NEW,
    "vpc_id": "vpc-abc12345",
    "subnet_id": "subnet-fn123456",
    "redis_subnet_id": "subnet-db123456",
}
NEW_VPC = ("tencentcloud_vpc.this", "tencentcloud_subnet.function", "tencentcloud_subnet.redis")
NEW_INSTANCE = (
    *NEW_VPC,
    "tencentcloud_security_group.this",
    "tencentcloud_security_group_rule_set.this",
    "tencentcloud_redis_instance.this",
    "tencentcloud_ssm_secret.protected",
    "tencentcloud_ssm_secret_version.this",
)
# What every Redis mode reads: SSM's record of who created the password's secret (the policy
# names the secret by it), whether the secret exists already or is created here.
SECRET_CREATOR = "data.tencentcloud_ssm_secrets.redis_password"
YOUR_SUBNET = "data.tencentcloud_vpc_subnets.function"


def without(values: dict[str, str], *names: str) -> dict[str, str]:
    """The combination with some inputs left out (null: a string -var cannot say null)."""
    return {name: value for name, value in values.items() if name not in names}


@pytest.fixture(scope="module")
def store_variables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("store-variables")
    for name in ("variables.tf", "rate_limit_store_variables.tf", "settings.tf"):
        shutil.copy(MODULE / name, directory / name)
    (directory / "terraform.tfvars").write_text(
        'allowed_sdk_app_ids = ["1400000000"]\n', encoding="utf-8"
    )
    result = terraform_without_provider(directory, "init", "-backend=false")
    assert result.returncode == 0, result.stderr
    return directory


def _plan(directory: Path, values: dict[str, str]) -> tuple[int, str]:
    arguments = [part for name, value in values.items() for part in ("-var", f"{name}={value}")]
    result = terraform_without_provider(directory, "plan", *arguments)
    return result.returncode, " ".join(result.stderr.split())


COMBINATIONS = [{}, EXISTING, NEW, NEW_IN_YOUR_VPC]
COMBINATION_IDS = ["local", "existing", "new", "new-in-your-vpc"]


@pytest.mark.parametrize("values", COMBINATIONS, ids=COMBINATION_IDS)
def test_each_complete_combination_is_accepted(
    store_variables: Path, values: dict[str, str]
) -> None:
    code, errors = _plan(store_variables, values)
    assert code == 0, errors


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rate_limit_store": "memcached"}, 'must be "local" or "redis"'),
        ({"redis_host": "10.0.1.12"}, 'rate_limit_store is "local"'),
        (
            without(EXISTING, "redis_password_secret"),
            "redis_password_secret goes with redis_host",
        ),
        ({**EXISTING, "redis_password_secret": "no-version"}, "<SSM secret name>:<version id>"),
        (without(EXISTING, "vpc_id", "subnet_id"), "vpc_id is needed with redis_host"),
        (without(EXISTING, "subnet_id"), "subnet_id and vpc_id go together"),
        ({**EXISTING, "redis_password": "Passw0rd-123"}, "redis_password is for a Redis"),
        (without(NEW, "redis_password"), "redis_password is for a Redis"),
        ({**NEW, "redis_password": "short"}, "8 to 16 characters"),
        (without(NEW, "redis_availability_zone"), "redis_availability_zone is needed"),
        ({**NEW, "vpc_id": "vpc-abc12345"}, "subnet_id and vpc_id go together"),
        ({"vpc_id": "vpc-abc12345", "subnet_id": "subnet-abc12345"}, "only for rate_limit_store"),
        ({**EXISTING, "redis_subnet_id": "subnet-db123456"}, "redis_subnet_id is for a new Redis"),
        ({**NEW, "redis_subnet_id": "subnet-db123456"}, "redis_subnet_id is for a new Redis"),
        ({"redis_availability_zone": "ap-guangzhou-3"}, "redis_availability_zone is needed"),
        ({**NEW, "redis_vpc_cidr": "10.20.0.0/25"}, "/16 to /22"),
        ({"rate_limit_redis_timeout_seconds": "3"}, "between 0.001 and 1"),
    ],
)
def test_a_half_configured_combination_is_refused(
    store_variables: Path, values: dict[str, str], message: str
) -> None:
    # Given a combination that misses a part or carries one that belongs to another mode
    # When Terraform plans with it
    code, errors = _plan(store_variables, values)
    # Then the plan stops, saying which part is wrong
    assert code != 0
    assert message in errors


@pytest.mark.parametrize(
    ("values", "url", "secret"),
    [
        ({}, "", ""),
        (EXISTING, "redis://10.0.1.12:6379/0", "callout-redis:v1"),
        # A new instance's address is filled in by function.tf once the instance exists.
        (NEW, "", "describe-auto-callout-task-redis-password:v1"),
    ],
    ids=["local", "existing", "new"],
)
def test_the_function_environment_names_the_store_and_the_secret(
    store_variables: Path, values: dict[str, str], url: str, secret: str
) -> None:
    arguments = [part for name, value in values.items() for part in ("-var", f"{name}={value}")]
    console = subprocess.run(
        [str(terraform_binary()), f"-chdir={store_variables}", "console", *arguments],
        input="jsonencode(local.function_environment)\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert console.returncode == 0, console.stderr
    environment = json.loads(json.loads(console.stdout))
    assert environment["RATE_LIMIT_REDIS_URL"] == url
    assert environment["RATE_LIMIT_REDIS_PASSWORD_SECRET"] == secret
    assert environment["RATE_LIMIT_QPS"] == "20"


def _counts(infra: Config, values: dict[str, Any]) -> dict[str, int]:
    counts = instance_counts(infra, values)
    return {a: counts[a] for a in (*NEW_INSTANCE, SECRET_CREATOR, YOUR_SUBNET)}


def test_local_plans_nothing_for_the_store(infra: Config) -> None:
    assert set(_counts(infra, {}).values()) == {0}
    assert Evaluator(infra).evaluate(infra.locals["use_redis"]) is False


def test_an_existing_instance_only_looks_up_who_created_its_secret(infra: Config) -> None:
    counts = _counts(infra, EXISTING)
    assert [a for a, n in counts.items() if n] == [SECRET_CREATOR]
    evaluator = Evaluator(infra, EXISTING)
    assert evaluator.evaluate(infra.locals["use_redis"]) is True
    assert evaluator.evaluate(infra.locals["create_redis"]) is False
    secret = infra.locals["function_environment"]["RATE_LIMIT_REDIS_PASSWORD_SECRET"]
    assert evaluator.evaluate(secret) == "callout-redis:v1"


def test_a_new_instance_gets_its_vpc_subnets_security_group_and_secret(infra: Config) -> None:
    counts = _counts(infra, NEW)
    assert [a for a, n in counts.items() if n] == [*NEW_INSTANCE, SECRET_CREATOR]


def test_a_new_instance_in_your_vpc_creates_no_vpc_and_reads_your_subnet(infra: Config) -> None:
    counts = _counts(infra, NEW_IN_YOUR_VPC)
    expected = [a for a in NEW_INSTANCE if a not in NEW_VPC] + [SECRET_CREATOR, YOUR_SUBNET]
    assert [a for a, n in counts.items() if n] == expected


@pytest.mark.parametrize("values", COMBINATIONS, ids=COMBINATION_IDS)
def test_every_reference_is_to_a_planned_instance(infra: Config, values: dict[str, Any]) -> None:
    assert reference_problems(infra, values) == []


def test_the_redis_security_group_admits_the_function_subnet_only(infra: Config) -> None:
    rules = literal(infra.block("tencentcloud_security_group_rule_set.this").body["ingress"])
    accept, drop = rules
    assert accept["action"] == "ACCEPT"
    assert accept["cidr_block"] == "${local.function_subnet_cidr}"
    assert (accept["protocol"], accept["port"]) == ("TCP", "6379")
    assert (drop["action"], drop["cidr_block"], drop["port"]) == ("DROP", "0.0.0.0/0", "ALL")
    # The range admitted is the function's subnet: the one Terraform creates, or yours
    function_subnet = literal(infra.block("tencentcloud_subnet.function").body["cidr_block"])
    redis_subnet = literal(infra.block("tencentcloud_subnet.redis").body["cidr_block"])
    admitted = infra.locals["function_subnet_cidr"]
    assert function_subnet.strip("${}") in admitted
    assert "data.tencentcloud_vpc_subnets.function[*].instance_list[*].cidr_block" in admitted
    assert redis_subnet != function_subnet


def test_the_function_keeps_public_network_access_in_every_mode(infra: Config) -> None:
    # The function calls CCC's public endpoint, in a VPC or not. Left unset, the provider's
    # default (false) is sent as PublicNetStatus = DISABLE (resource_tc_scf_function.go).
    assert infra.block("tencentcloud_scf_function.this").body["enable_public_net"] is True


def test_the_function_joins_the_store_vpc_and_reads_only_its_secret(infra: Config) -> None:
    function = infra.block("tencentcloud_scf_function.this").body
    assert function["vpc_id"] == "${local.function_vpc_id}"
    assert function["subnet_id"] == "${local.function_subnet_id}"
    statements = str(infra.locals["execution_policy_statements"])
    assert "ssm:GetSecretValue" in statements
    assert "local.redis_secret_resource" in statements
    assert "${local.redis_secret_name}" in infra.locals["redis_secret_resource"]


def test_the_secret_is_named_by_the_uin_that_created_it(infra: Config) -> None:
    # Given the secret's resource in the policy (qcs::ssm:...:secret/creatorUin/<uin>/<name>)
    resource = infra.locals["redis_secret_resource"]
    creator = infra.locals["redis_secret_creator_uin"]
    # Then its creatorUin is who created the secret, as SSM reports it (create_uin): not the
    # account's owner, and not whoever runs Terraform now (a teammate or CI planning after the
    # sub-user who created it would rewrite the policy; modules' tests/redis_secret.tftest.hcl)
    assert "creatorUin/${local.redis_secret_creator_uin}/" in resource
    assert "owner_uin" not in creator
    assert "user_info" not in creator
    assert "create_uin" in creator
    assert "data.tencentcloud_ssm_secrets.redis_password" in creator
    # read for the secret created here too, once it exists
    lookup = infra.block("data.tencentcloud_ssm_secrets.redis_password").body
    assert lookup["count"] == "${local.use_redis ? 1 : 0}"
    assert "tencentcloud_ssm_secret.protected" in str(lookup["depends_on"])
    assert "tencentcloud_ssm_secret.unprotected" in str(lookup["depends_on"])


def test_every_instance_may_use_the_whole_total(infra: Config) -> None:
    environment = infra.locals["function_environment"]
    assert environment["RATE_LIMIT_QPS"] == "${tostring(local.per_instance_qps)}"
    assert Evaluator(infra, {"total_qps": 15}).evaluate(infra.locals["per_instance_qps"]) == 15
