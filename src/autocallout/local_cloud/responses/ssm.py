"""SSM (2019-09-23): secrets and their versions, for the watch's webhook URLs and secrets.

Shapes: SSM's API reference (CreateSecret, DescribeSecret, GetSecretValue, ListSecretVersionIds)
and the provider's resource_tc_ssm_secret.go / _secret_version.go. A secret is deleted at once
with RecoveryWindowInDays 0, else it waits as PendingDelete; only a disabled secret can be deleted.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, page, tags_from


def _not_found(name: str) -> CloudError:
    return CloudError("ResourceNotFound.SecretNotExist", f"The secret {name} does not exist.")


def _secret(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("SecretName")
    found: JSONObject = backend.get("ssm.secrets", name, _not_found(name))
    return {**found, "Versions": dict(found["Versions"])}


def _value(params: Params) -> JSONObject:
    string = params.get("SecretString")
    binary = params.get("SecretBinary")
    if (string is None) == (binary is None):
        raise CloudError("InvalidParameter", "Give one of SecretString and SecretBinary.")
    if binary is not None:
        try:
            base64.b64decode(str(binary), validate=True)
        except (binascii.Error, ValueError):
            raise CloudError("InvalidParameterValue", "SecretBinary must be Base64.") from None
    return {"SecretString": string or "", "SecretBinary": binary or ""}


def _tag_name(backend: CloudBackend, secret: JSONObject) -> str:
    return backend.resource_name("ssm", "secret", secret["ResourceID"], backend.region)


def create_secret(backend: CloudBackend, params: Params) -> JSONObject:
    name = params.name("SecretName")
    if name in backend.table("ssm.secrets"):
        raise CloudError("ResourceInUse.SecretExists", f"The secret {name} exists.")
    version = params.text("VersionId", "SSM_Current")
    now = int(backend.clock())
    secret = {
        "SecretName": name,
        "Description": params.text("Description", ""),
        "KmsKeyId": params.text("KmsKeyId", ""),
        "SecretType": params.integer("SecretType", 0, low=0, high=4),
        "AdditionalConfig": params.text("AdditionalConfig", ""),
        "Status": "Enabled",
        "CreateTime": now,
        "DeleteTime": 0,
        "ResourceID": f"creds-{backend.new_id()}",
        "Versions": {version: {**_value(params), "CreateTime": now}},
    }
    backend.set_tags(_tag_name(backend, secret), tags_from(params))
    backend.put("ssm.secrets", name, secret)
    return {"SecretName": name, "VersionId": version, "TagCode": 0, "TagMsg": ""}


def describe_secret(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    return {
        "SecretName": secret["SecretName"],
        "Description": secret["Description"],
        "KmsKeyId": secret["KmsKeyId"],
        "CreateUin": int(backend.account.uin),
        "Status": secret["Status"],
        "DeleteTime": secret["DeleteTime"],
        "CreateTime": secret["CreateTime"],
        "SecretType": secret["SecretType"],
        "ProductName": "",
        "ResourceID": secret["ResourceID"],
        "RotationStatus": False,
        "RotationFrequency": 0,
        "ResourceName": "",
        "ProjectID": 0,
        "AssociatedInstanceIDs": [],
        "TargetUin": 0,
        "AdditionalConfig": secret["AdditionalConfig"],
    }


def _usable(secret: JSONObject) -> None:
    if secret["Status"] != "Enabled":
        raise CloudError(
            "OperationDenied", f"The secret {secret['SecretName']} is {secret['Status']}."
        )


def get_secret_value(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    _usable(secret)
    version = params.name("VersionId")
    value = secret["Versions"].get(version)
    if value is None:
        raise CloudError("ResourceNotFound", f"The version {version} does not exist.")
    return {
        "SecretName": secret["SecretName"],
        "VersionId": version,
        "SecretString": value["SecretString"],
        "SecretBinary": value["SecretBinary"],
    }


def put_secret_value(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    version = params.name("VersionId")
    if version in secret["Versions"]:
        raise CloudError("ResourceInUse.VersionIdExists", f"The version {version} exists.")
    secret["Versions"][version] = {**_value(params), "CreateTime": int(backend.clock())}
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"], "VersionId": version}


def update_secret(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    version = params.name("VersionId")
    if version not in secret["Versions"]:
        raise CloudError("ResourceNotFound", f"The version {version} does not exist.")
    secret["Versions"][version] = {**_value(params), "CreateTime": int(backend.clock())}
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"], "VersionId": version}


def update_description(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    secret["Description"] = params.text("Description")
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"]}


def list_secret_version_ids(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    versions = [
        {"VersionId": v, "CreateTime": value["CreateTime"]}
        for v, value in sorted(secret["Versions"].items())
    ]
    return {"SecretName": secret["SecretName"], "Versions": versions}


def delete_secret_version(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    version = params.name("VersionId")
    if secret["Versions"].pop(version, None) is None:
        raise CloudError("ResourceNotFound", f"The version {version} does not exist.")
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"], "VersionId": version}


def _status(backend: CloudBackend, params: Params, status: str) -> JSONObject:
    secret = _secret(backend, params)
    if secret["Status"] == "PendingDelete":
        raise CloudError("OperationDenied", "The secret is pending deletion.")
    secret["Status"] = status
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"]}


def enable_secret(backend: CloudBackend, params: Params) -> JSONObject:
    return _status(backend, params, "Enabled")


def disable_secret(backend: CloudBackend, params: Params) -> JSONObject:
    return _status(backend, params, "Disabled")


def delete_secret(backend: CloudBackend, params: Params) -> JSONObject:
    secret = _secret(backend, params)
    if secret["Status"] != "Disabled":
        raise CloudError("OperationDenied", "Disable the secret before deleting it.")
    days = params.integer("RecoveryWindowInDays", 0, low=0, high=30)
    if days == 0:
        backend.drop_tags(_tag_name(backend, secret))
        backend.delete("ssm.secrets", secret["SecretName"])
        return {"SecretName": secret["SecretName"], "DeleteTime": int(backend.clock())}
    secret["Status"] = "PendingDelete"
    secret["DeleteTime"] = int(backend.clock()) + days * 86400
    backend.put("ssm.secrets", secret["SecretName"], secret)
    return {"SecretName": secret["SecretName"], "DeleteTime": secret["DeleteTime"]}


def list_secrets(backend: CloudBackend, params: Params) -> JSONObject:
    search = params.text("SearchSecretName", "")
    with backend.lock:
        secrets: list[Any] = [
            describe_secret(backend, Params({"SecretName": name}))
            for name in sorted(backend.table("ssm.secrets"))
            if search in name
        ]
    return {"TotalCount": len(secrets), "SecretMetadatas": page(secrets, params)}


SERVICE = Service(
    "ssm",
    "2019-09-23",
    {
        "CreateSecret": create_secret,
        "DescribeSecret": describe_secret,
        "GetSecretValue": get_secret_value,
        "PutSecretValue": put_secret_value,
        "UpdateSecret": update_secret,
        "UpdateDescription": update_description,
        "ListSecretVersionIds": list_secret_version_ids,
        "DeleteSecretVersion": delete_secret_version,
        "EnableSecret": enable_secret,
        "DisableSecret": disable_secret,
        "DeleteSecret": delete_secret,
        "ListSecrets": list_secrets,
    },
)
