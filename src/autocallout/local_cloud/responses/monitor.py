"""Cloud Monitor (2018-07-24): alarm notices, alarm policies and the objects a policy watches.

Shapes: Cloud Monitor's API reference (AlarmNotice, AlarmPolicy, DescribePolicyObjectCount's
RegionPolicyObjectCount, DescribeBindingPolicyObjectList's DescribeBindingPolicyObjectListInstance)
and the provider's resource_tc_monitor_alarm_notice.go, _alarm_policy.go and
_policy_binding_object.go. DescribeAlarmPolicy answers ``Policy: null`` for an unknown id (the
provider takes that as gone); Condition and EventCondition are always objects (the provider reads
their Rules without a nil check); bound objects are counted by region short name (``gz``).
"""

from __future__ import annotations

import json

from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, tags_from

# Cloud Monitor's short region names (DescribePolicyObjectCount answers with these).
REGION_SHORT = {
    "ap-guangzhou": "gz",
    "ap-shanghai": "sh",
    "ap-beijing": "bj",
    "ap-chengdu": "cd",
    "ap-chongqing": "cq",
    "ap-nanjing": "nj",
    "ap-hongkong": "hk",
    "ap-singapore": "sg",
}


def _module(params: Params) -> None:
    if params.text("Module") != "monitor":
        raise CloudError("InvalidParameterValue", "Module must be monitor.")


# -- notices --------------------------------------------------------------------------------------

_NOTICE_FIELDS = ("Name", "NoticeType", "NoticeLanguage", "UserNotices", "URLNotices", "CLSNotices")


