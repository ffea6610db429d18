"""CKV_CALLOUT_2: the execution role can be assumed by the SCF service and by nobody else."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import as_document, as_list, attribute

SCF_PRINCIPAL = {"service": ["scf.qcloud.com"]}


class CamRoleTrustsOnlyScf(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CAM role is trusted by scf.qcloud.com only",
            id="CKV_CALLOUT_2",
            categories=[CheckCategories.IAM],
            supported_resources=["tencentcloud_cam_role"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        document = as_document(attribute(conf, "document"))
        if document is None:
            return CheckResult.FAILED
        statements = as_list(document.get("statement"))
        if not statements:
            return CheckResult.FAILED
        for statement in statements:
            if not isinstance(statement, dict):
                return CheckResult.FAILED
            principal = statement.get("principal")
            if not isinstance(principal, dict):
                return CheckResult.FAILED
            normalised = {key: as_list(value) for key, value in principal.items()}
            if normalised != SCF_PRINCIPAL:
                return CheckResult.FAILED
            if as_list(statement.get("action")) != ["name/sts:AssumeRole"]:
                return CheckResult.FAILED
        return CheckResult.PASSED


check = CamRoleTrustsOnlyScf()
