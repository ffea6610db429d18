"""CLS through Tencent's CLS client: logsets, topics, indexes, alarm notices, alarms, logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from autocallout.local_cloud import LocalCloud
from autocallout.local_cloud.responses import cls as cls_actions
from tests.cloud import signed_requests

Call = Callable[..., dict[str, Any]]


def _error(call: Call, service: str, action: str, **params: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as raised:
        call(service, action, **params)
    return str(raised.value.get_code())


def _topic(call: Call) -> tuple[str, str]:
    logset = call(
        "cls",
        "CreateLogset",
        LogsetName="fn-logs",
        Tags=[{"Key": "project", "Value": "autocallout"}],
    )["LogsetId"]
    topic = call(
        "cls",
        "CreateTopic",
        LogsetId=logset,
        TopicName="fn",
        Period=30,
        StorageType="hot",
        PartitionCount=1,
        AutoSplit=True,
        Describes="logs",
    )["TopicId"]
    return logset, topic


def test_a_topic_reads_back_through_the_filter_the_provider_uses(call: Call) -> None:
    logset, topic = _topic(call)

    [found] = call(
        "cls",
        "DescribeTopics",
        Filters=[{"Key": "topicId", "Values": [topic]}],
        Offset=0,
        Limit=100,
    )["Topics"]

    assert (found["LogsetId"], found["TopicName"], found["Period"]) == (logset, "fn", 30)
    assert (found["StorageType"], found["PartitionCount"], found["AutoSplit"]) == ("hot", 1, True)
    assert found["Describes"] == "logs"
    assert found["IsWebTracking"] is False  # read without a nil check
    [listed] = call("cls", "DescribeLogsets", Filters=[{"Key": "logsetId", "Values": [logset]}])[
        "Logsets"
    ]
    assert (listed["LogsetName"], listed["TopicCount"]) == ("fn-logs", 1)
    assert listed["Tags"] == [{"Key": "project", "Value": "autocallout"}]


def test_a_logset_with_topics_cannot_go_and_missing_ones_say_so(call: Call) -> None:
    logset, topic = _topic(call)

    assert _error(call, "cls", "DeleteLogset", LogsetId=logset) == "FailedOperation.LogsetNotEmpty"
    call("cls", "DeleteTopic", TopicId=topic)
    call("cls", "DeleteLogset", LogsetId=logset)
    assert _error(call, "cls", "DeleteTopic", TopicId=topic) == "ResourceNotFound.TopicNotExist"
    assert (
        _error(call, "cls", "CreateTopic", LogsetId=logset, TopicName="x")
        == "ResourceNotFound.LogsetNotExist"
    )


def test_an_index_round_trips_its_rule(call: Call) -> None:
    _, topic = _topic(call)
    rule = {
        "FullText": {
            "CaseSensitive": False,
            "Tokenizer": "@&()='\",;:<>[]{}/ \n\t\r",
            "ContainZH": False,
        },
        "KeyValue": {
            "CaseSensitive": True,
            "KeyValues": [
                {"Key": "status", "Value": {"Type": "long", "SqlFlag": True, "ContainZH": False}},
                {"Key": "trigger", "Value": {"Type": "text", "Tokenizer": ",", "SqlFlag": True}},
            ],
        },
    }

    call("cls", "CreateIndex", TopicId=topic, Rule=rule, Status=True)

    index = call("cls", "DescribeIndex", TopicId=topic)
    assert index["Status"] is True
    assert [kv["Key"] for kv in index["Rule"]["KeyValue"]["KeyValues"]] == ["status", "trigger"]
    assert index["Rule"]["KeyValue"]["KeyValues"][0]["Value"]["Type"] == "long"
    assert index["Rule"]["FullText"]["Tokenizer"] == rule["FullText"]["Tokenizer"]
    assert (
        _error(call, "cls", "CreateIndex", TopicId=topic, Rule=rule)
        == "InvalidParameter.IndexConflict"
    )
    call("cls", "DeleteIndex", TopicId=topic)
    assert call("cls", "DescribeIndex", TopicId=topic)["Status"] is False


def test_an_index_for_a_topic_id_that_is_no_string_is_refused_in_the_envelope(
    cloud: LocalCloud,
) -> None:
    answer = signed_requests.post(
        cloud.url, "cls", "CreateIndex", b'{"TopicId": ["a-topic"]}', version="2020-10-16"
    )

    assert answer.status_code == 200
    assert answer.json()["Response"]["Error"]["Code"] == "InvalidParameterValue"


def test_an_alarm_needs_its_topic_and_notice_and_keeps_their_fields(call: Call) -> None:
    logset, topic = _topic(call)
    notice = call(
        "cls",
        "CreateAlarmNotice",
        Name="n",
        Type="All",
        NoticeReceivers=[
            {"ReceiverType": "Uin", "ReceiverIds": [100000000001], "ReceiverChannels": ["Email"]}
        ],
    )["AlarmNoticeId"]
    target = {
        "LogsetId": logset,
        "TopicId": topic,
        "Number": 1,
        "Query": "status:>=500",
        "StartTimeOffset": -5,
        "EndTimeOffset": 0,
        "SyntaxRule": 1,
    }

    alarm = call(
        "cls",
        "CreateAlarm",
        Name="errors",
        AlarmTargets=[target],
        MonitorTime={"Type": "Period", "Time": 1},
        Condition="$1.count > 0",
        AlarmLevel=2,
        TriggerCount=1,
        AlarmPeriod=15,
        AlarmNoticeIds=[notice],
        Status=True,
        MessageTemplate="runbook",
    )["AlarmId"]

    [found] = call("cls", "DescribeAlarms", Filters=[{"Key": "alarmId", "Values": [alarm]}])[
        "Alarms"
    ]
    assert found["AlarmTargets"][0]["Query"] == "status:>=500"
    assert (found["Condition"], found["AlarmLevel"], found["AlarmNoticeIds"]) == (
        "$1.count > 0",
        2,
        [notice],
    )
    [listed] = call(
        "cls", "DescribeAlarmNotices", Filters=[{"Key": "alarmNoticeId", "Values": [notice]}]
    )["AlarmNotices"]
    assert listed["NoticeReceivers"][0]["ReceiverChannels"] == ["Email"]
    assert (
        _error(call, "cls", "DeleteAlarmNotice", AlarmNoticeId=notice)
        == "OperationDenied.NoticeHasAlarm"
    )
    assert (
        _error(
            call,
            "cls",
            "CreateAlarm",
            Name="x",
            AlarmTargets=[{**target, "TopicId": "gone"}],
            MonitorTime={"Type": "Period", "Time": 1},
            TriggerCount=1,
            AlarmPeriod=15,
            AlarmNoticeIds=[notice],
        )
        == "ResourceNotFound.TopicNotExist"
    )
    call("cls", "DeleteAlarm", AlarmId=alarm)
    call("cls", "DeleteAlarmNotice", AlarmNoticeId=notice)
    assert _error(call, "cls", "DeleteAlarm", AlarmId=alarm) == "ResourceNotFound.AlarmNotExist"


def test_search_log_finds_lines_by_field_and_word(call: Call, cloud: LocalCloud) -> None:
    _, topic = _topic(call)
    now = int(cloud.backend.clock() * 1000)
    for line in (
        '{"message": "invocation", "trigger": "timer", "task_id": 3, "status": 200}',
        '{"message": "invocation", "trigger": "function_url", "task_id": 3, "status": 404}',
        "plain text line",
    ):
        cls_actions.append_log(cloud.backend, topic, line, {"SCF_FunctionName": "fn"})

    timer = call(
        "cls",
        "SearchLog",
        TopicId=topic,
        From=now - 1000,
        To=now + 60_000,
        Query='trigger:"timer" AND task_id:3',
        Limit=10,
    )
    words = call(
        "cls", "SearchLog", TopicId=topic, From=now - 1000, To=now + 60_000, Query="plain", Limit=10
    )
    everything = call(
        "cls",
        "SearchLog",
        TopicId=topic,
        From=now - 1000,
        To=now + 60_000,
        Query="*",
        Limit=10,
        Sort="asc",
    )

    assert [r["RawLog"] for r in timer["Results"]] == [
        '{"message": "invocation", "trigger": "timer", "task_id": 3, "status": 200}'
    ]
    assert [r["RawLog"] for r in words["Results"]] == ["plain text line"]
    assert len(everything["Results"]) == 3
    assert '"SCF_FunctionName": "fn"' in everything["Results"][0]["LogJson"]
    assert (
        _error(call, "cls", "SearchLog", TopicId=topic, From=0, To=now, Query="* | select count(*)")
        == "FailedOperation.QueryError"
    )
