"""A deployment made with an earlier infra/ keeps its objects: every address that moved (into the
module, or renamed inside it) has a `moved` block from the old address to the new one."""

from __future__ import annotations

import re

from tests.infra.conftest import INFRA, MODULE
from tests.infra.tf_schema_check import load_config

# Every resource of infra/ before it was built on the module (main at c032afc), without the
# "tencentcloud_" of its type: each now lives in the module, under the same name or, after "->",
# under a new one. A new address with an instance key (["..."]) is the count-guarded resource's
# instance [0] moved into a for_each.
MODULE_PATH = "module.autocallout."
MOVED_TABLE = """
monitor_alarm_notice.function
cls_alarm_notice.function
monitor_alarm_policy.function
monitor_policy_binding_object.function
cls_alarm.server_errors
cls_alarm.throttled
cls_alarm.misconfigured
api_gateway_service.this
api_gateway_api.this
api_gateway_service_release.this
api_gateway_usage_plan.this
api_gateway_usage_plan_attachment.this
api_gateway_api_key.this
api_gateway_api_key_attachment.this
scf_trigger.function_url
scf_function.this
scf_reserved_concurrency_config.this
cam_role.function
cam_policy.ccc_read
cam_role_policy_attachment.ccc_read
cam_policy.assume_ccc_role
cam_role_policy_attachment.assume_ccc_role
cls_index.function
cls_logset.function
cls_topic.function
scf_function_version.this
scf_function_alias.live
scf_provisioned_concurrency_config.this
vpc.rate_limit
subnet.function
subnet.redis
security_group.redis
security_group_rule_set.redis
redis_instance.rate_limit
ssm_secret.redis_password
ssm_secret_version.redis_password
cam_policy.read_redis_password
cam_role_policy_attachment.read_redis_password
scf_trigger.timer
"""


def _table() -> dict[str, str]:
    moved = {}
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


def _resource_of(address: str) -> str:
    """`type.name` of a module address, without the module path and instance key."""
    return re.sub(r"\[[^\]]*\]$", "", address.removeprefix(MODULE_PATH))


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
