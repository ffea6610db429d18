"""CKV_CALLOUT_1: the function's CAM policies name every action; no "*" anywhere in an action."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import attribute, statement_actions


class CamPolicyNoWildcardAction(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CAM policy allows named actions only (no wildcard)",
            id="CKV_CALLOUT_1",
            categories=[CheckCategories.IAM],
            supported_resources=["tencentcloud_cam_policy"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        statements = statement_actions(attribute(conf, "document"))
        if not statements:
            return CheckResult.FAILED
        for actions in statements:
            if not actions or any(not isinstance(a, str) or "*" in a for a in actions):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = CamPolicyNoWildcardAction()
