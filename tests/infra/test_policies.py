"""The project's checkov policies (infra/policies/) hold for infra/, and each one fails on a
fixture that breaks it. checkov runs from its own virtualenv (.venv-checkov): its parser ships
a module named `hcl2` that would shadow python-hcl2 in the test environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.paths import FIXTURES, MODULE, POLICIES
from tests.infra.tools import checkov_binary

POLICY_IDS = {f"CKV_CALLOUT_{n}" for n in range(1, 9)}
# checkov drops a resource whose count it cannot evaluate, and it cannot compare with null: the
# CAM role and policy (count: execution_role_name == null) never reach CKV_CALLOUT_1 and 2 in the
# module. Their rules are checked on the fixtures below, on the module's text in
# tests/infra/test_iam.py, and on its plan in modules/autocallout/tests (with the provider).
NOT_REACHED_IN_THE_MODULE = {"CKV_CALLOUT_1", "CKV_CALLOUT_2"}


def run_checkov(directory: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    """checkov's exit code and its JSON reports (one per framework) for ``directory``."""
    result = subprocess.run(
        [
            str(checkov_binary()),
            "--directory",
            str(directory),
            "--external-checks-dir",
            str(POLICIES),
            "--skip-download",
            "--compact",
            "--output",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-2000:]}"
    parsed = json.loads(result.stdout)
    reports = parsed if isinstance(parsed, list) else [parsed]
    return result.returncode, reports


def outcomes(reports: list[dict[str, Any]], kind: str) -> set[tuple[str, str]]:
    return {
        (check["check_id"], check["resource"])
        for report in reports
        for check in report.get("results", {}).get(kind, [])
    }


def test_checkov_passes_on_infra_with_every_project_policy_applied() -> None:
    # Given the module infra/ is built on (its defaults render every value; the root passes
    # nulls that checkov cannot follow into it), with checkov's checks and the project's
    # When checkov scans the directory
    code, reports = run_checkov(MODULE)
    # Then nothing fails, and every project policy actually ran
    assert outcomes(reports, "failed_checks") == set()
    assert code == 0
    ran = {check_id for check_id, _ in outcomes(reports, "passed_checks")}
    assert ran == POLICY_IDS - NOT_REACHED_IN_THE_MODULE
    assert all(report["summary"]["parsing_errors"] == 0 for report in reports)


@pytest.mark.parametrize(
    ("fixture", "policy", "resources"),
    [
        (
            "wildcard_action",
            "CKV_CALLOUT_1",
            {"tencentcloud_cam_policy.service_wildcard", "tencentcloud_cam_policy.everything"},
        ),
        (
            "untrusted_principal",
            "CKV_CALLOUT_2",
            {"tencentcloud_cam_role.shared_with_cvm", "tencentcloud_cam_role.account"},
        ),
        (
            "anonymous_api",
            "CKV_CALLOUT_3",
            {"tencentcloud_api_gateway_api.explicit", "tencentcloud_api_gateway_api.by_default"},
        ),
        (
            "anonymous_function_url",
            "CKV_CALLOUT_4",
            {"tencentcloud_scf_trigger.hardcoded", "tencentcloud_scf_trigger.opted_in_by_default"},
        ),
        (
            "qps_over_limit",
            "CKV_CALLOUT_5",
            {
                "tencentcloud_api_gateway_service.over",
                "tencentcloud_api_gateway_usage_plan.unlimited",
                "tencentcloud_api_gateway_api.unset",
                "tencentcloud_scf_function.per_instance_over",
            },
        ),
        (
            "logging_unwired",
            "CKV_CALLOUT_6",
            {"tencentcloud_scf_function.no_topic", "tencentcloud_scf_function.no_logging"},
        ),
        (
            "alarm_without_notice",
            "CKV_CALLOUT_7",
            {
                "tencentcloud_cls_alarm.no_notice",
                "tencentcloud_cls_alarm.empty_notice",
                "tencentcloud_monitor_alarm_policy.no_notice",
                "tencentcloud_monitor_alarm_policy.empty_notice",
            },
        ),
        (
            "index_missing_fields",
            "CKV_CALLOUT_8",
            {
                "tencentcloud_cls_index.written_out_partly",
                "tencentcloud_cls_index.generated_partly",
                "tencentcloud_cls_index.full_text_only",
            },
        ),
    ],
)
def test_policy_fails_on_a_violating_fixture(
    fixture: str, policy: str, resources: set[str]
) -> None:
    # Given a configuration that breaks one policy
    # When checkov runs that policy on it
    code, reports = run_checkov(FIXTURES / "policies" / fixture, "--check", policy)
    # Then every violating resource fails it, and checkov exits non-zero
    assert outcomes(reports, "failed_checks") == {(policy, r) for r in resources}
    assert outcomes(reports, "passed_checks") == set()
    assert code != 0
