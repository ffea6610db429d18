"""A function's role credentials reach CCC through the local cloud only as far as the policies
attached to its role allow (CAM's verdict, ``local_cloud.iam``); beyond that CCC answers
AuthFailure.UnauthorizedOperation, which the function turns into a 403."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.ccc.v20200210 import ccc_client
from tencentcloud.ccc.v20200210 import models as ccc_models
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from autocallout.runtimes import find_interpreter
from tests.cloud import sample_functions

Call = Callable[..., dict[str, Any]]
SEEDED_APP = 1400000000  # the fake CCC's bundled seed has task 3 there


@pytest.fixture(autouse=True)
def _runtime() -> None:
    if find_interpreter("Python3.12") is None:
        pytest.skip("no CPython 3.12 for SCF's Python3.12 on this machine")


def _role_with(call: Call, *statements: dict[str, Any]) -> None:
    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document()
    )["RoleId"]
    for number, statement in enumerate(statements):
        document = json.dumps({"version": "2.0", "statement": [statement]})
        policy = call("cam", "CreatePolicy", PolicyName=f"p{number}", PolicyDocument=document)
        call("cam", "AttachRolePolicy", AttachRoleId=role_id, PolicyId=policy["PolicyId"])


def _describe_as_the_function(call: Call, sdk_app_id: int = SEEDED_APP) -> str:
    """DescribeAutoCalloutTask with the credentials SCF gave the function: the state, or the
    error code."""
    call(
        "scf",
        "CreateFunction",
        FunctionName="fn",
        Runtime="Python3.12",
        Handler="index.main_handler",
        Role="exec",
        Code=sample_functions.code(sample_functions.ROLE_CREDENTIALS),
    )
    given = json.loads(call("scf", "Invoke", FunctionName="fn")["Result"]["RetMsg"])
    credential = Credential(
        given["TENCENTCLOUD_SECRETID"],
        given["TENCENTCLOUD_SECRETKEY"],
        given["TENCENTCLOUD_SESSIONTOKEN"],
    )
    endpoint = given["CCC_ENDPOINT"].removeprefix("http://")
    client = ccc_client.CccClient(
        credential,
        "",
        ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint)),
    )
    request = ccc_models.DescribeAutoCalloutTaskRequest()
    request.SdkAppId = sdk_app_id
    request.TaskId = 3
    try:
        return str(client.DescribeAutoCalloutTask(request).State)
    except TencentCloudSDKException as error:
        return str(error.get_code())


def _allow(action: str = "ccc:DescribeAutoCalloutTask", resource: str = "*") -> dict[str, Any]:
    return {"effect": "allow", "action": [action], "resource": [resource]}


def test_a_role_allowed_the_action_reads_the_task(call: Call) -> None:
    _role_with(call, _allow())
    assert _describe_as_the_function(call) == "1"


def test_a_role_without_a_policy_is_refused(call: Call) -> None:
    _role_with(call)
    assert _describe_as_the_function(call) == "AuthFailure.UnauthorizedOperation"


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        (_allow("name/ccc:DescribeAutoCalloutTask"), "1"),
        (_allow("ccc:*"), "1"),
        (_allow("ccc:DescribeAutoCalloutTasks"), "AuthFailure.UnauthorizedOperation"),
        (_allow("ccc:CreateAutoCalloutTask"), "AuthFailure.UnauthorizedOperation"),
        (_allow(resource=f"qcs::ccc::uin/100000000001:SdkAppId/{SEEDED_APP}"), "1"),
        (
            _allow(resource="qcs::ccc::uin/100000000001:SdkAppId/1400000099"),
            "AuthFailure.UnauthorizedOperation",
        ),
    ],
)
def test_actions_and_resources_are_matched_as_cam_writes_them(
    call: Call, statement: dict[str, Any], verdict: str
) -> None:
    _role_with(call, statement)
    assert _describe_as_the_function(call) == verdict


def test_an_explicit_deny_wins_over_an_allow(call: Call) -> None:
    _role_with(call, _allow(), {**_allow(), "effect": "deny"})
    assert _describe_as_the_function(call) == "AuthFailure.UnauthorizedOperation"
