"""One invocation, start to end: detect the trigger, validate, check, call CCC, answer, log.

Per request the order is: parameters (400) -> allow-list (403) -> local rate limit (429) ->
credentials (502) -> CCC. Everything that goes wrong is a ``Problem``; anything else becomes a
generic 500 whose details only reach the log.
"""

from __future__ import annotations

import contextlib
import gc
import re
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from callout_task import assume_role, events, http, logs, problems, upstream
from callout_task.api_document import openapi_document
from callout_task.config import ConfigurationError, Settings, load_settings
from callout_task.credentials import HOW_TO_CONFIGURE, Credentials, read_credentials
from callout_task.deadline import Deadline, context_request_id
from callout_task.normalise import normalise
from callout_task.rate_limit import TokenBucket, retry_after_seconds
from callout_task.request import TaskRequest, gather

_instance: tuple[Settings, TokenBucket] | None = None
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def _configured() -> tuple[Settings, TokenBucket]:
    """Settings and the rate limiter, built once per instance (a failure is retried next time)."""
    global _instance  # noqa: PLW0603 - per-instance state is the point
    if _instance is None:
        settings = load_settings()
        logs.set_level(settings.log_level)
        _instance = (settings, TokenBucket(settings.rate_limit_qps, settings.rate_limit_burst))
    return _instance


class Outcome:
    """What one task's lookup came to, for the answer and the log line."""

    __slots__ = ("body", "call", "detail", "retry_after", "sdk_app_id", "status", "task_id")

    def __init__(self, status: int = 200, body: dict[str, Any] | None = None) -> None:
        self.status = status
        self.body: dict[str, Any] = {} if body is None else body
        self.sdk_app_id: int | None = None
        self.task_id: int | None = None
        self.retry_after: int | None = None
        self.detail: str | None = None
        self.call = upstream.CallReport()

    def log_fields(self) -> dict[str, Any]:
        return {
            "sdk_app_id": self.sdk_app_id,
            "task_id": self.task_id,
            "status": self.status,
            "upstream_code": self.call.upstream_code,
            "upstream_request_id": self.call.upstream_request_id,
            "attempts": self.call.attempts,
            "detail": self.detail,
        }


def main_handler(event: Any, context: Any) -> Any:
    started = time.monotonic()
    trigger = events.detect(event)
    http_call = events.HttpCall.from_event(event) if trigger in events.HTTP_TRIGGERS else None
    # Ids given by the platform are echoed in X-Request-Id: only well-formed ones are taken.
    given = (http_call.request_id if http_call else None) or context_request_id(context)
    request_id = given if given and _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
    outcomes: list[Outcome] = []
    try:
        settings, bucket = _configured()
        deadline = Deadline.for_invocation(context, settings.time_budget_seconds, started)
        if http_call is not None:
            answer = _answer_http(
                event, http_call, settings, bucket, deadline, request_id, outcomes
            )
        elif trigger == events.TIMER:
            answer = _answer_timer(event, settings, bucket, deadline, request_id, outcomes)
        else:
            outcome = _lookup(
                lambda: events.task_sources(event, "The event"),
                settings,
                bucket,
                deadline,
                request_id,
            )
            outcomes.append(outcome)
            answer = outcome.body
    except ConfigurationError as error:
        logs.emit("ERROR", f"configuration error: {error}", request_id=request_id)
        answer = _failure(
            problems.Misconfigured("The function is misconfigured; see its log."),
            http_call,
            trigger,
            request_id,
            outcomes,
        )
    except Exception:  # the last line of defence: nothing escapes to the platform
        logs.emit(
            "ERROR", "unexpected error", request_id=request_id, traceback=traceback.format_exc()
        )
        answer = _failure(
            problems.Unexpected("An unexpected error occurred."),
            http_call,
            trigger,
            request_id,
            outcomes,
        )
    _log_invocation(request_id, trigger, outcomes, started)
    return answer


def _failure(
    problem: problems.Problem,
    http_call: events.HttpCall | None,
    trigger: str,
    request_id: str,
    outcomes: list[Outcome],
) -> Any:
    body = problem.body(request_id)
    outcomes[:] = [Outcome(status=problem.status, body=body)]
    if http_call is not None:
        return http.response(
            problem.status, http.encode(body), request_id, content_type=http.PROBLEM_TYPE
        )
    return {"results": [body]} if trigger == events.TIMER else body


def _answer_http(
    event: Mapping[str, Any],
    call: events.HttpCall,
    settings: Settings,
    bucket: TokenBucket,
    deadline: Deadline,
    request_id: str,
    outcomes: list[Outcome],
) -> dict[str, Any]:
    cors = http.cors_headers(settings.cors_allow_origins, call.headers)
    wants_document = call.path.rstrip("/").endswith("/openapi.json")
    allowed = http.DOCUMENT_METHODS if wants_document else http.ALLOWED_METHODS
    known = wants_document or call.at_lookup_path(gateway="requestContext" in event)
    if call.method == "OPTIONS" and known:
        outcomes.append(Outcome(status=204))
        return http.preflight(request_id, cors, call.headers, allowed)
    if not known:
        outcome = _problem_outcome(
            problems.NotFound(
                "Nothing is served at this path: the task lookup answers at the function's "
                "root, its OpenAPI document at /openapi.json."
            ),
            request_id,
        )
    elif call.method == "GET" and wants_document:
        document = openapi_document()
        if document is not None:
            outcomes.append(Outcome(status=200))
            return http.response(200, document, request_id, extra=cors)
        outcome = _problem_outcome(
            problems.NotFound("This deployment carries no OpenAPI document."), request_id
        )
    elif call.method not in allowed.split(", "):
        outcome = _problem_outcome(
            problems.MethodNotAllowed(
                f"Method {call.method or '(none)'} is not allowed here; use {allowed}."
            ),
            request_id,
        )
        cors = {**cors, "Allow": allowed}
    else:
        outcome = _lookup(
            lambda: events.http_sources(event), settings, bucket, deadline, request_id
        )
    outcomes.append(outcome)
    extra = dict(cors)
    if outcome.retry_after is not None:
        extra["Retry-After"] = str(outcome.retry_after)
    content_type = http.PROBLEM_TYPE if outcome.status >= 400 else http.JSON_TYPE
    return http.response(
        outcome.status,
        http.encode(outcome.body),
        request_id,
        content_type=content_type,
        extra=extra,
    )


