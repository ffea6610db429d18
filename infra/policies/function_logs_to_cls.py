"""CKV_CALLOUT_6: the function ships its logs to a CLS logset and topic."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import attribute


class FunctionLogsToCls(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SCF function sets cls_logset_id and cls_topic_id",
            id="CKV_CALLOUT_6",
            categories=[CheckCategories.LOGGING],
            supported_resources=["tencentcloud_scf_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        for name in ("cls_logset_id", "cls_topic_id"):
            value = attribute(conf, name)
            if not isinstance(value, str) or not value.strip():
                return CheckResult.FAILED
        return CheckResult.PASSED


check = FunctionLogsToCls()
