"""CAM (2019-01-16): roles, custom policies, their attachments, and who the caller is.

Shapes: CAM's API reference (RoleInfo, GetPolicy, AttachedPolicyOfRole, GetUserAppId) and the
provider's resource_tc_cam_role.go / _policy.go / _role_policy_attachment.go and
data_source_tc_user_info.go, which page DescribeRoleList and ListAttachedRolePolicies by
``Page``/``Rp`` and read PolicyDocument back verbatim (a JSON-equal document is no change).
"""

from __future__ import annotations

import json
from typing import Any

from autocallout.local_cloud.errors import CloudError, invalid
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, tag_list, tags_from


def _document(params: Params, name: str = "PolicyDocument") -> str:
    text = params.name(name)
    try:
        parsed = json.loads(text)
    except ValueError:
        raise CloudError("InvalidParameter.PolicyDocumentError", f"{name} is not JSON.") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("statement"), list):
        raise CloudError(
            "InvalidParameter.PolicyDocumentError", f"{name} needs a version and a statement list."
        )
    return text


def _role_tag_name(backend: CloudBackend, role_id: str) -> str:
    return backend.resource_name("cam", "role", role_id)


def _role_view(backend: CloudBackend, role: JSONObject) -> JSONObject:
    answer = dict(role)
    answer["Tags"] = tag_list(backend.tags_of(_role_tag_name(backend, role["RoleId"])))
    return answer


