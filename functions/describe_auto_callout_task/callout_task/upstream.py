"""The CCC call: one SDK client per credentials+region reused while warm; every attempt takes a
rate-limit token, is bounded by the deadline (``sdk_transport``), and is retried with exponential
backoff and full jitter when what went wrong may pass.

The SDK is imported on first use, so answers that never reach CCC (bad input, preflight, 403)
do not pay for importing it.
"""

from __future__ import annotations

import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from callout_task import problems, rate_limit, sdk_transport
from callout_task.answer_stream import AnswerParser, BadAnswer
from callout_task.credentials import Credentials
from callout_task.invocation import CallReport, Invocation
from callout_task.normalise import CalleeDigest, normalise_digested
from callout_task.request import TaskRequest
from callout_task.sdk_transport import AttemptFailed

if TYPE_CHECKING:
    from tencentcloud.ccc.v20200210.ccc_client import CccClient
    from tencentcloud.common.abstract_client import AbstractClient

    from callout_task.deadline import Deadline

ACTION = "DescribeAutoCalloutTask"
MIN_ATTEMPT_SECONDS = rate_limit.MIN_ATTEMPT_SECONDS  # no attempt starts with less time left
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 1.0
RETRY_AFTER_THROTTLED = 1
# The largest answer read: some 450 000 callees (about 72 bytes each). Past it the body is not
# read further: an upstream that never stops sending would otherwise fill the memory first.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_RETRYABLE_PREFIXES = (
    "RequestLimitExceeded",
    "InternalError",
    "ClientNetworkError",
    "ServerNetworkError",
)
# Codes the function gives failures CCC did not name: logged, not sent as upstream_code.
_FUNCTION_CODES = frozenset({"DeadlineReached", "BodyTooLarge", "BadBody"})
_MAX_CLIENTS = 4

__all__ = [
    "CallReport",
    "call_response",
    "describe_task",
    "forget_clients",
    "problem_from_upstream",
    "response_of",
    "with_retries",
]

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
    sdk_transport.prepare(client)
    cached[key] = client
    while len(cached) > _MAX_CLIENTS:  # rotated credentials leave old clients behind
        cached.popitem(last=False)
    return client


T = TypeVar("T")


def describe_task(
    credentials: Credentials,
    invocation: Invocation,
    request: TaskRequest,
    report: CallReport,
) -> dict[str, Any]:
    """The normalised task; raises a Problem for every failure.

    CCC's answer is parsed as it arrives (``answer_stream``): the callees are counted and the
    page asked for is kept, one at a time, so memory does not grow with the task.
    """
    settings = invocation.settings
    client = _client(credentials, settings.ccc_region, settings.ccc_endpoint)
    params = {"SdkAppId": request.sdk_app_id, "TaskId": request.task_id}
    deadline = invocation.deadline

    def attempt() -> dict[str, Any]:
        digest = CalleeDigest(request)
        parser = AnswerParser("Callees", digest)
        sdk_transport.exchange(client, ACTION, params, deadline, MAX_ANSWER_BYTES, _fed_to(parser))
        response = _response(_finished(parser), report)
        if deadline.remaining() < 0:
            # Read and parsed, but too late to be answered in time: the caller gets the 504
            # the deadline promises, not a 200 after it.
            raise AttemptFailed("DeadlineReached", "the answer was parsed after the deadline")
        return normalise_digested(response, digest, request)

    return with_retries(attempt, invocation, report, "CCC")


def _fed_to(parser: AnswerParser) -> Callable[[bytes], None]:
    def feed(chunk: bytes) -> None:
        try:
            parser.feed(chunk)
        except BadAnswer:
            raise AttemptFailed("BadBody", "The answer's body is not JSON.") from None

    return feed


def _finished(parser: AnswerParser) -> dict[str, Any]:
    try:
        return parser.finish()
    except BadAnswer:
        raise AttemptFailed("BadBody", "The answer's body is not JSON.") from None


