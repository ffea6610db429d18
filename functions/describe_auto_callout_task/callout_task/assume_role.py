"""CCC_ROLE_ARN: credentials of a role in the account that owns CCC, through STS AssumeRole.

The function's own credentials sign the AssumeRole call; the role's temporary credentials are
kept until shortly before they expire, and dropped when CCC refuses their token.
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

from callout_task import problems
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline
from callout_task.upstream import CallReport, problem_from_upstream, with_retries

STS_VERSION = "2018-08-13"
DURATION_SECONDS = 7200
REFRESH_BEFORE_EXPIRY_SECONDS = 300
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[Credentials, float]] = {}


def session_name() -> str:
    function = os.environ.get("SCF_FUNCTIONNAME", "") or "local"
    return _SESSION_NAME_CHARS.sub("-", f"autocallout-{function}")[:64]


def forget(role_arn: str, base: Credentials) -> None:
    """Drop the cached role credentials (CCC said their token is no longer good)."""
    with _lock:
        _cache.pop((role_arn, base.secret_id), None)


def role_credentials(
    base: Credentials,
    role_arn: str,
    region: str,
    deadline: Deadline,
    max_attempts: int,
    report: CallReport,
) -> Credentials:
    key = (role_arn, base.secret_id)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and time.time() < cached[1] - REFRESH_BEFORE_EXPIRY_SECONDS:
        return cached[0]
    credentials, expires_at = _assume(base, role_arn, region, deadline, max_attempts, report)
    with _lock:
        _cache[key] = (credentials, expires_at)
    return credentials


def _problem(code: str, message: str, request_id: str | None) -> problems.Problem:
    """STS errors by CCC's table, but for those that mean the role cannot be had (502)."""
    if code.startswith(("AuthFailure", "UnauthorizedOperation", "ResourceNotFound")):
        return problems.UpstreamAuthFailure(
            "The function could not assume the role that reads CCC.",
            upstream_code=code,
            upstream_request_id=request_id or None,
            upstream_message=message or None,
        )
    return problem_from_upstream(code, message, request_id)


def _assume(
    base: Credentials,
    role_arn: str,
    region: str,
    deadline: Deadline,
    max_attempts: int,
    report: CallReport,
) -> tuple[Credentials, float]:
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.credential import Credential

    client = CommonClient(
        "sts",
        STS_VERSION,
        Credential(base.secret_id, base.secret_key, base.token),
        region or "ap-guangzhou",
    )
    params = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name(),
        "DurationSeconds": DURATION_SECONDS,
    }

    def attempt(left: float) -> Any:
        client.request.conn.timeout = left
        return client.call_json("AssumeRole", params)

    answer = with_retries(attempt, deadline, max_attempts, report, "STS", _problem)
    try:
        issued = answer["Response"]["Credentials"]
        return (
            Credentials(issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"]),
            float(answer["Response"]["ExpiredTime"]),
        )
    except (KeyError, TypeError, ValueError):
        raise problems.UpstreamAuthFailure("STS answered AssumeRole without credentials.") from None