def _answer_timer(
    event: Mapping[str, Any],
    settings: Settings,
    bucket: TokenBucket,
    deadline: Deadline,
    request_id: str,
    outcomes: list[Outcome],
) -> dict[str, Any]:
    try:
        entries = events.timer_tasks(event)
    except problems.Problem as problem:
        logs.emit(
            "ERROR",
            f"timer trigger misconfigured: {problem.detail}",
            request_id=request_id,
            trigger_name=str(event.get("TriggerName", "")),
        )
        outcomes.append(_problem_outcome(problem, request_id))
        return {"results": [outcomes[-1].body]}
    for position, entry in enumerate(entries):
        outcomes.append(
            _lookup(
                lambda entry=entry, position=position: events.task_sources(
                    entry, f"Task {position} of the timer's Message"
                ),
                settings,
                bucket,
                deadline,
                request_id,
            )
        )
    return {"results": [outcome.body for outcome in outcomes]}


def _problem_outcome(
    problem: problems.Problem, request_id: str, outcome: Outcome | None = None
) -> Outcome:
    outcome = outcome or Outcome()
    outcome.status = problem.status
    outcome.body = problem.body(request_id)
    outcome.retry_after = problem.retry_after
    outcome.detail = problem.detail
    if problem.upstream_message and problem.upstream_message != problem.detail:
        outcome.detail = f"{problem.detail} (CCC: {problem.upstream_message})"
    return outcome


def _lookup(
    sources: Any, settings: Settings, bucket: TokenBucket, deadline: Deadline, request_id: str
) -> Outcome:
    """One task: every failure on the way becomes the outcome's problem."""
    outcome = Outcome()
    try:
        request: TaskRequest = gather(sources())
        outcome.sdk_app_id, outcome.task_id = request.sdk_app_id, request.task_id
        if settings.allowed_sdk_app_ids and request.sdk_app_id not in settings.allowed_sdk_app_ids:
            raise problems.Forbidden(
                f"SdkAppId {request.sdk_app_id} is not one this function may read."
            )
        wait = bucket.take()
        if wait:
            raise problems.RateLimited(
                "This function's rate limit was reached; retry after the indicated time.",
                retry_after=retry_after_seconds(wait),
            )
        try:
            credentials = read_credentials()
        except problems.CredentialsMissing:
            logs.emit(
                "ERROR",
                f"misconfiguration: no credentials; {HOW_TO_CONFIGURE}",
                request_id=request_id,
            )
            raise
        with _collector_paused():
            response = _describe(credentials, settings, request, deadline, outcome)
            outcome.body = normalise(response, request)
    except problems.Problem as problem:
        if isinstance(problem, problems.UpstreamAuthFailure):
            logs.emit(
                "ERROR",
                f"misconfiguration: CCC or STS rejected the credentials; {HOW_TO_CONFIGURE}",
                request_id=request_id,
                upstream_code=problem.upstream_code,
            )
        _problem_outcome(problem, request_id, outcome)
    return outcome


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a task is parsed and normalised.

    A task of 100 000 callees is some 300 000 new containers, none of them garbage; the collector
    would scan them again and again as they pile up (a third of the time at that size). Nothing
    here builds reference cycles, so reference counting frees it all as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _describe(
    credentials: Credentials,
    settings: Settings,
    request: TaskRequest,
    deadline: Deadline,
    outcome: Outcome,
) -> dict[str, Any]:
    """CCC's answer, with the function's own credentials or, given CCC_ROLE_ARN, the role's."""
    role = settings.ccc_role_arn
    for refreshed in (False, True):
        signer = (
            assume_role.role_credentials(
                credentials,
                role,
                settings.ccc_region,
                deadline,
                settings.retry_max_attempts,
                outcome.call,
            )
            if role
            else credentials
        )
        try:
            return upstream.describe_task(
                signer,
                settings.ccc_region,
                settings.ccc_endpoint,
                request.sdk_app_id,
                request.task_id,
                deadline,
                settings.retry_max_attempts,
                outcome.call,
            )
        except problems.UpstreamProblem as problem:
            # Role credentials whose token CCC refuses are assumed afresh, once.
            if not role or refreshed or problem.upstream_code != "AuthFailure.TokenFailure":
                raise
            assume_role.forget(role, credentials)
    raise AssertionError("unreachable")  # pragma: no cover


def _log_invocation(request_id: str, trigger: str, outcomes: list[Outcome], started: float) -> None:
    fields: dict[str, Any] = {"request_id": request_id, "trigger": trigger}
    if len(outcomes) == 1:
        fields.update(outcomes[0].log_fields())
    else:
        fields["status"] = max((o.status for o in outcomes), default=200)
        fields["results"] = [o.log_fields() for o in outcomes]
        fields["attempts"] = sum(o.call.attempts for o in outcomes)
    fields["latency_ms"] = round((time.monotonic() - started) * 1000, 1)
    logs.emit("INFO", "invocation", **fields)