def with_retries(
    attempt: Callable[[], T],
    invocation: Invocation,
    report: CallReport,
    service: str,
    problem_for: Callable[[str, str, str | None], problems.Problem] | None = None,
) -> T:
    """``attempt()`` until it succeeds, fails for good, or time, attempts or tokens run out.

    Retried, with exponential backoff and full jitter: throttling, network errors and internal
    errors (the calls are read-only). Every attempt takes a rate-limit token first (RateLimited,
    429, when it cannot have one); none starts without MIN_ATTEMPT_SECONDS left. A failure
    becomes the Problem ``problem_for`` (default: CCC's table) gives for its code.
    """
    to_problem = problem_for or problem_from_upstream
    deadline = invocation.deadline
    last: AttemptFailed | None = None
    made = 0
    for number in range(invocation.settings.retry_max_attempts):
        if number:
            # Backoff jitter needs no cryptographic randomness.
            ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**number)
            pause = random.uniform(0, ceiling)  # noqa: S311  # nosec B311
            if deadline.remaining() - pause < MIN_ATTEMPT_SECONDS:
                break
            time.sleep(pause)
        if deadline.remaining() < MIN_ATTEMPT_SECONDS:
            break
        rate_limit.acquire(invocation.limiter, deadline, invocation.waits_for_tokens)
        if deadline.remaining() < MIN_ATTEMPT_SECONDS:
            break
        report.attempts += 1
        made += 1
        try:
            return attempt()
        except AttemptFailed as failure:
            report.codes.append(failure.code)
            report.upstream_code = failure.code
            report.upstream_request_id = failure.request_id or report.upstream_request_id
            last = failure
            if not failure.code.startswith(_RETRYABLE_PREFIXES):
                raise to_problem(failure.code, failure.message, failure.request_id) from None
    if last is None:
        raise problems.UpstreamTimeout(
            f"The invocation's deadline came before {service} could be called."
        )
    if last.code == "ClientNetworkError" and made < invocation.settings.retry_max_attempts:
        # The network failed and the deadline, not the count, ended the retries.
        raise to_problem("DeadlineReached", last.message, last.request_id)
    raise to_problem(last.code, last.message, last.request_id)


def call_response(
    client: AbstractClient,
    action: str,
    params: dict[str, Any],
    deadline: Deadline,
    report: CallReport,
) -> dict[str, Any]:
    """One attempt of any Tencent Cloud API call: its answer's ``Response`` object (at most
    MAX_ANSWER_BYTES, parsed as it arrives); AttemptFailed for its error."""
    parser = AnswerParser()
    sdk_transport.exchange(client, action, params, deadline, MAX_ANSWER_BYTES, _fed_to(parser))
    return _response(_finished(parser), report)


def response_of(body: bytes, report: CallReport) -> dict[str, Any]:
    """The ``Response`` object of a Tencent Cloud API answer; AttemptFailed for its error."""
    parser = AnswerParser()
    _fed_to(parser)(body)
    return _response(_finished(parser), report)


def _response(envelope: dict[str, Any], report: CallReport) -> dict[str, Any]:
    response = envelope.get("Response")
    if not isinstance(response, dict):
        raise AttemptFailed("BadBody", "The answer has no Response object.")
    request_id = _text(response.get("RequestId"))
    report.upstream_request_id = request_id
    error = response.get("Error")
    if isinstance(error, dict):
        raise AttemptFailed(
            _text(error.get("Code")) or "UnknownError",
            _text(error.get("Message")) or "",
            request_id,
        )
    report.upstream_code = None
    return response


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def problem_from_upstream(code: str, message: str, request_id: str | None) -> problems.Problem:
    """The Problem for a CCC error code, or one of ``AttemptFailed``'s own: SPEC's error table.

    CCC's own words reach the caller only for the InvalidParameter family, where they help the
    caller fix its request; elsewhere they may name accounts, roles and resources, and go to
    the log only (``upstream_message``).
    """
    own: dict[str, tuple[type[problems.UpstreamProblem], str]] = {
        "DeadlineReached": (
            problems.UpstreamTimeout,
            "CCC did not answer before the invocation's deadline.",
        ),
        "BodyTooLarge": (
            problems.UpstreamFailure,
            f"CCC's answer is larger than the {MAX_ANSWER_BYTES // 2**20} MiB this function reads.",
        ),
        "BadBody": (problems.UpstreamFailure, "CCC answered with a body that is not its JSON."),
        "ClientNetworkError": (problems.UpstreamFailure, "CCC could not be reached."),
        "ServerNetworkError": (problems.UpstreamFailure, "CCC answered with an HTTP error."),
    }
    kind = problems.upstream_class(code)
    if code in own:
        kind, detail = own[code]
    elif kind is problems.UpstreamInvalid:
        detail = message or f"CCC refused the request ({code})."
    elif kind is problems.UpstreamForbidden:
        detail = "CCC did not authorise this function to read the task."
    elif kind is problems.UpstreamNotFound:
        detail = "CCC has no such task in that application."
    elif kind is problems.UpstreamThrottled:
        detail = "CCC's rate limit was reached; retry after the indicated time."
    elif code.startswith("AuthFailure"):
        detail = "CCC rejected the function's credentials."
    elif kind is problems.UpstreamUnavailable:
        detail = "CCC is temporarily unavailable."
    else:
        detail = "CCC failed to answer the request."
    retry_after = RETRY_AFTER_THROTTLED if kind is problems.UpstreamThrottled else None
    return kind(
        detail,
        upstream_code=None if code in _FUNCTION_CODES else code,
        upstream_request_id=request_id or None,
        retry_after=retry_after,
        upstream_message=message or None,
    )