def create_role(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("RoleName")
    document = _document(params)
    if any(r["RoleName"] == name for r in backend.table("cam.roles").values()):
        raise CloudError("InvalidParameter.RoleNameInUse", f"The role name {name} is in use.")
    role_id = str(4611686018427387904 + int(backend.new_id("#")))
    now = backend.now()
    role = {
        "RoleId": role_id,
        "RoleName": name,
        "PolicyDocument": document,
        "Description": params.text("Description", ""),
        "AddTime": now,
        "UpdateTime": now,
        "ConsoleLogin": params.integer("ConsoleLogin", 0, low=0, high=1),
        "RoleType": "user",
        "SessionDuration": params.integer("SessionDuration", 7200, low=0, high=43200),
        "DeletionTaskId": "",
        "RoleArn": f"qcs::cam::uin/{backend.account.uin}:roleName/{name}",
    }
    backend.set_tags(_role_tag_name(backend, role_id), tags_from(params))
    backend.put("cam.roles", role_id, role)
    return {"RoleId": role_id}


def _role(backend: CloudBackend, params: Params, id_name: str, name_name: str) -> JSONObject:
    role_id = params.get(id_name)
    role_name = params.get(name_name)
    with backend.lock:
        for role in backend.table("cam.roles").values():
            if (role_id is not None and role["RoleId"] == str(role_id)) or (
                role_id is None and role["RoleName"] == role_name
            ):
                return dict(role)
    if role_id is None and role_name is None:
        raise CloudError("MissingParameter", f"Give {id_name} or {name_name}.")
    raise CloudError("InvalidParameter.RoleNotExist", "The role does not exist.")


def describe_role_list(backend: CloudBackend, params: Params) -> JSONObject:
    page = params.integer("Page", 1, low=1)
    per_page = params.integer("Rp", 20, low=1, high=200)
    roles = sorted(backend.table("cam.roles").values(), key=lambda r: r["RoleId"])
    chosen = roles[(page - 1) * per_page : page * per_page]
    return {"List": [_role_view(backend, r) for r in chosen], "TotalNum": len(roles)}


def get_role(backend: CloudBackend, params: Params) -> JSONObject:
    return {"RoleInfo": _role_view(backend, _role(backend, params, "RoleId", "RoleName"))}


def delete_role(backend: CloudBackend, params: Params) -> JSONObject:
    role = _role(backend, params, "RoleId", "RoleName")
    with backend.lock:
        attached = [
            k for k, a in backend.table("cam.attachments").items() if a["RoleId"] == role["RoleId"]
        ]
    for key in attached:
        backend.delete("cam.attachments", key)
    backend.drop_tags(_role_tag_name(backend, role["RoleId"]))
    backend.delete("cam.roles", role["RoleId"])
    return {}


def _update_role(backend: CloudBackend, params: Params, **changes: Any) -> JSONObject:
    role = _role(backend, params, "RoleId", "RoleName")
    role.update(changes, UpdateTime=backend.now())
    backend.put("cam.roles", role["RoleId"], role)
    return {}


def update_role_description(backend: CloudBackend, params: Params) -> JSONObject:
    return _update_role(backend, params, Description=params.text("Description"))


def update_assume_role_policy(backend: CloudBackend, params: Params) -> JSONObject:
    return _update_role(backend, params, PolicyDocument=_document(params))


def update_role_console_login(backend: CloudBackend, params: Params) -> JSONObject:
    return _update_role(backend, params, ConsoleLogin=params.integer("ConsoleLogin", low=0, high=1))


def update_role_session_duration(backend: CloudBackend, params: Params) -> JSONObject:
    return _update_role(
        backend, params, SessionDuration=params.integer("SessionDuration", low=0, high=43200)
    )


# -- policies -----------------------------------------------------------------------------------


def _policy_not_found(policy_id: Any) -> CloudError:
    return CloudError(
        "ResourceNotFound.PolicyIdNotFound", f"The policy {policy_id} does not exist."
    )


def create_policy(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("PolicyName")
    document = _document(params)
    if any(p["PolicyName"] == name for p in backend.table("cam.policies").values()):
        raise CloudError("FailedOperation.PolicyNameInUse", f"The policy name {name} is in use.")
    policy_id = int(backend.new_id("#")) + 200_000_000
    now = backend.now()
    policy = {
        "PolicyId": policy_id,
        "PolicyName": name,
        "Description": params.text("Description", ""),
        "Type": 1,
        "AddTime": now,
        "UpdateTime": now,
        "PolicyDocument": document,
        "PresetAlias": "",
        "IsServiceLinkedRolePolicy": 0,
        "Tags": tag_list(tags_from(params)),
    }
    backend.put("cam.policies", str(policy_id), policy)
    return {"PolicyId": policy_id}


def _policy(backend: CloudBackend, policy_id: Any) -> JSONObject:
    if isinstance(policy_id, bool) or not isinstance(policy_id, int):
        raise invalid("PolicyId", "expected an Integer")
    found: JSONObject = backend.get("cam.policies", str(policy_id), _policy_not_found(policy_id))
    return dict(found)


def get_policy(backend: CloudBackend, params: Params) -> JSONObject:
    policy = _policy(backend, params.integer("PolicyId"))
    return {k: v for k, v in policy.items() if k != "PolicyId"}


def update_policy(backend: CloudBackend, params: Params) -> JSONObject:
    policy = _policy(backend, params.integer("PolicyId"))
    if "PolicyName" in params:
        policy["PolicyName"] = params.name("PolicyName")
    if "Description" in params:
        policy["Description"] = params.text("Description")
    if "PolicyDocument" in params:
        policy["PolicyDocument"] = _document(params)
    policy["UpdateTime"] = backend.now()
    backend.put("cam.policies", str(policy["PolicyId"]), policy)
    return {"PolicyId": policy["PolicyId"]}


def delete_policy(backend: CloudBackend, params: Params) -> JSONObject:
    """Deletes the policies and their attachments (CAM documents no "policy in use" refusal)."""
    ids = params.items("PolicyId")
    if not ids:
        raise CloudError("MissingParameter", "The request is missing PolicyId.")
    policies = [_policy(backend, policy_id) for policy_id in ids]
    for policy in policies:
        with backend.lock:
            attached = [
                k
                for k, a in backend.table("cam.attachments").items()
                if a["PolicyId"] == policy["PolicyId"]
            ]
        for key in attached:
            backend.delete("cam.attachments", key)
        backend.delete("cam.policies", str(policy["PolicyId"]))
    return {}


def attach_role_policy(backend: CloudBackend, params: Params) -> JSONObject:
    role = _role(backend, params, "AttachRoleId", "AttachRoleName")
    if "PolicyId" in params:
        policy = _policy(backend, params.integer("PolicyId"))
    else:
        name = params.name("PolicyName")
        matches = [p for p in backend.table("cam.policies").values() if p["PolicyName"] == name]
        if not matches:
            raise _policy_not_found(name)
        policy = matches[0]
    key = f"{role['RoleId']}#{policy['PolicyId']}"
    backend.put(
        "cam.attachments",
        key,
        {"RoleId": role["RoleId"], "PolicyId": policy["PolicyId"], "AddTime": backend.now()},
    )
    return {}


def detach_role_policy(backend: CloudBackend, params: Params) -> JSONObject:
    role = _role(backend, params, "DetachRoleId", "DetachRoleName")
    policy_id = params.integer("PolicyId")
    key = f"{role['RoleId']}#{policy_id}"
    if backend.delete("cam.attachments", key) is None:
        raise CloudError(
            "ResourceNotFound.PolicyIdNotFound",
            f"The policy {policy_id} is not attached to the role.",
        )
    return {}


def list_attached_role_policies(backend: CloudBackend, params: Params) -> JSONObject:
    role = _role(backend, params, "RoleId", "RoleName")
    page = params.integer("Page", 1, low=1)
    per_page = params.integer("Rp", 20, low=1, high=200)
    with backend.lock:
        attached = sorted(
            (a for a in backend.table("cam.attachments").values() if a["RoleId"] == role["RoleId"]),
            key=lambda a: a["PolicyId"],
        )
        policies = backend.table("cam.policies")
        listed = [
            {
                "PolicyId": a["PolicyId"],
                "PolicyName": policies[str(a["PolicyId"])]["PolicyName"],
                "AddTime": a["AddTime"],
                "PolicyType": "User",
                "CreateMode": 1,
                "Deactived": 0,
                "DeactivedDetail": [],
                "Description": policies[str(a["PolicyId"])]["Description"],
            }
            for a in attached
            if str(a["PolicyId"]) in policies
        ]
    return {"List": listed[(page - 1) * per_page : page * per_page], "TotalNum": len(listed)}


def get_user_app_id(backend: CloudBackend, params: Params) -> JSONObject:
    account = backend.account
    return {"Uin": account.uin, "OwnerUin": account.owner_uin, "AppId": account.app_id}


def describe_sub_accounts(backend: CloudBackend, params: Params) -> JSONObject:
    """The local account has no sub-accounts: the caller is the owner (its name stays empty)."""
    params.items("FilterSubAccountUin")
    return {"SubAccounts": []}


SERVICE = Service(
    "cam",
    "2019-01-16",
    {
        "CreateRole": create_role,
        "DescribeRoleList": describe_role_list,
        "GetRole": get_role,
        "DeleteRole": delete_role,
        "UpdateRoleDescription": update_role_description,
        "UpdateAssumeRolePolicy": update_assume_role_policy,
        "UpdateRoleConsoleLogin": update_role_console_login,
        "UpdateRoleSessionDuration": update_role_session_duration,
        "CreatePolicy": create_policy,
        "GetPolicy": get_policy,
        "UpdatePolicy": update_policy,
        "DeletePolicy": delete_policy,
        "AttachRolePolicy": attach_role_policy,
        "DetachRolePolicy": detach_role_policy,
        "ListAttachedRolePolicies": list_attached_role_policies,
        "GetUserAppId": get_user_app_id,
        "DescribeSubAccounts": describe_sub_accounts,
    },
)
