"""CKV_CALLOUT_4: a Function URL signs callers with CAM. AuthType NONE comes only from the
explicit opt-in variable (function_url_anonymous, default false): a scan that sees NONE under
the committed defaults, or with an opted-in var file, reports it."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import attribute, json_field


class FunctionUrlAuthenticated(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SCF Function URL uses AuthType CAM unless anonymous access was opted in",
            id="CKV_CALLOUT_4",
            categories=[CheckCategories.IAM],
            supported_resources=["tencentcloud_scf_trigger"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if attribute(conf, "type") != "http":
            return CheckResult.UNKNOWN
        auth_type = json_field(attribute(conf, "trigger_desc"), "AuthType")
        return CheckResult.PASSED if auth_type == "CAM" else CheckResult.FAILED


check = FunctionUrlAuthenticated()
