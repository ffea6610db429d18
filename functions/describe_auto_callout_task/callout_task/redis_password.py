"""RATE_LIMIT_REDIS_PASSWORD_SECRET: the Redis password, read from SSM with the role's credentials.

Read when the instance first connects to Redis (and again after Redis refused it), so it never
sits in the function's configuration, where the console would show it in plain text.
"""

from __future__ import annotations

import os
from typing import Any

from callout_task import problems
from callout_task.credentials import read_credentials
from callout_task.redis_wire import StoreError

SSM_VERSION = "2019-09-23"


def read_redis_password(secret: tuple[str, str], region: str, timeout: float) -> str:
    """The secret's SecretString; raises StoreError (the limit then falls back) if it cannot."""
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )

    name, version = secret
    try:
        base = read_credentials()
    except problems.CredentialsMissing:
        raise StoreError("no credentials to read the Redis password from SSM") from None
    # The secret lives in the function's region (SCF says which), which CCC's may not be.
    where = os.environ.get("TENCENTCLOUD_REGION") or region or "ap-guangzhou"
    try:
        client = CommonClient(
            "ssm", SSM_VERSION, Credential(base.secret_id, base.secret_key, base.token), where
        )
        client.request.conn.timeout = timeout
        answer: Any = client.call_json("GetSecretValue", {"SecretName": name, "VersionId": version})
    except TencentCloudSDKException as error:
        raise StoreError(f"SSM did not give secret {name}:{version} ({error.code})") from None
    except (ValueError, LookupError, TypeError):
        # The SDK parses the body itself and trips on one that is not SSM's JSON (a proxy's page)
        raise StoreError(f"SSM answered secret {name}:{version} with a body not its JSON") from None
    response = answer.get("Response") if isinstance(answer, dict) else None
    value = response.get("SecretString") if isinstance(response, dict) else None
    if not isinstance(value, str) or not value:
        raise StoreError(f"SSM secret {name}:{version} holds no text")
    return value
