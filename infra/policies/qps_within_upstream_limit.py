"""CKV_CALLOUT_5: no rate limit lets more than the upstream's 20 requests/second through
(DescribeAutoCalloutTask's limit per account)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import as_int, attribute, json_field

UPSTREAM_QPS = 20

# Which attribute holds the limit for each resource type; all must be set (-1 is "unlimited").
LIMIT_ATTRIBUTES = {
    "tencentcloud_api_gateway_service": "release_limit",
    "tencentcloud_api_gateway_api": "release_limit",
    "tencentcloud_api_gateway_usage_plan": "max_request_num_pre_sec",
}


class QpsWithinUpstreamLimit(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Rate limits stay within the upstream's 20 requests/second",
            id="CKV_CALLOUT_5",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=[*LIMIT_ATTRIBUTES, "tencentcloud_scf_function"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "tencentcloud_scf_function":
            # A dict, or the text checkov leaves when it cannot finish every value of the map.
            limit = as_int(json_field(attribute(conf, "environment"), "RATE_LIMIT_QPS"))
        else:
            limit = as_int(attribute(conf, LIMIT_ATTRIBUTES[self.entity_type]))
        if limit is None or not 1 <= limit <= UPSTREAM_QPS:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = QpsWithinUpstreamLimit()
