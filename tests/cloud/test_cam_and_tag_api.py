"""CAM and Tag through Tencent's clients: roles, policies, attachments, the caller, tags."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from tests.cloud import sample_functions

Call = Callable[..., dict[str, Any]]


def _error(call: Call, service: str, action: str, **params: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as raised:
        call(service, action, **params)
    return str(raised.value.get_code())


def _roles(call: Call) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = call("cam", "DescribeRoleList", Page=1, Rp=200)["List"]
    return listed


def test_a_role_reads_back_its_document_verbatim(call: Call) -> None:
    document = sample_functions.trust_document()

    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=document, Description="execution role"
    )["RoleId"]

    [role] = _roles(call)
    assert (role["RoleId"], role["RoleName"], role["PolicyDocument"]) == (role_id, "exec", document)
    assert role["Description"] == "execution role"
    assert role["RoleArn"].endswith(":roleName/exec")
    assert role["ConsoleLogin"] == 0
    assert call("cam", "GetRole", RoleName="exec")["RoleInfo"]["RoleId"] == role_id


def test_role_names_are_unique_and_documents_must_be_policies(call: Call) -> None:
    call("cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document())
    assert (
        _error(
            call,
            "cam",
            "CreateRole",
            RoleName="exec",
            PolicyDocument=sample_functions.trust_document(),
        )
        == "InvalidParameter.RoleNameInUse"
    )
    assert (
        _error(call, "cam", "CreateRole", RoleName="other", PolicyDocument="{not json")
        == "InvalidParameter.PolicyDocumentError"
    )


def test_a_policy_attaches_lists_and_detaches(call: Call) -> None:
    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document()
    )["RoleId"]
    policy_id = call(
        "cam",
        "CreatePolicy",
        PolicyName="ccc-read",
        PolicyDocument=sample_functions.read_policy(),
        Description="read",
    )["PolicyId"]

    call("cam", "AttachRolePolicy", AttachRoleId=role_id, PolicyId=policy_id)

    attached = call("cam", "ListAttachedRolePolicies", RoleId=role_id, Page=1, Rp=200)["List"]
    assert [(p["PolicyId"], p["PolicyName"], p["CreateMode"]) for p in attached] == [
        (policy_id, "ccc-read", 1)
    ]
    policy = call("cam", "GetPolicy", PolicyId=policy_id)
    assert json.loads(policy["PolicyDocument"])["statement"][0]["action"] == [
        "ccc:DescribeAutoCalloutTask"
    ]
    call("cam", "DetachRolePolicy", DetachRoleId=role_id, PolicyId=policy_id)
    call("cam", "DeletePolicy", PolicyId=[policy_id])
    assert call("cam", "ListAttachedRolePolicies", RoleId=role_id, Page=1, Rp=200)["List"] == []
    assert (
        _error(call, "cam", "GetPolicy", PolicyId=policy_id) == "ResourceNotFound.PolicyIdNotFound"
    )


def test_policy_names_are_unique(call: Call) -> None:
    call("cam", "CreatePolicy", PolicyName="p", PolicyDocument=sample_functions.read_policy())
    assert (
        _error(
            call,
            "cam",
            "CreatePolicy",
            PolicyName="p",
            PolicyDocument=sample_functions.read_policy(),
        )
        == "FailedOperation.PolicyNameInUse"
    )


def test_deleting_an_attached_policy_detaches_it(call: Call) -> None:
    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document()
    )["RoleId"]
    policy_id = call(
        "cam", "CreatePolicy", PolicyName="p", PolicyDocument=sample_functions.read_policy()
    )["PolicyId"]
    call("cam", "AttachRolePolicy", AttachRoleId=role_id, PolicyId=policy_id)

    call("cam", "DeletePolicy", PolicyId=[policy_id])

    assert call("cam", "ListAttachedRolePolicies", RoleId=role_id, Page=1, Rp=200)["List"] == []


def test_deleting_a_role_takes_its_attachments(call: Call) -> None:
    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document()
    )["RoleId"]
    policy_id = call(
        "cam", "CreatePolicy", PolicyName="p", PolicyDocument=sample_functions.read_policy()
    )["PolicyId"]
    call("cam", "AttachRolePolicy", AttachRoleId=role_id, PolicyId=policy_id)

    call("cam", "DeleteRole", RoleId=role_id)

    assert _roles(call) == []
    assert (
        _error(call, "cam", "ListAttachedRolePolicies", RoleId=role_id, Page=1, Rp=20)
        == "InvalidParameter.RoleNotExist"
    )
    call("cam", "DeletePolicy", PolicyId=[policy_id])  # no longer attached anywhere


def test_the_caller_is_the_local_account(call: Call) -> None:
    me = call("cam", "GetUserAppId")
    assert (me["Uin"], me["OwnerUin"], me["AppId"]) == ("100000000001", "100000000001", 1300000001)
    assert (
        call("cam", "DescribeSubAccounts", FilterSubAccountUin=[100000000001])["SubAccounts"] == []
    )


def test_tags_written_through_the_tag_service_show_on_the_role(call: Call) -> None:
    role_id = call(
        "cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document()
    )["RoleId"]
    name = f"qcs::cam::uin/:role/{role_id}"

    call(
        "tag",
        "ModifyResourceTags",
        Resource=name,
        ReplaceTags=[{"TagKey": "team", "TagValue": "ops"}, {"TagKey": "tmp", "TagValue": "1"}],
    )
    call("tag", "ModifyResourceTags", Resource=name, DeleteTags=[{"TagKey": "tmp"}])

    found = call(
        "tag",
        "DescribeResourceTagsByResourceIds",
        ServiceType="cam",
        ResourcePrefix="role",
        ResourceRegion="",
        ResourceIds=[role_id],
        Limit=15,
        Offset=0,
    )
    assert [(t["TagKey"], t["TagValue"], t["ResourceId"]) for t in found["Tags"]] == [
        ("team", "ops", role_id)
    ]
    assert call("cam", "GetRole", RoleId=role_id)["RoleInfo"]["Tags"] == [
        {"Key": "team", "Value": "ops"}
    ]


def test_a_tag_both_replaced_and_deleted_is_refused(call: Call) -> None:
    assert (
        _error(
            call,
            "tag",
            "ModifyResourceTags",
            Resource="qcs::cam::uin/:role/1",
            ReplaceTags=[{"TagKey": "a", "TagValue": "1"}],
            DeleteTags=[{"TagKey": "a"}],
        )
        == "InvalidParameterValue.DeleteTagsParamError"
    )
    assert _error(
        call,
        "tag",
        "ModifyResourceTags",
        Resource="not-a-resource-name",
        ReplaceTags=[{"TagKey": "a", "TagValue": "1"}],
    ) == ("InvalidParameterValue.ResourceDescriptionError")
