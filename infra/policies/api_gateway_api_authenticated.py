"""CKV_CALLOUT_3: the legacy gateway's API requires authentication (its default is NONE)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import attribute


class ApiGatewayApiAuthenticated(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="API Gateway API sets an auth_type other than NONE",
            id="CKV_CALLOUT_3",
            categories=[CheckCategories.IAM],
            supported_resources=["tencentcloud_api_gateway_api"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        auth_type = attribute(conf, "auth_type")
        if not isinstance(auth_type, str) or auth_type.upper() in {"", "NONE"}:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApiGatewayApiAuthenticated()
