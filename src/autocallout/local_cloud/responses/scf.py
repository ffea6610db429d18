"""SCF (2018-04-16): functions, their code, triggers (Function URL and timer), reserved concurrency.

Shapes: Tencent's SCF API reference (GetFunction, TriggerInfo, Trigger) and what the provider's
resource_tc_scf_function.go / resource_tc_scf_trigger.go read: GetFunction's Environment,
VpcConfig, L5Enable, InstallDependency, EipConfig and AccessInfo are dereferenced without a nil
check, so they are always present. A function is Active as soon as it is created (the provider
polls GetFunction until it is). Code arrives base64 in ``Code.ZipFile`` and is kept as bytes.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
from typing import Any

from autocallout.local_cloud.errors import CloudError, invalid
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, tag_list, tags_from

RUNTIMES = frozenset(
    {"Python3.6", "Python3.7", "Python3.9", "Python3.10", "Python3.11", "Python3.12"}
)
MAX_ZIP_BYTES = 50 * 1024 * 1024  # CreateFunction's limit for Code.ZipFile
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$")
_HANDLER = re.compile(r"^[A-Za-z0-9_.\-/]+\.[A-Za-z_][A-Za-z0-9_]*$")
# Cron with seconds and year, as SCF's timer triggers take it.
_CRON_FIELDS = 7


def function_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}"


def _not_found(name: str) -> CloudError:
    return CloudError("ResourceNotFound.Function", f"The function {name} does not exist.")


def _key(params: Params) -> tuple[str, str]:
    name = params.name("FunctionName")
    namespace = params.text("Namespace", "default") or "default"
    return namespace, name


def _function(backend: CloudBackend, params: Params) -> tuple[str, JSONObject]:
    namespace, name = _key(params)
    key = function_key(namespace, name)
    found: JSONObject = backend.get("scf.functions", key, _not_found(name))
    return key, found


def _zip_bytes(code: JSONObject | None) -> bytes:
    if not code or not code.get("ZipFile"):
        if code and (code.get("CosBucketName") or code.get("ImageConfig")):
            raise CloudError(
                "UnsupportedOperation", "The local cloud takes code as Code.ZipFile only."
            )
        raise CloudError("MissingParameter", "The request is missing Code.ZipFile.")
    try:
        data = base64.b64decode(code["ZipFile"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise invalid("Code.ZipFile", "not Base64") from None
    if len(data) > MAX_ZIP_BYTES:
        raise CloudError("InvalidParameterValue.ZipFile", "The code package is over 50 MB.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except zipfile.BadZipFile:
        raise CloudError("InvalidParameterValue.ZipFile", "Code.ZipFile is not a zip.") from None
    return data


def _environment(params: Params) -> list[JSONObject]:
    env = params.obj("Environment")
    if env is None:
        return []
    variables = env.get("Variables") or []
    if not isinstance(variables, list):
        raise invalid("Environment.Variables", "expected an Array")
    kept = []
    for item in variables:
        if not isinstance(item, dict) or not isinstance(item.get("Key", ""), str):
            raise invalid("Environment.Variables", "each needs a Key and a Value")
        if item.get("Key"):  # the provider sends one empty pair to clear them all
            kept.append({"Key": item["Key"], "Value": str(item.get("Value") or "")})
    return kept


def _check_config(backend: CloudBackend, params: Params) -> None:
    if "Runtime" in params and params.text("Runtime") not in RUNTIMES:
        raise CloudError(
            "InvalidParameterValue.Runtime", f"Runtime {params.get('Runtime')} is not supported."
        )
    if "MemorySize" in params:
        memory = params.integer("MemorySize")
        if memory != 64 and (memory % 128 or not 128 <= memory <= 3072):
            raise CloudError(
                "InvalidParameterValue.MemorySize",
                "MemorySize must be 64 or a multiple of 128 from 128 to 3072 MB.",
            )
    if "Timeout" in params:
        params.integer("Timeout", low=1, high=900)
    if "Handler" in params and not _HANDLER.match(params.text("Handler")):
        raise CloudError("InvalidParameterValue.Handler", "Handler must be file.function.")
    role = params.get("Role")
    if role and not any(r["RoleName"] == role for r in backend.table("cam.roles").values()):
        raise CloudError("InvalidParameter.RoleCheck", f"The role {role} does not exist.")
    topic = params.get("ClsTopicId")
    if topic and topic not in backend.table("cls.topics"):
        raise CloudError("InvalidParameterValue.Cls", f"The CLS topic {topic} does not exist.")


def _tag_name(backend: CloudBackend, namespace: str, name: str) -> str:
    return backend.resource_name("scf", "namespace", f"{namespace}/function/{name}", backend.region)


def create_function(backend: CloudBackend, params: Params) -> JSONObject:
    namespace, name = _key(params)
    if not _NAME.match(name):
        raise CloudError(
            "InvalidParameterValue.FunctionName",
            "FunctionName: 2 to 60 letters, digits, - and _, starting with a letter.",
        )
    if namespace != "default" and namespace not in {"default"}:
        raise CloudError("ResourceNotFound.Namespace", f"The namespace {namespace} does not exist.")
    _check_config(backend, params)
    code = _zip_bytes(params.obj("Code"))
    key = function_key(namespace, name)
    if key in backend.table("scf.functions"):
        raise CloudError("ResourceInUse.Function", f"The function {name} already exists.")
    public = params.obj("PublicNetConfig") or {}
    now = backend.now()
    function: JSONObject = {
        "FunctionName": name,
        "FunctionId": backend.new_id("lam-"),
        "Namespace": namespace,
        "Handler": params.text("Handler", "index.main_handler"),
        "Description": params.text("Description", ""),
        "MemorySize": params.integer("MemorySize", 128),
        "Timeout": params.integer("Timeout", 3),
        "Runtime": params.text("Runtime", "Python3.6"),
        "Role": params.text("Role", ""),
        "ClsLogsetId": params.text("ClsLogsetId", ""),
        "ClsTopicId": params.text("ClsTopicId", ""),
        "Type": params.text("Type", "Event"),
        "L5Enable": "FALSE",
        "Environment": {"Variables": _environment(params)},
        "VpcConfig": {
            "VpcId": (params.obj("VpcConfig") or {}).get("VpcId") or "",
            "SubnetId": (params.obj("VpcConfig") or {}).get("SubnetId") or "",
        },
        "PublicNetConfig": {
            "PublicNetStatus": public.get("PublicNetStatus", "ENABLE"),
            "EipConfig": {
                "EipStatus": (public.get("EipConfig") or {}).get("EipStatus", "DISABLE"),
                "EipAddress": [],
            },
        },
        "AsyncRunEnable": params.text("AsyncRunEnable", "FALSE"),
        "DnsCache": params.text("DnsCache", "FALSE"),
        "Layers": params.objects("Layers"),
        "Qualifier": "$LATEST",
        "AddTime": now,
        "ModTime": now,
        "CodeSize": len(code),
        "CodeResult": "success",
        "CodeError": "",
        "CodeInfo": "",
        "ErrNo": 0,
        "InstallDependency": "FALSE",
        "Status": "Active",
        "StatusDesc": "",
        "StatusReasons": [],
        "EipConfig": {"EipFixed": "FALSE", "Eips": []},
        "AccessInfo": {"Host": "", "Vip": ""},
        "IntranetConfig": params.obj("IntranetConfig") or {"IpFixed": "DISABLE", "IpAddress": []},
    }
    if params.obj("InstanceConcurrencyConfig") is not None:
        function["InstanceConcurrencyConfig"] = params.obj("InstanceConcurrencyConfig")
    with backend.lock:
        backend.table("scf.code")[key] = code
    backend.set_tags(_tag_name(backend, namespace, name), tags_from(params))
    backend.put("scf.functions", key, function)
    return {}


def _with_triggers_and_tags(backend: CloudBackend, key: str, function: JSONObject) -> JSONObject:
    answer = dict(function)
    answer["Triggers"] = [
        {
            "ModTime": t["ModTime"],
            "Type": t["Type"],
            "TriggerDesc": t["TriggerDesc"],
            "TriggerName": t["TriggerName"],
            "AddTime": t["AddTime"],
            "Enable": t["Enable"],
            "CustomArgument": t["CustomArgument"],
            "AvailableStatus": t["AvailableStatus"],
            "ResourceId": t["ResourceId"],
            "BindStatus": t["BindStatus"],
            "TriggerAttribute": t["TriggerAttribute"],
            "Qualifier": t["Qualifier"],
            "Description": t["Description"],
        }
        for t in _triggers_of(backend, key)
    ]
    tags = backend.tags_of(_tag_name(backend, function["Namespace"], function["FunctionName"]))
    answer["Tags"] = tag_list(tags)
    return answer


def get_function(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    qualifier = params.text("Qualifier", "$LATEST")
    if qualifier != "$LATEST":
        raise CloudError("ResourceNotFound.Version", f"The version {qualifier} does not exist.")
    return _with_triggers_and_tags(backend, key, function)


def list_functions(backend: CloudBackend, params: Params) -> JSONObject:
    namespace = params.text("Namespace", "default")
    search = params.text("SearchKey", "")
    found = [
        f
        for f in backend.table("scf.functions").values()
        if f["Namespace"] == namespace and search in f["FunctionName"]
    ]
    offset = params.integer("Offset", 0, low=0)
    limit = params.integer("Limit", 20, low=0, high=1000)
    listed = [
        {
            "FunctionName": f["FunctionName"],
            "FunctionId": f["FunctionId"],
            "Namespace": f["Namespace"],
            "Runtime": f["Runtime"],
            "Status": f["Status"],
            "StatusDesc": f["StatusDesc"],
            "Description": f["Description"],
            "AddTime": f["AddTime"],
            "ModTime": f["ModTime"],
            "Type": f["Type"],
            "Tags": tag_list(
                backend.tags_of(_tag_name(backend, f["Namespace"], f["FunctionName"]))
            ),
        }
        for f in found
    ]
    return {"Functions": listed[offset : offset + limit], "TotalCount": len(listed)}


def update_function_code(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    code = _zip_bytes(params.obj("Code"))
    updated = dict(function)
    if params.get("Handler"):
        if not _HANDLER.match(params.text("Handler")):
            raise CloudError("InvalidParameterValue.Handler", "Handler must be file.function.")
        updated["Handler"] = params.text("Handler")
    updated.update(CodeSize=len(code), ModTime=backend.now())
    with backend.lock:
        backend.table("scf.code")[key] = code
    backend.put("scf.functions", key, updated)
    return {}


_CONFIG_FIELDS = (
    "Description",
    "MemorySize",
    "Timeout",
    "Runtime",
    "Role",
    "ClsLogsetId",
    "ClsTopicId",
    "L5Enable",
    "DnsCache",
)


def update_function_configuration(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    _check_config(backend, params)
    updated = dict(function)
    for name in _CONFIG_FIELDS:
        if name in params:
            updated[name] = params.get(name)
    if params.obj("Environment") is not None:
        updated["Environment"] = {"Variables": _environment(params)}
    vpc = params.obj("VpcConfig")
    if vpc is not None:
        updated["VpcConfig"] = {
            "VpcId": vpc.get("VpcId") or "",
            "SubnetId": vpc.get("SubnetId") or "",
        }
    public = params.obj("PublicNetConfig")
    if public is not None:
        updated["PublicNetConfig"] = {
            "PublicNetStatus": public.get("PublicNetStatus", "ENABLE"),
            "EipConfig": {
                "EipStatus": (public.get("EipConfig") or {}).get("EipStatus", "DISABLE"),
                "EipAddress": [],
            },
        }
    if "Layers" in params:
        updated["Layers"] = params.objects("Layers")
    if params.obj("IntranetConfig") is not None:
        updated["IntranetConfig"] = params.obj("IntranetConfig")
    if params.obj("InstanceConcurrencyConfig") is not None:
        updated["InstanceConcurrencyConfig"] = params.obj("InstanceConcurrencyConfig")
    updated["ModTime"] = backend.now()
    backend.put("scf.functions", key, updated)
    return {}


def delete_function(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    for trigger in _triggers_of(backend, key):
        backend.delete("scf.triggers", _trigger_key(key, trigger["TriggerName"]))
    backend.delete("scf.reserved", key)
    with backend.lock:
        backend.table("scf.code").pop(key, None)
    backend.drop_tags(_tag_name(backend, function["Namespace"], function["FunctionName"]))
    backend.delete("scf.functions", key)
    return {}


def invoke(backend: CloudBackend, params: Params) -> JSONObject:
    """Invoke (RequestResponse): the data plane runs the function on ``ClientContext``."""
    key, _ = _function(backend, params)
    raw = params.text("ClientContext", "{}")
    try:
        event = json.loads(raw)
    except ValueError:
        raise invalid("ClientContext", "not JSON") from None
    if backend.invoker is None:
        raise CloudError("FailedOperation.FunctionStatusError", "No data plane is running.")
    answer = backend.invoker(key, event)
    return {
        "Result": {
            "Log": "",
            "RetMsg": json.dumps(answer, ensure_ascii=False),
            "ErrMsg": "",
            "MemUsage": 0,
            "Duration": 0.0,
            "BillDuration": 0,
            "FunctionRequestId": backend.new_id("uuid"),
            "InvokeResult": 0,
        }
    }


# -- triggers -----------------------------------------------------------------------------------


def _trigger_key(function: str, trigger_name: str) -> str:
    return f"{function}/{trigger_name}"


def _triggers_of(backend: CloudBackend, key: str) -> list[JSONObject]:
    with backend.lock:
        return [t for k, t in backend.table("scf.triggers").items() if t["FunctionKey"] == key]


def check_cron(cron: str) -> list[str]:
    fields = cron.split()
    if len(fields) != _CRON_FIELDS:
        raise CloudError(
            "InvalidParameterValue.TriggerDesc",
            "A timer's TriggerDesc is a cron expression of 7 fields (second to year).",
        )
    return fields


def _http_desc(backend: CloudBackend, raw: str, url_id: str) -> str:
    try:
        desc = json.loads(raw or "{}")
    except ValueError:
        raise invalid("TriggerDesc", "not JSON") from None
    if not isinstance(desc, dict):
        raise invalid("TriggerDesc", "expected a JSON object")
    auth = desc.get("AuthType", "NONE")
    if auth not in ("NONE", "CAM"):
        raise invalid("TriggerDesc.AuthType", "NONE or CAM")
    net = desc.get("NetConfig") or {}
    if not isinstance(net, dict):
        raise invalid("TriggerDesc.NetConfig", "expected an object")
    extranet = bool(net.get("EnableExtranet", True))
    intranet = bool(net.get("EnableIntranet", False))
    url = f"{backend.url_base}/scf-url/{url_id}/"
    desc["AuthType"] = auth
    desc["NetConfig"] = {
        "EnableIntranet": intranet,
        "EnableExtranet": extranet,
        "IntranetUrl": url if intranet else "",
        "ExtranetUrl": url if extranet else "",
    }
    return json.dumps(desc, separators=(",", ":"))


def create_trigger(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    kind = params.name("Type")
    name = params.text("TriggerName", "url-trigger" if kind == "http" else "")
    if not name:
        raise CloudError("MissingParameter", "The request is missing TriggerName.")
    qualifier = params.text("Qualifier", "$LATEST")
    if qualifier != "$LATEST":
        raise CloudError("ResourceNotFound.Version", f"The version {qualifier} does not exist.")
    raw = params.text("TriggerDesc", "")
    url_id = ""
    if kind == "timer":
        check_cron(raw)
        desc = json.dumps({"cron": raw})
    elif kind == "http":
        if any(t["Type"] == "http" for t in _triggers_of(backend, key)):
            raise CloudError("ResourceInUse.Trigger", "The function already has a Function URL.")
        url_id = backend.new_id("#") + "-" + backend.new_id()
        desc = _http_desc(backend, raw, url_id)
    else:
        raise CloudError(
            "UnsupportedOperation", f"The local cloud runs http and timer triggers, not {kind}."
        )
    tkey = _trigger_key(key, name)
    if tkey in backend.table("scf.triggers"):
        raise CloudError("ResourceInUse.Trigger", f"The trigger {name} already exists.")
    enable = params.text("Enable", "OPEN")
    now = backend.now()
    trigger = {
        "FunctionKey": key,
        "UrlId": url_id,
        "TriggerName": name,
        "Type": kind,
        "TriggerDesc": desc,
        "Enable": 1 if enable == "OPEN" else 0,
        "Qualifier": qualifier,
        "CustomArgument": params.text("CustomArgument", ""),
        "Description": params.text("Description", ""),
        "AvailableStatus": "Available",
        "ResourceId": f"qcs::scf:{backend.region}:uin/{backend.account.uin}:namespace/"
        f"{function['Namespace']}/function/{function['FunctionName']}/{qualifier}/trigger/{name}",
        "BindStatus": "on",
        "TriggerAttribute": "",
        "AddTime": now,
        "ModTime": now,
    }
    backend.put("scf.triggers", tkey, trigger)
    return {"TriggerInfo": _trigger_info(trigger)}


def _trigger_info(trigger: JSONObject) -> JSONObject:
    return {name: value for name, value in trigger.items() if name not in ("FunctionKey", "UrlId")}


def _trigger(backend: CloudBackend, params: Params) -> tuple[str, JSONObject]:
    key, _ = _function(backend, params)
    name = params.name("TriggerName")
    tkey = _trigger_key(key, name)
    found: JSONObject = backend.get(
        "scf.triggers",
        tkey,
        CloudError("ResourceNotFound.Trigger", f"The trigger {name} does not exist."),
    )
    return tkey, found


def update_trigger(backend: CloudBackend, params: Params) -> JSONObject:
    tkey, trigger = _trigger(backend, params)
    updated = dict(trigger)
    if "Enable" in params:
        updated["Enable"] = 1 if params.text("Enable") == "OPEN" else 0
    if "TriggerDesc" in params:
        raw = params.text("TriggerDesc")
        if trigger["Type"] == "timer":
            check_cron(raw)
            updated["TriggerDesc"] = json.dumps({"cron": raw})
        else:
            updated["TriggerDesc"] = _http_desc(backend, raw, trigger["UrlId"])
    for name in ("CustomArgument", "Description"):
        if name in params:
            updated[name] = params.text(name)
    updated["ModTime"] = backend.now()
    backend.put("scf.triggers", tkey, updated)
    return {}


def delete_trigger(backend: CloudBackend, params: Params) -> JSONObject:
    tkey, _ = _trigger(backend, params)
    backend.delete("scf.triggers", tkey)
    return {}


def list_triggers(backend: CloudBackend, params: Params) -> JSONObject:
    key, _ = _function(backend, params)
    wanted: dict[str, list[str]] = {}
    for item in params.objects("Filters"):
        wanted[str(item.get("Name"))] = [str(v) for v in item.get("Values") or []]
    found = [
        _trigger_info(t)
        for t in _triggers_of(backend, key)
        if all(str(t.get(name, "")) in values for name, values in wanted.items())
    ]
    offset = params.integer("Offset", 0, low=0)
    limit = params.integer("Limit", 20, low=1, high=1000)
    return {"Triggers": found[offset : offset + limit], "TotalCount": len(found)}


def url_trigger(backend: CloudBackend, url_id: str) -> tuple[JSONObject, JSONObject] | None:
    """The http trigger answering at /scf-url/<url_id>/ and its function, if any."""
    with backend.lock:
        for trigger in backend.table("scf.triggers").values():
            if trigger["Type"] == "http" and trigger["UrlId"] == url_id:
                function = backend.table("scf.functions").get(trigger["FunctionKey"])
                return (trigger, function) if function is not None else None
    return None


# -- reserved concurrency -----------------------------------------------------------------------


def put_reserved_concurrency_config(backend: CloudBackend, params: Params) -> JSONObject:
    key, function = _function(backend, params)
    memory = params.integer("ReservedConcurrencyMem", low=0, high=128_000 * 3072)
    if memory % function["MemorySize"]:
        raise CloudError(
            "LimitExceeded.FunctionReservedConcurrencyMemory",
            "ReservedConcurrencyMem must be a multiple of the function's MemorySize.",
        )
    backend.put("scf.reserved", key, {"ReservedMem": memory})
    return {}


def get_reserved_concurrency_config(backend: CloudBackend, params: Params) -> JSONObject:
    key, _ = _function(backend, params)
    with backend.lock:
        found: Any = backend.table("scf.reserved").get(key)
    return {"ReservedMem": None if found is None else found["ReservedMem"]}


def delete_reserved_concurrency_config(backend: CloudBackend, params: Params) -> JSONObject:
    key, _ = _function(backend, params)
    backend.delete("scf.reserved", key)
    return {}


SERVICE = Service(
    "scf",
    "2018-04-16",
    {
        "CreateFunction": create_function,
        "GetFunction": get_function,
        "ListFunctions": list_functions,
        "UpdateFunctionCode": update_function_code,
        "UpdateFunctionConfiguration": update_function_configuration,
        "DeleteFunction": delete_function,
        "Invoke": invoke,
        "CreateTrigger": create_trigger,
        "UpdateTrigger": update_trigger,
        "DeleteTrigger": delete_trigger,
        "ListTriggers": list_triggers,
        "PutReservedConcurrencyConfig": put_reserved_concurrency_config,
        "GetReservedConcurrencyConfig": get_reserved_concurrency_config,
        "DeleteReservedConcurrencyConfig": delete_reserved_concurrency_config,
    },
)
