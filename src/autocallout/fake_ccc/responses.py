"""Actions the fake implements: one function per action, parameters in, response body out.

CCC's ``DescribeAutoCalloutTask``, STS's ``AssumeRole`` for functions that read CCC in another
account, and SSM's ``GetSecretValue`` for the rate limit's Redis password. Adding an action is
one function here and its entry in ``SERVICES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autocallout.fake_ccc import signature
from autocallout.fake_ccc.exceptions import CccError
from autocallout.fake_ccc.models import CccBackend

API_VERSION = "2020-02-10"

# An action answers with the encoded body of "Response" (without RequestId): the backend caches it.
Action = Callable[[CccBackend, Mapping[str, Any]], bytes]


def _integer(params: Mapping[str, Any], name: str) -> int:
    if name not in params:
        raise CccError("MissingParameter", f"The request is missing a required parameter `{name}`.")
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**63 - 1:
        raise CccError(
            "InvalidParameterValue",
            f"The value of parameter `{name}` is invalid: expected a positive Integer.",
        )
    return value


def _no_unknown(params: Mapping[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(set(params) - known)
    if unknown:
        raise CccError("UnknownParameter", f"The parameter `{unknown[0]}` is not recognized.")


_DESCRIBE_PARAMS = frozenset({"SdkAppId", "TaskId"})


def describe_auto_callout_task(backend: CccBackend, params: Mapping[str, Any]) -> bytes:
    _no_unknown(params, _DESCRIBE_PARAMS)
    sdk_app_id = _integer(params, "SdkAppId")
    task_id = _integer(params, "TaskId")
    body = backend.encoded_task(sdk_app_id, task_id)
    if backend.auto_advance:
        backend.advance_task(sdk_app_id, task_id)
    return body


_ASSUME_ROLE_PARAMS = frozenset({"RoleArn", "RoleSessionName", "DurationSeconds", "Policy"})


def assume_role(backend: CccBackend, params: Mapping[str, Any]) -> bytes:
    _no_unknown(params, _ASSUME_ROLE_PARAMS)
    for name in ("RoleArn", "RoleSessionName"):
        if not isinstance(params.get(name), str) or not params[name]:
            raise CccError(
                "MissingParameter", f"The request is missing a required parameter `{name}`."
            )
    duration = params.get("DurationSeconds", 7200)
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= 43200:
        raise CccError("InvalidParameterValue", "DurationSeconds must be from 1 to 43200.")
    issued, expires_at = backend.assume_role(params["RoleArn"], duration)
    body = {
        "Credentials": {
            "Token": issued.token,
            "TmpSecretId": issued.secret_id,
            "TmpSecretKey": issued.secret_key,
        },
        "ExpiredTime": int(expires_at),
        "Expiration": signature.iso_utc(int(expires_at)),
    }
    return json.dumps(body).encode()


_SECRET_PARAMS = frozenset({"SecretName", "VersionId"})


def get_secret_value(backend: CccBackend, params: Mapping[str, Any]) -> bytes:
    """SSM's GetSecretValue, for functions that keep a password there (the rate limit's Redis)."""
    _no_unknown(params, _SECRET_PARAMS)
    for name in ("SecretName", "VersionId"):
        if not isinstance(params.get(name), str) or not params[name]:
            raise CccError(
                "MissingParameter", f"The request is missing a required parameter `{name}`."
            )
    value = backend.secret_value(params["SecretName"], params["VersionId"])
    body = {
        "SecretName": params["SecretName"],
        "VersionId": params["VersionId"],
        "SecretString": value,
        "SecretBinary": "",
    }
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Service:
    version: str
    actions: dict[str, Action]


SERVICES: dict[str, Service] = {
    "ccc": Service(API_VERSION, {"DescribeAutoCalloutTask": describe_auto_callout_task}),
    "sts": Service("2018-08-13", {"AssumeRole": assume_role}),
    "ssm": Service("2019-09-23", {"GetSecretValue": get_secret_value}),
}
