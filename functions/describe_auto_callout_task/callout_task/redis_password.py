"""RATE_LIMIT_REDIS_PASSWORD_SECRET: the Redis password, read from SSM with the role's credentials.

Read when the instance first connects to Redis (and again after Redis refused it), so it never
sits in the function's configuration, where the console would show it in plain text.
"""

from __future__ import annotations

import os
import time

from callout_task import problems
from callout_task.credentials import read_credentials
from callout_task.deadline import Deadline
from callout_task.invocation import CallReport
from callout_task.redis_wire import StoreError
from callout_task.sdk_transport import AttemptFailed, Endpoint
from callout_task.tencent_call import call_response

SSM_VERSION = "2019-09-23"


def read_redis_password(secret: tuple[str, str], region: str, timeout: float) -> str:
    """The secret's SecretString, read whole within ``timeout`` seconds (connect, TLS, request,
    answer: one deadline, as a CCC attempt has); raises StoreError (the limit then falls back)
    if it cannot."""
    name, version = secret
    try:
        base = read_credentials()
    except problems.CredentialsMissing:
        raise StoreError("no credentials to read the Redis password from SSM") from None
    # The secret lives in the function's region (SCF says which), which CCC's may not be.
    where = os.environ.get("TENCENTCLOUD_REGION") or region or "ap-guangzhou"
    params = {"SecretName": name, "VersionId": version}
    try:
        endpoint = Endpoint("ssm", SSM_VERSION, where, base)
    except ValueError:
        raise StoreError("the credentials to read the Redis password are malformed") from None
    try:
        deadline = Deadline(time.monotonic() + timeout)
        response = call_response(endpoint, "GetSecretValue", params, deadline, CallReport())
    except AttemptFailed as error:
        raise StoreError(f"SSM did not give secret {name}:{version} ({error.code})") from None
    finally:
        endpoint.disconnect()  # one read per endpoint: nothing to keep the connection for
    value = response.get("SecretString")
    if not isinstance(value, str) or not value:
        raise StoreError(f"SSM secret {name}:{version} holds no text")
    return value