def create_alarm_notice(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    params.name("Name")
    if params.text("NoticeType") not in ("ALARM", "OK", "ALL"):
        raise CloudError("InvalidParameterValue", "NoticeType must be ALARM, OK or ALL.")
    notice_id = backend.new_id("notice-")
    notice: JSONObject = {field: params.get(field) for field in _NOTICE_FIELDS}
    notice["UserNotices"] = params.objects("UserNotices")
    notice["URLNotices"] = params.objects("URLNotices")
    notice["CLSNotices"] = params.objects("CLSNotices")
    notice.update(
        Id=notice_id,
        UpdatedAt=backend.now(),
        UpdatedBy=backend.account.uin,
        IsPreset=0,
        AMPConsumerId="",
        Tags=[{"Key": k, "Value": v} for k, v in tags_from(params).items()],
    )
    backend.put("monitor.notices", notice_id, notice)
    return {"NoticeId": notice_id}


def _notice_view(backend: CloudBackend, notice: JSONObject) -> JSONObject:
    policies = [
        p["PolicyId"]
        for p in backend.table("monitor.policies").values()
        if notice["Id"] in (p.get("NoticeIds") or [])
    ]
    return {**notice, "PolicyIds": policies}


def describe_alarm_notices(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    wanted = set(params.items("NoticeIds"))
    with backend.lock:
        notices = [
            _notice_view(backend, n)
            for n in backend.table("monitor.notices").values()
            if not wanted or n["Id"] in wanted
        ]
    number = params.integer("PageNumber", 1, low=1)
    size = params.integer("PageSize", 20, low=1, high=200)
    return {"Notices": notices[(number - 1) * size : number * size], "TotalCount": len(notices)}


def modify_alarm_notice(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    notice_id = params.name("NoticeId")
    notice = dict(backend.get("monitor.notices", notice_id, _notice_missing(notice_id)))
    for field in _NOTICE_FIELDS:
        if field in params:
            notice[field] = params.get(field)
    notice["UpdatedAt"] = backend.now()
    backend.put("monitor.notices", notice_id, notice)
    return {}


def _notice_missing(notice_id: str) -> CloudError:
    return CloudError("ResourceNotFound", f"The notice {notice_id} does not exist.")


def delete_alarm_notices(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    ids = params.items("NoticeIds")
    for notice_id in ids:
        backend.get("monitor.notices", str(notice_id), _notice_missing(str(notice_id)))
    for notice_id in ids:
        backend.delete("monitor.notices", str(notice_id))
    return {}


# -- policies -------------------------------------------------------------------------------------

_POLICY_FIELDS = (
    "PolicyName",
    "MonitorType",
    "Namespace",
    "Remark",
    "Enable",
    "ProjectId",
    "Condition",
    "EventCondition",
    "NoticeIds",
    "TriggerTasks",
    "Filter",
    "GroupBy",
    "HierarchicalNotices",
    "NoticeContentTmplBindInfos",
)


def create_alarm_policy(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    params.name("PolicyName")
    params.name("Namespace")
    if params.text("MonitorType") not in ("MT_QCE",):
        raise CloudError("InvalidParameterValue", "MonitorType must be MT_QCE.")
    for notice_id in params.items("NoticeIds"):
        backend.get("monitor.notices", str(notice_id), _notice_missing(str(notice_id)))
    policy_id = backend.new_id("policy-")
    origin_id = backend.new_id("#")
    policy: JSONObject = {field: params.get(field) for field in _POLICY_FIELDS}
    now = int(backend.clock())
    policy.update(
        PolicyId=policy_id,
        OriginId=origin_id,
        Enable=params.integer("Enable", 1, low=0, high=1),
        ProjectId=params.integer("ProjectId", -1),  # Monitor: -1 is "no project", its default
        Remark=params.text("Remark", ""),
        Condition=params.obj("Condition") or {"IsUnionRule": 0, "Rules": []},
        EventCondition=params.obj("EventCondition") or {"Rules": []},
        NoticeIds=params.items("NoticeIds"),
        TriggerTasks=params.objects("TriggerTasks"),
        InsertTime=now,
        UpdateTime=now,
        LastEditUin=backend.account.uin,
        Region=[backend.region],
        ConditionTemplateId="",
        IsDefault=0,
        CanSetDefault=1,
        TagInstances=[],
        Tags=[{"Key": k, "Value": v} for k, v in tags_from(params).items()],
    )
    backend.put("monitor.policies", policy_id, policy)
    return {"PolicyId": policy_id, "OriginId": origin_id}


def describe_alarm_policy(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = backend.table("monitor.policies").get(params.name("PolicyId"))
    if policy is None:
        return {"Policy": None}
    bound = backend.table("monitor.bindings").get(policy["PolicyId"], [])
    return {"Policy": {**policy, "InstanceSum": len(bound), "UseSum": len(bound)}}


def _policy(backend: CloudBackend, policy_id: str) -> JSONObject:
    found: JSONObject = backend.get(
        "monitor.policies",
        policy_id,
        CloudError("ResourceNotFound", f"The policy {policy_id} does not exist."),
    )
    return dict(found)


def modify_alarm_policy_info(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy(backend, params.name("PolicyId"))
    key = params.text("Key")
    if key not in ("NAME", "REMARK"):
        raise CloudError("InvalidParameterValue", "Key must be NAME or REMARK.")
    policy["PolicyName" if key == "NAME" else "Remark"] = params.text("Value")
    policy["UpdateTime"] = int(backend.clock())
    backend.put("monitor.policies", policy["PolicyId"], policy)
    return {}


def modify_alarm_policy_condition(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy(backend, params.name("PolicyId"))
    for field in ("Condition", "EventCondition", "Filter", "GroupBy"):
        if field in params:
            policy[field] = params.get(field)
    policy["UpdateTime"] = int(backend.clock())
    backend.put("monitor.policies", policy["PolicyId"], policy)
    return {}


def modify_alarm_policy_notice(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy(backend, params.name("PolicyId"))
    policy["NoticeIds"] = params.items("NoticeIds")
    backend.put("monitor.policies", policy["PolicyId"], policy)
    return {}


def modify_alarm_policy_status(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy(backend, params.name("PolicyId"))
    policy["Enable"] = params.integer("Enable", low=0, high=1)
    backend.put("monitor.policies", policy["PolicyId"], policy)
    return {}


def delete_alarm_policy(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    ids = [str(i) for i in params.items("PolicyIds")]
    for policy_id in ids:
        _policy(backend, policy_id)
    for policy_id in ids:
        backend.delete("monitor.bindings", policy_id)
        backend.delete("monitor.policies", policy_id)
    return {}


# -- bound objects --------------------------------------------------------------------------------


def binding_policy_object(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy(backend, params.name("PolicyId"))
    bound = list(backend.table("monitor.bindings").get(policy["PolicyId"], []))
    for item in params.objects("Dimensions"):
        text = item.get("Dimensions")
        try:
            parsed = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise CloudError("InvalidParameterValue", "Dimensions must be a JSON object.")
        if not any(b["Dimensions"] == text for b in bound):
            bound.append(
                {
                    "UniqueId": backend.new_id("uniq-"),
                    "Dimensions": text,
                    "IsShielded": 0,
                    "Region": item.get("Region")
                    or REGION_SHORT.get(backend.region, backend.region),
                }
            )
    backend.put("monitor.bindings", policy["PolicyId"], bound)
    return {}


def _policy_by_group(backend: CloudBackend, group_id: int) -> JSONObject:
    for policy in backend.table("monitor.policies").values():
        if policy["OriginId"] == str(group_id):
            return dict(policy)
    raise CloudError("ResourceNotFound", f"No policy has the group id {group_id}.")


def describe_policy_object_count(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy = _policy_by_group(backend, params.integer("GroupId"))
    bound = backend.table("monitor.bindings").get(policy["PolicyId"], [])
    regions: dict[str, int] = {}
    for item in bound:
        regions[item["Region"]] = regions.get(item["Region"], 0) + 1
    return {"RegionList": [{"Region": r, "Count": c} for r, c in sorted(regions.items())]}


def describe_binding_policy_object_list(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy_id = params.text("PolicyId", "")
    policy = (
        _policy(backend, policy_id)
        if policy_id
        else _policy_by_group(backend, params.integer("GroupId"))
    )
    bound = backend.table("monitor.bindings").get(policy["PolicyId"], [])
    offset = params.integer("Offset", 0, low=0)
    limit = params.integer("Limit", 20, low=1, high=100)
    return {
        "List": bound[offset : offset + limit],
        "Total": len(bound),
        "NoShieldedSum": len(bound),
    }


def un_binding_all_policy_object(backend: CloudBackend, params: Params) -> JSONObject:
    _module(params)
    policy_id = params.text("PolicyId", "")
    policy = (
        _policy(backend, policy_id)
        if policy_id
        else _policy_by_group(backend, params.integer("GroupId"))
    )
    backend.delete("monitor.bindings", policy["PolicyId"])
    return {}


SERVICE = Service(
    "monitor",
    "2018-07-24",
    {
        "CreateAlarmNotice": create_alarm_notice,
        "DescribeAlarmNotices": describe_alarm_notices,
        "ModifyAlarmNotice": modify_alarm_notice,
        "DeleteAlarmNotices": delete_alarm_notices,
        "CreateAlarmPolicy": create_alarm_policy,
        "DescribeAlarmPolicy": describe_alarm_policy,
        "ModifyAlarmPolicyInfo": modify_alarm_policy_info,
        "ModifyAlarmPolicyCondition": modify_alarm_policy_condition,
        "ModifyAlarmPolicyNotice": modify_alarm_policy_notice,
        "ModifyAlarmPolicyStatus": modify_alarm_policy_status,
        "DeleteAlarmPolicy": delete_alarm_policy,
        "BindingPolicyObject": binding_policy_object,
        "DescribePolicyObjectCount": describe_policy_object_count,
        "DescribeBindingPolicyObjectList": describe_binding_policy_object_list,
        "UnBindingAllPolicyObject": un_binding_all_policy_object,
    },
)
