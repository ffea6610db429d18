"""CLS (2020-10-16): logsets, topics, indexes, alarm notices, alarms, and the logs themselves.

Shapes: CLS's API reference (LogsetInfo, TopicInfo, DescribeIndex, AlarmNotice, AlarmInfo,
SearchLog's LogInfo) and the provider's resource_tc_cls_*.go, which look each resource up through
the list actions with one ``Filters`` entry (``logsetId``, ``topicId``, ``alarmId``,
``alarmNoticeId``) and read most fields back as sent (``TopicInfo.IsWebTracking`` without a nil
check). Alarm notices, alarms and indexes are kept as the request's own objects, so every field
round-trips. Logs are what the data plane wrote (``append_log``); SearchLog takes ``*``, words and
``field:value`` terms joined by AND.
"""

from __future__ import annotations

import json
from typing import Any

from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, filters, page, tag_list, tags_from

_LIST_LIMIT = 100


def _tag_name(backend: CloudBackend, prefix: str, resource_id: str) -> str:
    return backend.resource_name("cls", prefix, resource_id, backend.region)


def _matches(item: JSONObject, wanted: dict[str, list[str]], fields: dict[str, str]) -> bool:
    for key, values in wanted.items():
        field = fields.get(key)
        if field is None:
            raise CloudError("InvalidParameter", f"Filter key {key} is not supported.")
        if str(item.get(field, "")) not in values:
            return False
    return True


def _listed(
    backend: CloudBackend, collection: str, params: Params, fields: dict[str, str]
) -> list[JSONObject]:
    wanted = filters(params)
    with backend.lock:
        items = list(backend.table(collection).values())
    return [item for item in items if _matches(item, wanted, fields)]


# -- logsets --------------------------------------------------------------------------------------


