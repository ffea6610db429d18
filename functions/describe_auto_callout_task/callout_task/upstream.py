"""The CCC call: one SDK client per credentials+region reused while warm, a timeout cut to the
time left, and retries with exponential backoff and full jitter on what may pass.

The SDK is imported on first use, so answers that never reach CCC (bad input, preflight, 403)
do not pay for importing it.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic_core import from_json

from callout_task import problems
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline

if TYPE_CHECKING:
    from tencentcloud.ccc.v20200210.ccc_client import CccClient

ACTION = "DescribeAutoCalloutTask"
MIN_ATTEMPT_SECONDS = 0.1  # an attempt with less time than this left is not started
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 1.0
RETRY_AFTER_THROTTLED = 1
_RETRYABLE_PREFIXES = (
    "RequestLimitExceeded",
    "InternalError",
    "ClientNetworkError",
    "ServerNetworkError",
)
_MAX_CLIENTS = 4


class CallReport:
    """What the call did, for the invocation's log line."""

    __slots__ = ("attempts", "codes", "upstream_code", "upstream_request_id")

    def __init__(self) -> None:
        self.attempts = 0
        self.upstream_code: str | None = None
        self.upstream_request_id: str | None = None
        self.codes: list[str] = []


ClientKey = tuple[str, str, str | None, str, str]


class _Clients(threading.local):
    """Clients by credentials+region, per thread: SCF runs one invocation at a time per
    instance, but the local server runs several, and a client's timeout is set per call."""

    def __init__(self) -> None:
        self.by_key: OrderedDict[ClientKey, CccClient] = OrderedDict()


_clients = _Clients()


def forget_clients() -> None:
    """Drop this thread's clients (a new instance, as far as connections go)."""
    _clients.by_key.clear()


def _client(credentials: Credentials, region: str, endpoint: str) -> CccClient:
    key = (credentials.secret_id, credentials.secret_key, credentials.token, region, endpoint)
    cached = _clients.by_key
    client = cached.get(key)
    if client is not None:
        cached.move_to_end(key)
        return client
    from tencentcloud.ccc.v20200210.ccc_client import CccClient
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    parts = urlsplit(endpoint) if endpoint else None
    profile = HttpProfile(
        endpoint=parts.netloc if parts else None,
        protocol=parts.scheme if parts else "https",
        keepAlive=True,
    )
    try:
        credential = Credential(credentials.secret_id, credentials.secret_key, credentials.token)
    except TencentCloudSDKException:
        raise problems.CredentialsMissing(
            "The function's credentials are malformed (empty or with spaces)."
        ) from None
    client = CccClient(credential, region, ClientProfile(httpProfile=profile))
    cached[key] = client
    while len(cached) > _MAX_CLIENTS:  # rotated credentials leave old clients behind
        cached.popitem(last=False)
    return client


def describe_task(
    credentials: Credentials,
    region: str,
    endpoint: str,
    sdk_app_id: int,
    task_id: int,
    deadline: Deadline,
    max_attempts: int,
    report: CallReport,
) -> dict[str, Any]:
    """CCC's ``Response`` object for the task; raises a Problem for every failure."""

    client = _client(credentials, region, endpoint)
    params = {"SdkAppId": sdk_app_id, "TaskId": task_id}

    def attempt(left: float) -> dict[str, Any]:
        # The SDK fixes its timeout when the client is built; its connection holds the live value.
        client.request.conn.timeout = left
        return _response(_raw_body(client, params), report)

    return with_retries(attempt, deadline, max_attempts, report, "CCC")


T = TypeVar("T")


