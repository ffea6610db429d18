"""CKV_CALLOUT_7: every alarm tells someone. A CLS alarm names alarm notices (or an observability
platform notice); a Cloud Monitor alarm policy names notice ids (or hierarchical notices)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from rendered_values import attribute

# Per resource type: the arguments that can carry a notice, and for blocks the field inside.
NOTICE_ARGUMENTS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "tencentcloud_cls_alarm": (("alarm_notice_ids", None), ("monitor_notice", "notices")),
    "tencentcloud_monitor_alarm_policy": (
        ("notice_ids", None),
        ("hierarchical_notices", "notice_id"),
    ),
}


def _named(value: Any) -> bool:
    """A non-empty list of non-empty entries, or a non-empty expression checkov left as text."""
    if isinstance(value, list):
        return bool(value) and all(_named(item) for item in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != {}


class AlarmHasNotice(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Alarm notifies someone (names a notice)",
            id="CKV_CALLOUT_7",
            categories=[CheckCategories.LOGGING],
            supported_resources=list(NOTICE_ARGUMENTS),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        resource_type = self.entity_type
        for argument, inner in NOTICE_ARGUMENTS.get(resource_type, ()):
            value = attribute(conf, argument)
            if inner is not None:
                blocks = value if isinstance(value, list) else [value]
                value = [attribute(b, inner) for b in blocks if isinstance(b, dict)]
                value = [v for v in value if v is not None]
            if _named(value):
                return CheckResult.PASSED
        return CheckResult.FAILED


check = AlarmHasNotice()
