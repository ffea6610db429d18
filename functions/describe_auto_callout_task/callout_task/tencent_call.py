"""The plumbing every Tencent Cloud API call shares (CCC, STS, SSM): one path to Tencent.

- ``call_response``: one attempt (``sdk_transport.exchange``), its answer parsed as it arrives
  (``answer_stream``, at most MAX_ANSWER_BYTES), its ``Response`` object or its error;
- ``with_retries``: attempts until one succeeds, fails for good, or time, attempts or tokens run
  out, each taking a rate-limit token, backing off with full jitter between them;
- ``problem_from_upstream``: an error code, CCC's or one of the function's own, as a Problem.

Upstream text is capped where it enters (``_response``): an error's code and message reach
answers and log lines, and an upstream decides how long they are.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from callout_task import problems, rate_limit, sdk_transport
from callout_task.answer_stream import AnswerParser, BadAnswer
from callout_task.deadline import Deadline
from callout_task.invocation import CallReport, Invocation
from callout_task.sdk_transport import AttemptFailed, Endpoint

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
# Longest error code and message taken from an answer (Tencent's are far shorter): the rest
# is cut, marked with "…", before it reaches an answer or a log line.
MAX_CODE_CHARS = 128
MAX_MESSAGE_CHARS = 1024

T = TypeVar("T")


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
    429, when it cannot have one: after a failed attempt, naming that failure); none starts
    without MIN_ATTEMPT_SECONDS left. A failure
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
        try:
            rate_limit.acquire(invocation.limiter, deadline, invocation.waits_for_tokens)
        except problems.RateLimited as refused:
            if last is None:
                raise
            # A retry with no token: still this limit's 429 and its Retry-After, but saying
            # what the service answered, named (STS's code and request id are not CCC's). Only
            # a retryable code gets here: never one of _FUNCTION_CODES, none of which is.
            raise problems.RateLimited(
                f"The last {service} attempt failed ({last.code}) and this function's rate "
                "limit had no token for another; retry after the indicated time.",
                retry_after=refused.retry_after,
                upstream_code=last.code,
                upstream_request_id=last.request_id or None,
                upstream_message=last.message or None,
            ) from None
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
    client: Endpoint,
    action: str,
    params: dict[str, Any],
    deadline: Deadline,
    report: CallReport,
) -> dict[str, Any]:
    """One attempt of any Tencent Cloud API call: its answer's ``Response`` object (at most
    MAX_ANSWER_BYTES, parsed as it arrives); AttemptFailed for its error."""
    parser = AnswerParser()
    sdk_transport.exchange(client, action, params, deadline, MAX_ANSWER_BYTES, fed_to(parser))
    return response_from(finished(parser), report)


def response_of(body: bytes, report: CallReport) -> dict[str, Any]:
    """The ``Response`` object of a Tencent Cloud API answer; AttemptFailed for its error."""
    parser = AnswerParser()
    fed_to(parser)(body)
    return response_from(finished(parser), report)


def response_from(envelope: dict[str, Any], report: CallReport) -> dict[str, Any]:
    response = envelope.get("Response")
    if not isinstance(response, dict):
        raise AttemptFailed("BadBody", "The answer has no Response object.")
    request_id = _text(response.get("RequestId"))
    if request_id is not None:
        request_id = _capped(request_id, MAX_CODE_CHARS)
    report.upstream_request_id = request_id
    error = response.get("Error")
    if isinstance(error, dict):
        raise AttemptFailed(
            _capped(_text(error.get("Code")) or "UnknownError", MAX_CODE_CHARS),
            _capped(_text(error.get("Message")) or "", MAX_MESSAGE_CHARS),
            request_id,
        )
    report.upstream_code = None
    return response


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def fed_to(parser: AnswerParser) -> Callable[[bytes], None]:
    def feed(chunk: bytes) -> None:
        try:
            parser.feed(chunk)
        except BadAnswer:
            raise AttemptFailed("BadBody", "The answer's body is not JSON.") from None

    return feed


def finished(parser: AnswerParser) -> dict[str, Any]:
    try:
        return parser.finish()
    except BadAnswer:
        raise AttemptFailed("BadBody", "The answer's body is not JSON.") from None