def with_retries(
    attempt: Callable[[float], T],
    deadline: Deadline,
    max_attempts: int,
    report: CallReport,
    service: str,
    problem_for: Callable[[str, str, str | None], problems.Problem] | None = None,
) -> T:
    """``attempt(time_left)`` until it succeeds, fails for good, or time or attempts run out.

    Retried, with exponential backoff and full jitter: throttling, network errors and internal
    errors (the calls are read-only). No attempt starts without MIN_ATTEMPT_SECONDS left; each
    gets only the time left. A failure becomes the Problem ``problem_for`` (default: CCC's
    table) gives for its code.
    """
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )

    to_problem = problem_for or problem_from_upstream
    last: problems.Problem | None = None
    for number in range(max_attempts):
        if number:
            # Backoff jitter needs no cryptographic randomness.
            ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**number)
            pause = random.uniform(0, ceiling)  # noqa: S311  # nosec B311
            if deadline.remaining() - pause < MIN_ATTEMPT_SECONDS:
                break
            time.sleep(pause)
        left = deadline.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            break
        report.attempts += 1
        try:
            return attempt(left)
        except TencentCloudSDKException as error:
            code = str(error.code or "")
            report.codes.append(code)
            report.upstream_code = code
            report.upstream_request_id = error.requestId or None
            last = to_problem(code, str(error.message or ""), error.requestId)
            if not code.startswith(_RETRYABLE_PREFIXES) or isinstance(
                last, problems.UpstreamTimeout
            ):
                raise last from None
    if last is None:
        raise problems.UpstreamTimeout(
            f"The invocation's deadline came before {service} could be called."
        )
    raise last


def _raw_body(client: CccClient, params: dict[str, int]) -> bytes:
    """The answer's body, unparsed.

    ``CccClient.call`` parses every JSON answer once to look for an error and hands back the
    bytes, which would then be parsed again: for a task of 100 000 callees that is most of the
    time spent. The SDK's own steps below sign, send and check the status; the body is parsed
    once, in ``_response``, where errors are looked for too.
    """
    answer = client._call(ACTION, params)
    client._check_status(answer)
    content: bytes = answer.content
    return content


def _response(body: bytes, report: CallReport) -> dict[str, Any]:
    try:
        envelope = _parse(body)
    except ValueError:
        report.upstream_code = "BadBody"
        raise problems.UpstreamFailure("CCC answered with a body that is not JSON.") from None
    response = envelope.get("Response") if isinstance(envelope, dict) else None
    if not isinstance(response, dict):
        report.upstream_code = "BadBody"
        raise problems.UpstreamFailure("CCC answered without a Response object.")
    report.upstream_request_id = _text(response.get("RequestId"))
    error = response.get("Error")
    if isinstance(error, dict):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )

        # The same exception CccClient.call raises, so that retries treat both alike.
        raise TencentCloudSDKException(
            _text(error.get("Code")) or "UnknownError",
            _text(error.get("Message")) or "",
            report.upstream_request_id,
        )
    report.upstream_code = None
    return response


def _parse(body: bytes) -> Any:
    try:
        return from_json(body)
    except ValueError:
        # pydantic-core refuses lone surrogate escapes ("\ud800") that JSON allows; the
        # standard library takes them. Anything else it refuses is not JSON at all.
        return json.loads(body)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def problem_from_upstream(code: str, message: str, request_id: str | None) -> problems.Problem:
    """The Problem for a CCC (or SDK) error code: SPEC's error table."""
    if code == "ClientNetworkError" and "timed out" in message.lower():
        return problems.UpstreamTimeout(
            "CCC did not answer before the invocation's deadline.",
            upstream_code=code,
            upstream_message=message,
        )
    kind = problems.upstream_class(code)
    # Upstream wording is passed on only where it helps the caller fix its own request.
    if kind.status < 500 and kind.status != 429:
        detail = message or f"CCC refused the request ({code})."
    elif kind is problems.UpstreamThrottled:
        detail = "CCC's rate limit was reached; retry after the indicated time."
    elif code.startswith("AuthFailure"):
        detail = "CCC rejected the function's credentials."
    elif kind is problems.UpstreamUnavailable:
        detail = "CCC is temporarily unavailable."
    elif code in ("ClientNetworkError", "ServerNetworkError"):
        detail = "CCC could not be reached."
    else:
        detail = "CCC failed to answer the request."
    retry_after = RETRY_AFTER_THROTTLED if kind is problems.UpstreamThrottled else None
    return kind(
        detail,
        upstream_code=code,
        upstream_request_id=request_id or None,
        retry_after=retry_after,
        upstream_message=message or None,
    )
