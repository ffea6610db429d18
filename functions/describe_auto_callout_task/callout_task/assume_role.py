"""CCC_ROLE_ARN: credentials of a role in the account that owns CCC, through STS AssumeRole.

The function's own credentials sign the AssumeRole call, which is bounded, rate-limited and
retried like a CCC call. The role's temporary credentials are kept until shortly before they
expire (300 s, or a fifth of their lifetime when STS gives them less than 25 minutes), and
dropped when CCC refuses their token; the cache holds at most a few entries (the execution
role's credentials rotate, and each rotation is a new key). Callers that find no fresh entry
at once share one AssumeRole: the first asks STS, the others wait for its answer (single-flight).

STS refusing the role (a wrong or missing ARN, a trust policy that leaves the function out) is
the operator's to fix: a 502 whose STS message goes to the log only, never to the caller.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from callout_task import problems
from callout_task.config import is_loopback
from callout_task.credentials import Credentials, printable
from callout_task.invocation import CallReport, Invocation
from callout_task.sdk_transport import Endpoint
from callout_task.tencent_call import call_response, problem_from_upstream, with_retries

STS_VERSION = "2018-08-13"
DURATION_SECONDS = 7200
REFRESH_BEFORE_EXPIRY_SECONDS = 300  # the most; shorter-lived credentials renew earlier
REFRESH_SHARE_OF_LIFETIME = 0.2
MAX_CACHED_ROLES = 8
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")
# STS failures that may pass by themselves; any other means the role cannot be had.
_TRANSIENT_PREFIXES = (
    "RequestLimitExceeded",
    "InternalError",
    "ServiceUnavailable",
    "ResourceUnavailable",
    "ClientNetworkError",
    "ServerNetworkError",
    "DeadlineReached",
    "BadBody",
    "BodyTooLarge",
)

_lock = threading.Lock()
# (role, base SecretId) -> (credentials, when they expire, when to renew them); Unix seconds.
_cache: OrderedDict[tuple[str, str], tuple[Credentials, float, float]] = OrderedDict()
# One lock per role (an instance has one CCC_ROLE_ARN), held by the caller asking STS for it:
# the others wait for its answer.
_flights: dict[str, threading.Lock] = {}


def forget_all() -> None:
    """Forget every role's credentials (and the callers waiting for them): a new instance."""
    with _lock:
        _cache.clear()
        _flights.clear()


def session_name() -> str:
    function = os.environ.get("SCF_FUNCTIONNAME", "") or "local"
    return _SESSION_NAME_CHARS.sub("-", f"autocallout-{function}")[:64]


def forget(role_arn: str, base: Credentials) -> None:
    """Drop the cached role credentials (CCC said their token is no longer good)."""
    with _lock:
        _cache.pop((role_arn, base.secret_id), None)


def renew_at(issued_at: float, expires_at: float) -> float:
    """When credentials issued at ``issued_at`` are renewed: 300 s before they expire, or a fifth
    of their lifetime before, whichever is nearer expiry. Credentials that live 250 s are kept
    200 s, not asked for again on every call."""
    lifetime = max(0.0, expires_at - issued_at)
    return expires_at - min(REFRESH_BEFORE_EXPIRY_SECONDS, lifetime * REFRESH_SHARE_OF_LIFETIME)


def _fresh(key: tuple[str, str]) -> Credentials | None:
    with _lock:
        cached = _cache.get(key)
    if cached is not None and time.time() < cached[2]:
        return cached[0]
    return None


def role_credentials(
    base: Credentials, role_arn: str, invocation: Invocation, report: CallReport
) -> Credentials:
    key = (role_arn, base.secret_id)
    credentials = _fresh(key)
    if credentials is not None:
        return credentials
    with _lock:
        flight = _flights.setdefault(role_arn, threading.Lock())
    # Taken at once, or another caller is asking STS: wait for its answer, within the deadline.
    if not flight.acquire(blocking=False) and not flight.acquire(
        timeout=max(0.0, invocation.deadline.remaining())
    ):
        raise problems.UpstreamTimeout(
            "The invocation's deadline came while STS was being asked for the role's "
            "credentials by another call."
        )
    try:
        credentials = _fresh(key)  # what the caller before this one brought back
        if credentials is not None:
            return credentials
        issued_at = time.time()
        credentials, expires_at = _assume(base, role_arn, invocation, report)
        with _lock:
            _cache[key] = (credentials, expires_at, renew_at(issued_at, expires_at))
            _cache.move_to_end(key)
            now = time.time()
            for stale in [k for k, (_, expiry, _) in _cache.items() if expiry <= now]:
                del _cache[stale]
            while len(_cache) > MAX_CACHED_ROLES:
                _cache.popitem(last=False)
        return credentials
    finally:
        flight.release()


def _problem(code: str, message: str, request_id: str | None) -> problems.Problem:
    """STS errors: transient ones as for CCC; every other one means the role cannot be had."""
    if code.startswith(_TRANSIENT_PREFIXES):
        problem = problem_from_upstream(code, message, request_id)
        problem.detail = problem.detail.replace("CCC", "STS")
        return problem
    unavailable: problems.Problem = problems.RoleUnavailable(
        "The function could not assume the role that reads CCC; see its log.",
        upstream_code=code,
        upstream_request_id=request_id or None,
        upstream_message=message or None,
    )
    return unavailable


def _assume(
    base: Credentials, role_arn: str, invocation: Invocation, report: CallReport
) -> tuple[Credentials, float]:
    # A CCC_ENDPOINT on loopback is the local fake, which answers STS too; else STS's own host.
    local = urlsplit(invocation.settings.ccc_endpoint)
    try:
        client = Endpoint(
            "sts",
            STS_VERSION,
            invocation.settings.ccc_region or "ap-guangzhou",
            base,
            invocation.settings.ccc_endpoint if is_loopback(local.hostname) else None,
        )
    except ValueError:
        raise problems.CredentialsMissing(
            "The function's credentials are malformed (empty or with spaces)."
        ) from None
    params = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name(),
        "DurationSeconds": DURATION_SECONDS,
    }

    def attempt() -> dict[str, Any]:
        return call_response(client, "AssumeRole", params, invocation.deadline, report)

    try:
        response = with_retries(attempt, invocation, report, "STS", _problem)
    finally:
        client.disconnect()  # one AssumeRole per endpoint: nothing to keep the connection for
    try:
        issued = response["Credentials"]
        values = (issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"])
        expires_at = float(response["ExpiredTime"])
    except (KeyError, TypeError, ValueError):
        raise problems.RoleUnavailable("STS answered AssumeRole without credentials.") from None
    if not all(isinstance(value, str) and value and printable(value) for value in values):
        # Sent as headers, a line break would be refused with the value quoted (into the log).
        raise problems.RoleUnavailable(
            "STS answered AssumeRole with credentials holding characters no credential has "
            "(not shown)."
        )
    return Credentials(*values), expires_at
