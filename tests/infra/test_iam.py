"""The execution role: trusted by SCF alone, and one policy whose statements name actions one by
one (no wildcard), least privilege by default. Read from the module's text, so it holds where
neither the provider nor checkov can evaluate the role (see test_policies.py)."""

from __future__ import annotations

import json
import re

from tests.infra.tf_schema_check import Config, Evaluator, instance_counts, literal


def _jsonencode_argument(text: str) -> str:
    assert text.startswith("${jsonencode("), text
    assert text.endswith(")}"), text
    return text[len("${jsonencode(") : -2]


def test_the_role_is_trusted_by_scf_only(infra: Config) -> None:
    document = infra.block("tencentcloud_cam_role.this").body["document"]
    body = _jsonencode_argument(document)
    assert '"scf.qcloud.com"' in body
    assert body.count("principal") == 1
    assert '["name/sts:AssumeRole"]' in body


def test_every_statement_names_its_actions_without_a_wildcard(infra: Config) -> None:
    statements = infra.locals["execution_policy_statements"]
    actions = [
        json.loads(part.split("]", 1)[0] + "]") for part in statements.split("action = ")[1:]
    ]
    assert actions == [
        ["ccc:DescribeAutoCalloutTask"],
        ["sts:AssumeRole"],
        ["ssm:GetSecretValue"],  # the Redis password
        ["ssm:GetSecretValue"],  # the watch's targets
    ]
    assert infra.block("tencentcloud_cam_policy.this").body["document"] == (
        "${local.execution_policy_document}"
    )


def test_ccc_is_read_directly_only_without_a_cross_account_role(infra: Config) -> None:
    statements = infra.locals["execution_policy_statements"]
    # The CCC statement only without ccc_role_arn; the AssumeRole statement only with it
    assert re.search(
        r'var\.ccc_role_arn == null \? \[\{[^}]*"ccc:DescribeAutoCalloutTask"', statements
    )
    assert re.search(r'var\.ccc_role_arn != null \? \[\{[^}]*"sts:AssumeRole"', statements)


def test_every_application_needs_the_explicit_opt_in(infra: Config) -> None:
    scoped = Evaluator(infra, {"allowed_sdk_app_ids": ["1400000000"]})
    assert scoped.evaluate(infra.locals["scope_ccc_policy"]) is True
    everything = Evaluator(infra, {"allowed_sdk_app_ids": [], "allow_all_sdk_app_ids": True})
    assert everything.evaluate(infra.locals["scope_ccc_policy"]) is False
    assert literal(infra.variables["allow_all_sdk_app_ids"]["default"]) is False


def test_an_existing_role_creates_nothing_in_cam(infra: Config) -> None:
    counts = instance_counts(infra, {"execution_role_name": "team-role"})
    assert counts["tencentcloud_cam_role.this"] == counts["tencentcloud_cam_policy.this"] == 0
    assert counts["tencentcloud_cam_role_policy_attachment.this"] == 0