def create_logset(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("LogsetName")
    if any(s["LogsetName"] == name for s in backend.table("cls.logsets").values()):
        raise CloudError("InvalidParameter.LogsetConflict", f"A logset named {name} exists.")
    logset_id = backend.new_id("uuid")
    backend.set_tags(_tag_name(backend, "logset", logset_id), tags_from(params))
    backend.put(
        "cls.logsets",
        logset_id,
        {
            "LogsetId": logset_id,
            "LogsetName": name,
            "CreateTime": backend.now(),
            "AssumerName": "",
            "RoleName": "",
        },
    )
    return {"LogsetId": logset_id}


def _logset_view(backend: CloudBackend, logset: JSONObject) -> JSONObject:
    answer = dict(logset)
    answer["TopicCount"] = sum(
        1 for t in backend.table("cls.topics").values() if t["LogsetId"] == logset["LogsetId"]
    )
    answer["Tags"] = tag_list(backend.tags_of(_tag_name(backend, "logset", logset["LogsetId"])))
    return answer


def describe_logsets(backend: CloudBackend, params: Params) -> JSONObject:
    found = _listed(
        backend, "cls.logsets", params, {"logsetId": "LogsetId", "logsetName": "LogsetName"}
    )
    return {
        "Logsets": [_logset_view(backend, s) for s in page(found, params, _LIST_LIMIT)],
        "TotalCount": len(found),
    }


def _logset(backend: CloudBackend, logset_id: str) -> JSONObject:
    found: JSONObject = backend.get(
        "cls.logsets",
        logset_id,
        CloudError("ResourceNotFound.LogsetNotExist", f"The logset {logset_id} does not exist."),
    )
    return dict(found)


def modify_logset(backend: CloudBackend, params: Params) -> JSONObject:
    logset = _logset(backend, params.name("LogsetId"))
    if "LogsetName" in params:
        logset["LogsetName"] = params.name("LogsetName")
    backend.put("cls.logsets", logset["LogsetId"], logset)
    return {}


def delete_logset(backend: CloudBackend, params: Params) -> JSONObject:
    logset = _logset(backend, params.name("LogsetId"))
    if any(t["LogsetId"] == logset["LogsetId"] for t in backend.table("cls.topics").values()):
        raise CloudError("FailedOperation.LogsetNotEmpty", "Delete the logset's topics first.")
    backend.drop_tags(_tag_name(backend, "logset", logset["LogsetId"]))
    backend.delete("cls.logsets", logset["LogsetId"])
    return {}


# -- topics ---------------------------------------------------------------------------------------

_TOPIC_FIELDS = {
    "PartitionCount": 1,
    "AutoSplit": True,
    "MaxSplitPartitions": 50,
    "StorageType": "hot",
    "Period": 30,
    "HotPeriod": 0,
    "Describes": "",
    "IsWebTracking": False,
}


def create_topic(backend: CloudBackend, params: Params) -> JSONObject:
    logset = _logset(backend, params.name("LogsetId"))
    name = params.name("TopicName")
    if any(
        t["TopicName"] == name and t["LogsetId"] == logset["LogsetId"]
        for t in backend.table("cls.topics").values()
    ):
        raise CloudError("InvalidParameter.TopicConflict", f"A topic named {name} exists.")
    topic_id = backend.new_id("uuid")
    topic: JSONObject = {
        "LogsetId": logset["LogsetId"],
        "TopicId": topic_id,
        "TopicName": name,
        "CreateTime": backend.now(),
        "Status": True,
        "Index": False,
        "BizType": params.integer("BizType", 0, low=0, high=1),
        "KeyId": "",
        "Extends": params.obj("Extends"),
    }
    for field, default in _TOPIC_FIELDS.items():
        topic[field] = params.get(field, default)
    period = topic["Period"]
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= 3600:
        raise CloudError("InvalidParameterValue", "Period must be from 1 to 3600 days.")
    backend.set_tags(_tag_name(backend, "topic", topic_id), tags_from(params))
    backend.put("cls.topics", topic_id, topic)
    return {"TopicId": topic_id}


def _topic_view(backend: CloudBackend, topic: JSONObject) -> JSONObject:
    answer = dict(topic)
    answer["Index"] = topic["TopicId"] in backend.table("cls.indexes")
    answer["Tags"] = tag_list(backend.tags_of(_tag_name(backend, "topic", topic["TopicId"])))
    return answer


def describe_topics(backend: CloudBackend, params: Params) -> JSONObject:
    found = _listed(
        backend,
        "cls.topics",
        params,
        {"topicId": "TopicId", "topicName": "TopicName", "logsetId": "LogsetId"},
    )
    return {
        "Topics": [_topic_view(backend, t) for t in page(found, params, _LIST_LIMIT)],
        "TotalCount": len(found),
    }


def _topic(backend: CloudBackend, topic_id: str) -> JSONObject:
    found: JSONObject = backend.get(
        "cls.topics",
        topic_id,
        CloudError("ResourceNotFound.TopicNotExist", f"The topic {topic_id} does not exist."),
    )
    return dict(found)


def modify_topic(backend: CloudBackend, params: Params) -> JSONObject:
    topic = _topic(backend, params.name("TopicId"))
    for field in ("TopicName", *_TOPIC_FIELDS):
        if field in params:
            topic[field] = params.get(field)
    if "Status" in params:
        topic["Status"] = params.boolean("Status", True)
    backend.put("cls.topics", topic["TopicId"], topic)
    return {}


def delete_topic(backend: CloudBackend, params: Params) -> JSONObject:
    topic = _topic(backend, params.name("TopicId"))
    backend.delete("cls.indexes", topic["TopicId"])
    with backend.lock:
        backend.table("cls.logs").pop(topic["TopicId"], None)
    backend.drop_tags(_tag_name(backend, "topic", topic["TopicId"]))
    backend.delete("cls.topics", topic["TopicId"])
    return {}


# -- indexes --------------------------------------------------------------------------------------


def _put_index(backend: CloudBackend, params: Params) -> JSONObject:
    topic = _topic(backend, params.name("TopicId"))
    rule = params.obj("Rule")
    index = {
        "TopicId": topic["TopicId"],
        "Status": params.boolean("Status", True),
        "Rule": rule,
        "ModifyTime": backend.now(),
        "IncludeInternalFields": params.boolean("IncludeInternalFields", False),
        "MetadataFlag": params.integer("MetadataFlag", 0, low=0, high=2),
    }
    backend.put("cls.indexes", topic["TopicId"], index)
    return {}


def create_index(backend: CloudBackend, params: Params) -> JSONObject:
    if params.name("TopicId") in backend.table("cls.indexes"):
        raise CloudError("InvalidParameter.IndexConflict", "The topic already has an index.")
    return _put_index(backend, params)


def modify_index(backend: CloudBackend, params: Params) -> JSONObject:
    topic_id = params.name("TopicId")
    current = backend.table("cls.indexes").get(topic_id)
    if current is None:
        raise CloudError("ResourceNotFound.IndexNotExist", f"The topic {topic_id} has no index.")
    merged = {**{k: v for k, v in current.items() if k != "ModifyTime"}, **params.raw}
    return _put_index(backend, Params(merged))


def describe_index(backend: CloudBackend, params: Params) -> JSONObject:
    topic = _topic(backend, params.name("TopicId"))
    index = backend.table("cls.indexes").get(topic["TopicId"])
    if index is None:  # a topic without an index answers with the index off
        return {"TopicId": topic["TopicId"], "Status": False, "Rule": None, "ModifyTime": ""}
    return dict(index)


def delete_index(backend: CloudBackend, params: Params) -> JSONObject:
    topic = _topic(backend, params.name("TopicId"))
    if backend.delete("cls.indexes", topic["TopicId"]) is None:
        raise CloudError("ResourceNotFound.IndexNotExist", "The topic has no index.")
    return {}


# -- alarm notices and alarms: kept as the request objects ---------------------------------------

_NOTICE_FIELDS = (
    "Name",
    "Type",
    "NoticeReceivers",
    "WebCallbacks",
    "NoticeRules",
    "JumpDomain",
    "DeliverStatus",
    "DeliverConfig",
    "AlarmShieldStatus",
    "CallbackPrioritize",
)


def create_alarm_notice(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("Name")
    if any(n["Name"] == name for n in backend.table("cls.alarm_notices").values()):
        raise CloudError("InvalidParameter.AlarmNoticeConflict", f"A notice named {name} exists.")
    notice_id = backend.new_id("notice-uuid")
    notice: JSONObject = {field: params.get(field) for field in _NOTICE_FIELDS if field in params}
    now = backend.now()
    notice.update(AlarmNoticeId=notice_id, CreateTime=now, UpdateTime=now)
    backend.set_tags(_tag_name(backend, "alarmNotice", notice_id), tags_from(params))
    backend.put("cls.alarm_notices", notice_id, notice)
    return {"AlarmNoticeId": notice_id}


def _with_tags(backend: CloudBackend, prefix: str, key: str, item: JSONObject) -> JSONObject:
    return {**item, "Tags": tag_list(backend.tags_of(_tag_name(backend, prefix, key)))}


def describe_alarm_notices(backend: CloudBackend, params: Params) -> JSONObject:
    found = _listed(
        backend, "cls.alarm_notices", params, {"alarmNoticeId": "AlarmNoticeId", "name": "Name"}
    )
    return {
        "AlarmNotices": [
            _with_tags(backend, "alarmNotice", n["AlarmNoticeId"], n)
            for n in page(found, params, _LIST_LIMIT)
        ],
        "TotalCount": len(found),
    }


def _modify(
    backend: CloudBackend, params: Params, collection: str, id_field: str, fields: tuple[str, ...]
) -> JSONObject:
    item_id = params.name(id_field)
    item: JSONObject = dict(
        backend.get(
            collection,
            item_id,
            CloudError(
                "ResourceNotFound.AlarmNoticeNotExist"
                if collection == "cls.alarm_notices"
                else "ResourceNotFound.AlarmNotExist",
                f"{item_id} does not exist.",
            ),
        )
    )
    for field in fields:
        if field in params:
            item[field] = params.get(field)
    item["UpdateTime"] = backend.now()
    backend.put(collection, item_id, item)
    return {}


def modify_alarm_notice(backend: CloudBackend, params: Params) -> JSONObject:
    return _modify(backend, params, "cls.alarm_notices", "AlarmNoticeId", _NOTICE_FIELDS)


def delete_alarm_notice(backend: CloudBackend, params: Params) -> JSONObject:
    notice_id = params.name("AlarmNoticeId")
    if notice_id not in backend.table("cls.alarm_notices"):
        raise CloudError("ResourceNotFound.AlarmNoticeNotExist", f"{notice_id} does not exist.")
    if any(
        notice_id in (a.get("AlarmNoticeIds") or []) for a in backend.table("cls.alarms").values()
    ):
        raise CloudError("OperationDenied.NoticeHasAlarm", "An alarm still uses this notice.")
    backend.drop_tags(_tag_name(backend, "alarmNotice", notice_id))
    backend.delete("cls.alarm_notices", notice_id)
    return {}


_ALARM_FIELDS = (
    "Name",
    "AlarmTargets",
    "MonitorTime",
    "Condition",
    "AlarmLevel",
    "MultiConditions",
    "TriggerCount",
    "AlarmPeriod",
    "AlarmNoticeIds",
    "Status",
    "MessageTemplate",
    "CallBack",
    "Analysis",
    "GroupTriggerStatus",
    "GroupTriggerCondition",
    "MonitorObjectType",
    "Classifications",
)


def create_alarm(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("Name")
    targets = params.objects("AlarmTargets")
    if not targets:
        raise CloudError("MissingParameter", "The request is missing AlarmTargets.")
    for target in targets:
        _topic(backend, str(target.get("TopicId", "")))
    for notice_id in params.items("AlarmNoticeIds"):
        if notice_id not in backend.table("cls.alarm_notices"):
            raise CloudError("ResourceNotFound.AlarmNoticeNotExist", f"{notice_id} does not exist.")
    if any(a["Name"] == name for a in backend.table("cls.alarms").values()):
        raise CloudError("InvalidParameter.AlarmConflict", f"An alarm named {name} exists.")
    alarm_id = backend.new_id("alarm-uuid")
    alarm: JSONObject = {field: params.get(field) for field in _ALARM_FIELDS if field in params}
    now = backend.now()
    alarm.update(AlarmId=alarm_id, CreateTime=now, UpdateTime=now)
    alarm.setdefault("Status", True)
    backend.set_tags(_tag_name(backend, "alarm", alarm_id), tags_from(params))
    backend.put("cls.alarms", alarm_id, alarm)
    return {"AlarmId": alarm_id}


def describe_alarms(backend: CloudBackend, params: Params) -> JSONObject:
    found = _listed(backend, "cls.alarms", params, {"alarmId": "AlarmId", "name": "Name"})
    return {
        "Alarms": [
            _with_tags(backend, "alarm", a["AlarmId"], a) for a in page(found, params, _LIST_LIMIT)
        ],
        "TotalCount": len(found),
    }


def modify_alarm(backend: CloudBackend, params: Params) -> JSONObject:
    return _modify(backend, params, "cls.alarms", "AlarmId", _ALARM_FIELDS)


def delete_alarm(backend: CloudBackend, params: Params) -> JSONObject:
    alarm_id = params.name("AlarmId")
    if backend.delete("cls.alarms", alarm_id) is None:
        raise CloudError("ResourceNotFound.AlarmNotExist", f"{alarm_id} does not exist.")
    backend.drop_tags(_tag_name(backend, "alarm", alarm_id))
    return {}


# -- logs -----------------------------------------------------------------------------------------


def append_log(backend: CloudBackend, topic_id: str, line: str, extra: JSONObject) -> None:
    """One log line into a topic, as SCF ships it: a JSON object's fields become fields."""
    fields: JSONObject = dict(extra)
    try:
        parsed: Any = json.loads(line)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        fields.update({k: v for k, v in parsed.items() if not isinstance(v, (dict, list))})
    fields.setdefault("SCF_Message", line)
    record = {"Time": int(backend.clock() * 1000), "Line": line, "Fields": fields}
    with backend.lock:
        backend.table("cls.logs").setdefault(topic_id, []).append(record)


def _term_matches(record: JSONObject, term: str) -> bool:
    if term in ("*", ""):
        return True
    name, colon, wanted = term.partition(":")
    if colon and name in record["Fields"]:
        value = str(record["Fields"][name])
        wanted = wanted.strip('"')
        return value == wanted or wanted in value.split(".")
    return term.strip('"').lower() in record["Line"].lower()


def search_log(backend: CloudBackend, params: Params) -> JSONObject:
    topic_id = params.text("TopicId", "")
    if not topic_id:
        topics = params.items("Topics")
        topic_id = str((topics[0] if topics else {}).get("TopicId", ""))
    topic = _topic(backend, topic_id)
    start = params.integer("From")
    end = params.integer("To")
    query = params.text("Query")
    if "|" in query:
        raise CloudError(
            "FailedOperation.QueryError", "The local cloud searches without SQL analysis."
        )
    terms = list(query.replace(" and ", " AND ").split(" AND "))
    with backend.lock:
        records = list(backend.table("cls.logs").get(topic_id, []))
    hits = [
        r
        for r in records
        if start <= r["Time"] <= end and all(_term_matches(r, t.strip()) for t in terms)
    ]
    if params.text("Sort", "desc") == "desc":
        hits.reverse()
    limit = params.integer("Limit", 100, low=1, high=1000)
    results = [
        {
            "Time": r["Time"],
            "TopicId": topic_id,
            "TopicName": topic["TopicName"],
            "Source": "127.0.0.1",
            "FileName": "",
            "PkgId": "",
            "PkgLogId": "",
            "HostName": "",
            "LogJson": json.dumps(r["Fields"], ensure_ascii=False),
            "RawLog": r["Line"],
        }
        for r in hits[:limit]
    ]
    return {
        "Context": "",
        "ListOver": len(hits) <= limit,
        "Analysis": False,
        "ColNames": [],
        "Results": results,
        "AnalysisResults": [],
        "AnalysisRecords": [],
        "Columns": [],
        "SamplingRate": 1,
    }


SERVICE = Service(
    "cls",
    "2020-10-16",
    {
        "CreateLogset": create_logset,
        "DescribeLogsets": describe_logsets,
        "ModifyLogset": modify_logset,
        "DeleteLogset": delete_logset,
        "CreateTopic": create_topic,
        "DescribeTopics": describe_topics,
        "ModifyTopic": modify_topic,
        "DeleteTopic": delete_topic,
        "CreateIndex": create_index,
        "DescribeIndex": describe_index,
        "ModifyIndex": modify_index,
        "DeleteIndex": delete_index,
        "CreateAlarmNotice": create_alarm_notice,
        "DescribeAlarmNotices": describe_alarm_notices,
        "ModifyAlarmNotice": modify_alarm_notice,
        "DeleteAlarmNotice": delete_alarm_notice,
        "CreateAlarm": create_alarm,
        "DescribeAlarms": describe_alarms,
        "ModifyAlarm": modify_alarm,
        "DeleteAlarm": delete_alarm,
        "SearchLog": search_log,
    },
)
