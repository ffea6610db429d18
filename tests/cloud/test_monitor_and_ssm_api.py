"""Cloud Monitor and SSM through Tencent's clients: notices, policies, bound objects, secrets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

Call = Callable[..., dict[str, Any]]


def _error(call: Call, service: str, action: str, **params: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as raised:
        call(service, action, **params)
    return str(raised.value.get_code())


def _notice(call: Call) -> str:
    notice: str = call(
        "monitor",
        "CreateAlarmNotice",
        Module="monitor",
        Name="alarms",
        NoticeType="ALL",
        NoticeLanguage="en-US",
        UserNotices=[
            {
                "ReceiverType": "USER",
                "UserIds": [100000000001],
                "NoticeWay": ["EMAIL"],
                "StartTime": 0,
                "EndTime": 86399,
                "Weekday": [1, 2, 3, 4, 5, 6, 7],
            }
        ],
    )["NoticeId"]
    return notice


def _policy(call: Call, notice: str) -> dict[str, Any]:
    created: dict[str, Any] = call(
        "monitor",
        "CreateAlarmPolicy",
        Module="monitor",
        PolicyName="scf",
        MonitorType="MT_QCE",
        Namespace="scf_v2",
        Enable=1,
        NoticeIds=[notice],
        Condition={
            "IsUnionRule": 0,
            "Rules": [
                {
                    "MetricName": "Error",
                    "Period": 60,
                    "Operator": "ge",
                    "Value": "1",
                    "ContinuePeriod": 1,
                    "NoticeFrequency": 900,
                    "IsPowerNotice": 0,
                }
            ],
        },
    )
    return created


def test_a_notice_reads_back_with_the_policies_using_it(call: Call) -> None:
    notice = _notice(call)
    policy = _policy(call, notice)["PolicyId"]

    [found] = call(
        "monitor",
        "DescribeAlarmNotices",
        Module="monitor",
        PageNumber=1,
        PageSize=200,
        Order="ASC",
        NoticeIds=[notice],
    )["Notices"]

    assert (found["Name"], found["NoticeType"], found["NoticeLanguage"]) == (
        "alarms",
        "ALL",
        "en-US",
    )
    assert found["UserNotices"][0]["NoticeWay"] == ["EMAIL"]
    assert found["PolicyIds"] == [policy]


def test_a_policy_reads_back_its_rules_and_empty_event_conditions(call: Call) -> None:
    created = _policy(call, _notice(call))

    policy = call("monitor", "DescribeAlarmPolicy", Module="monitor", PolicyId=created["PolicyId"])[
        "Policy"
    ]

    assert policy["OriginId"] == created["OriginId"]
    assert [r["MetricName"] for r in policy["Condition"]["Rules"]] == ["Error"]
    assert policy["EventCondition"] == {"Rules": []}  # read without a nil check
    assert (policy["Namespace"], policy["Enable"]) == ("scf_v2", 1)
    # not sent: Monitor's "no project", which is also the provider's default (else it replaces)
    assert policy["ProjectId"] == -1
    assert policy["Region"] == ["ap-guangzhou"]


def test_bound_objects_are_counted_by_region_and_unbound_at_once(call: Call) -> None:
    created = _policy(call, _notice(call))
    dimensions = json.dumps({"functionName": "fn", "namespace": "default", "version": "$LATEST"})

    call(
        "monitor",
        "BindingPolicyObject",
        Module="monitor",
        GroupId=0,
        PolicyId=created["PolicyId"],
        Dimensions=[{"Dimensions": dimensions, "Region": "gz"}],
    )

    count = call(
        "monitor", "DescribePolicyObjectCount", Module="monitor", GroupId=int(created["OriginId"])
    )
    assert [(r["Region"], r["Count"]) for r in count["RegionList"]] == [("gz", 1)]
    [bound] = call(
        "monitor",
        "DescribeBindingPolicyObjectList",
        Module="monitor",
        GroupId=0,
        PolicyId=created["PolicyId"],
        Offset=0,
        Limit=100,
    )["List"]
    assert bound["Dimensions"] == dimensions
    call(
        "monitor",
        "UnBindingAllPolicyObject",
        Module="monitor",
        GroupId=0,
        PolicyId=created["PolicyId"],
    )
    assert (
        call(
            "monitor",
            "DescribePolicyObjectCount",
            Module="monitor",
            GroupId=int(created["OriginId"]),
        )["RegionList"]
        == []
    )


def test_a_deleted_policy_reads_as_none_and_notices_must_exist(call: Call) -> None:
    notice = _notice(call)
    policy = _policy(call, notice)["PolicyId"]

    call("monitor", "DeleteAlarmPolicy", Module="monitor", PolicyIds=[policy])
    call("monitor", "DeleteAlarmNotices", Module="monitor", NoticeIds=[notice])

    assert (
        call("monitor", "DescribeAlarmPolicy", Module="monitor", PolicyId=policy)["Policy"] is None
    )
    assert (
        _error(
            call,
            "monitor",
            "CreateAlarmPolicy",
            Module="monitor",
            PolicyName="p",
            MonitorType="MT_QCE",
            Namespace="scf_v2",
            NoticeIds=[notice],
        )
        == "ResourceNotFound"
    )


def test_a_secret_keeps_versions_and_is_deleted_only_when_disabled(call: Call) -> None:
    call(
        "ssm",
        "CreateSecret",
        SecretName="webhook",
        VersionId="v1",
        SecretString="https://hooks.example/1",
        Description="watch target",
    )
    call(
        "ssm",
        "PutSecretValue",
        SecretName="webhook",
        VersionId="v2",
        SecretString="https://hooks.example/2",
    )

    assert call("ssm", "GetSecretValue", SecretName="webhook", VersionId="v2")["SecretString"] == (
        "https://hooks.example/2"
    )
    assert [
        v["VersionId"]
        for v in call("ssm", "ListSecretVersionIds", SecretName="webhook")["Versions"]
    ] == ["v1", "v2"]
    assert call("ssm", "DescribeSecret", SecretName="webhook")["Status"] == "Enabled"
    assert _error(call, "ssm", "DeleteSecret", SecretName="webhook") == "OperationDenied"
    assert (
        _error(call, "ssm", "CreateSecret", SecretName="webhook", VersionId="v1", SecretString="x")
        == "ResourceInUse.SecretExists"
    )

    call("ssm", "DisableSecret", SecretName="webhook")
    assert (
        _error(call, "ssm", "GetSecretValue", SecretName="webhook", VersionId="v1")
        == "OperationDenied"
    )
    call("ssm", "DeleteSecret", SecretName="webhook", RecoveryWindowInDays=0)
    assert (
        _error(call, "ssm", "DescribeSecret", SecretName="webhook")
        == "ResourceNotFound.SecretNotExist"
    )
