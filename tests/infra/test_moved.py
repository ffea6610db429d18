"""A deployment made with an earlier infra/ keeps its objects: every address that moved (into the
module, or renamed inside it) has a `moved` block from the old address to the new one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.infra.paths import FIXTURES, INFRA, MODULE
from tests.infra.tf_schema_check import load_config
from tests.infra.tools import terraform

# Every resource infra/ declared before it was built on the module (main at c032afc).
OLD_ADDRESSES = [
    "monitor_alarm_notice.function",
    "cls_alarm_notice.function",
    "monitor_alarm_policy.function",
    "monitor_policy_binding_object.function",
    "cls_alarm.server_errors",
    "cls_alarm.throttled",
    "cls_alarm.misconfigured",
    "api_gateway_service.this",
    "api_gateway_api.this",
    "api_gateway_service_release.this",
    "api_gateway_usage_plan.this",
    "api_gateway_usage_plan_attachment.this",
    "api_gateway_api_key.this",
    "api_gateway_api_key_attachment.this",
    "scf_trigger.function_url",
    "scf_function.this",
    "scf_reserved_concurrency_config.this",
    "cam_role.function",
    "cam_policy.ccc_read",
    "cam_role_policy_attachment.ccc_read",
    "cam_policy.assume_ccc_role",
    "cam_role_policy_attachment.assume_ccc_role",
    "cls_index.function",
    "cls_logset.function",
    "cls_topic.function",
    "scf_function_version.this",
    "scf_function_alias.live",
    "scf_provisioned_concurrency_config.this",
    "vpc.rate_limit",
    "subnet.function",
    "subnet.redis",
    "security_group.redis",
    "security_group_rule_set.redis",
    "redis_instance.rate_limit",
    "ssm_secret.redis_password",
    "ssm_secret_version.redis_password",
    "cam_policy.read_redis_password",
    "cam_role_policy_attachment.read_redis_password",
    "scf_trigger.timer",
]
# Policies whose statements are now in the one policy (iam.tf): deleted, not moved.
MERGED = [
    "cam_policy.assume_ccc_role",
    "cam_role_policy_attachment.assume_ccc_role",
    "cam_policy.read_redis_password",
    "cam_role_policy_attachment.read_redis_password",
]
# Forgotten by a `removed` block, never deleted: the module binds to an existing service now.
FORGOTTEN = ["api_gateway_service.this"]

# The others, without the "tencentcloud_" of their type: each now lives in the module, under the
# same name or, after "->", under a new one. An old address with [0] is the count-guarded
# resource's instance moved into a for_each; a new one with [0], a resource that gained a count.
MODULE_PATH = "module.autocallout."
MOVED_TABLE = """
monitor_alarm_notice.function -> monitor_alarm_notice.this
cls_alarm_notice.function -> cls_alarm_notice.this
monitor_alarm_policy.function -> monitor_alarm_policy.this
monitor_policy_binding_object.function -> monitor_policy_binding_object.this
cls_alarm.server_errors[0] -> cls_alarm.log["server_errors"]
cls_alarm.throttled[0] -> cls_alarm.log["throttled"]
cls_alarm.misconfigured[0] -> cls_alarm.log["misconfigured"]
api_gateway_api.this
api_gateway_service_release.this
api_gateway_usage_plan.this
api_gateway_usage_plan_attachment.this
api_gateway_api_key.this
api_gateway_api_key_attachment.this
scf_trigger.function_url
scf_function.this
scf_reserved_concurrency_config.this
cam_role.function -> cam_role.this[0]
cam_policy.ccc_read -> cam_policy.this[0]
cam_role_policy_attachment.ccc_read -> cam_role_policy_attachment.this[0]
cls_index.function -> cls_index.this
cls_logset.function -> cls_logset.this[0]
cls_topic.function -> cls_topic.protected[0]
scf_function_version.this
scf_function_alias.live
scf_provisioned_concurrency_config.this
vpc.rate_limit -> vpc.this
subnet.function
subnet.redis
security_group.redis -> security_group.this
security_group_rule_set.redis -> security_group_rule_set.this
redis_instance.rate_limit -> redis_instance.this
ssm_secret.redis_password -> ssm_secret.protected
ssm_secret_version.redis_password -> ssm_secret_version.this
scf_trigger.timer
"""


def _table() -> dict[str, str]:
    moved: dict[str, str] = {}
    for line in MOVED_TABLE.strip().splitlines():
        old, _, new = line.partition(" -> ")
        moved[f"tencentcloud_{old}"] = f"{MODULE_PATH}tencentcloud_{new or old}"
    return moved


MOVED = _table()


def _moved_blocks() -> list[tuple[str, str]]:
    """(from, to) of every moved block of the working root, as written."""
    text = (INFRA / "moved.tf").read_text(encoding="utf-8")
    return [
        (match[1], match[2])
        for match in re.finditer(r"moved \{\s*from\s*=\s*(\S+)\s*to\s*=\s*(\S+)\s*\}", text)
    ]


def _removed_blocks() -> list[str]:
    text = (INFRA / "moved.tf").read_text(encoding="utf-8")
    return re.findall(r"removed \{\s*from\s*=\s*(\S+)", text)


def _resource_of(address: str) -> str:
    """`type.name` of a module address, without the module path and instance key."""
    return re.sub(r"\[[^\]]*\]$", "", address.removeprefix(MODULE_PATH))


def test_every_old_resource_is_moved_merged_or_forgotten() -> None:
    # Given the old resources and what became of each
    moved = {_resource_of(old) for old in MOVED}
    # Then each is accounted for exactly once: nothing is left for Terraform to delete unnoticed
    assert sorted([*moved, *(f"tencentcloud_{a}" for a in MERGED + FORGOTTEN)]) == sorted(
        f"tencentcloud_{a}" for a in OLD_ADDRESSES
    )
    # And the forgotten one has its removed block, which keeps the object
    assert _removed_blocks() == [f"tencentcloud_{a}" for a in FORGOTTEN]
    assert "destroy = false" in (INFRA / "moved.tf").read_text(encoding="utf-8")


def test_every_old_address_moves_to_its_new_one() -> None:
    # Given the root's moved blocks
    moves = _moved_blocks()
    # Then each old address has exactly one, to the address listed above, and nothing else moves
    assert sorted(moves) == sorted(MOVED.items())


def test_every_new_address_is_a_resource_of_the_module() -> None:
    # Given the module's resources
    declared = {block.address for block in load_config(MODULE).blocks}
    # Then each move arrives at one of them (a move to nothing would plan a destroy)
    assert {_resource_of(new) for new in MOVED.values()} <= declared


def test_a_deployment_of_the_old_layout_keeps_its_objects(
    provider_infra: Path, tmp_path: Path
) -> None:
    # Given infra/ as it is, with infra/ as it was (c032afc) and a test that applies the old one
    # and then plans the new one in the same state (a mock of the real provider's schema)
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    shutil.copytree(FIXTURES / "moved" / "old_layout", copy / "tests" / "old_layout")
    shutil.copy(FIXTURES / "moved" / "moved.tftest.hcl", copy / "tests" / "moved.tftest.hcl")
    assert terraform(copy, "init", "-backend=false").returncode == 0
    # When the test runs
    result = terraform(copy, "test", "-filter=tests/moved.tftest.hcl")
    # Then the function, role, logset, topic and Redis instance keep their ids: moved, not
    # replaced
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Success! 4 passed, 0 failed." in output
