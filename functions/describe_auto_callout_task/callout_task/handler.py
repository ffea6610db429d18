"""One invocation, start to end: detect the trigger, validate, check, call CCC, answer, log.

Per task the order is: parameters (400) -> allow-list (403) -> credentials (502) -> a rate-limit
token for each attempt (429) -> CCC. Everything that goes wrong is a ``Problem``; anything else
becomes a generic 500 whose details only reach the log, for that task alone: the other tasks of
a timer run are answered as usual.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from callout_task import answer_size, assume_role, events, http, logs, problems, upstream
from callout_task.api_document import openapi_document
from callout_task.config import ConfigurationError, Settings, load_settings, unknown_variables
from callout_task.credentials import Credentials, read_credentials, what_to_fix
from callout_task.deadline import Deadline, context_request_id
from callout_task.invocation import CallReport, Invocation
from callout_task.rate_limit import Limiter
from callout_task.request import Source, TaskRequest, gather
from callout_task.shared_rate_limit import limiter_for

_instance: tuple[Settings, Limiter] | None = None
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def _new_request_id() -> str:
    """A random (version 4) UUID in its usual text form.

    Written out rather than ``uuid.uuid4()``: on Python 3.10 importing ``uuid`` pulls in
    ``platform`` and ``subprocess``, about 12 ms of every cold start.
    """
    octets = bytearray(os.urandom(16))
    octets[6] = (octets[6] & 0x0F) | 0x40  # version 4
    octets[8] = (octets[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = octets.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def forget_configuration() -> None:
    """Forget the settings and the rate limiter: the next invocation reads them afresh."""
    global _instance  # noqa: PLW0603 - per-instance state is the point
    _instance = None


def _configured() -> tuple[Settings, Limiter]:
    """Settings and the rate limiter, built once per instance (a failure is retried next time)."""
    global _instance  # noqa: PLW0603 - per-instance state is the point
    if _instance is None:
        settings = load_settings()
        logs.set_level(settings.log_level)
        unknown = unknown_variables(os.environ)
        if unknown:
            logs.emit("WARNING", f"ignored, not variables the function reads: {'; '.join(unknown)}")
        _instance = (settings, limiter_for(settings))
    return _instance


class Outcome:
    """What one task's lookup came to: the answer's body and status, and what the log needs."""

    __slots__ = ("body", "call", "detail", "retry_after", "sdk_app_id", "status", "task_id")

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.body: dict[str, Any] = {}  # the answer's, or the problem's (``failed``)
        self.sdk_app_id: int | None = None
        self.task_id: int | None = None
        self.retry_after: int | None = None
        self.detail: str | None = None
        self.call = CallReport()

    def failed(self, problem: problems.Problem, request_id: str) -> Outcome:
        self.status = problem.status
        self.body = problem.body(request_id)
        self.retry_after = problem.retry_after
        self.detail = problem.detail
        if problem.errors:  # which fields, and why: what an operator asks about a 400 first
            fields = "; ".join(f"{error['field']}: {error['message']}" for error in problem.errors)
            self.detail = f"{problem.detail} ({fields})"
        if problem.upstream_message and problem.upstream_message != problem.detail:
            self.detail = f"{problem.detail} (upstream: {problem.upstream_message})"
        return self


def main_handler(event: Any, context: Any) -> Any:
    started = time.monotonic()
    trigger = events.detect(event)
    http_call = events.HttpCall.from_event(event) if trigger in events.HTTP_TRIGGERS else None
    scf_request_id = context_request_id(context)
    # Ids given by the platform are echoed in X-Request-Id: only well-formed ones are taken.
    given = (http_call.request_id if http_call else None) or scf_request_id
    request_id = given if given and _REQUEST_ID.fullmatch(given) else _new_request_id()
    ids = {"request_id": request_id, "scf_request_id": scf_request_id, "trigger": trigger}
    try:
        settings, limiter = _configured()
        invocation = Invocation(
            settings,
            limiter,
            Deadline.for_invocation(context, settings.time_budget_seconds, started),
            trigger,
            request_id,
            scf_request_id,
            started,
            waits_for_tokens=trigger == events.TIMER,
        )
        if http_call is not None:
            return _answer_http(invocation, event, http_call)
        if trigger == events.TIMER:
            return _answer_timer(invocation, event)
        return _answer_direct(invocation, event)
    except ConfigurationError as error:
        logs.emit("ERROR", f"configuration error: {error}", **ids)
        problem: problems.Problem = problems.Misconfigured(
            "The function is misconfigured; see its log."
        )
    except Exception:  # the last line of defence: nothing escapes to the platform
        logs.emit("ERROR", "unexpected error", traceback=traceback.format_exc(), **ids)
        problem = problems.Unexpected("An unexpected error occurred.")
    outcome = Outcome().failed(problem, request_id)
    logs.emit("INFO", "invocation", **ids, **_log_fields(outcome, started))
    if http_call is not None:
        return http.response(
            problem.status, http.encode(outcome.body), request_id, content_type=http.PROBLEM_TYPE
        )
    return {"results": [_timer_entry(outcome)]} if trigger == events.TIMER else outcome.body


def _answer_direct(invocation: Invocation, event: Any) -> dict[str, Any]:
    outcome = _lookup(invocation, lambda: events.task_sources(event, "The event"))
    _log(invocation, outcome)
    return outcome.body


def _answer_http(
    invocation: Invocation, event: Mapping[str, Any], call: events.HttpCall
) -> dict[str, Any]:
    settings, request_id = invocation.settings, invocation.request_id
    cors = http.cors_headers(settings.cors_allow_origins, call.headers)
    gateway = "requestContext" in event
    wants_document = call.wants_document(gateway)
    allowed = http.DOCUMENT_METHODS if wants_document else http.ALLOWED_METHODS
    known = wants_document or call.at_lookup_path(gateway)
    if call.method == "OPTIONS" and known:
        _log(invocation, Outcome(status=204))
        return http.preflight(request_id, cors, call.headers, allowed)
    if not known:
        outcome = Outcome().failed(
            problems.NotFound(
                "Nothing is served at this path: the task lookup answers at the function's "
                "root, its OpenAPI document at /openapi.json."
            ),
            request_id,
        )
    elif call.method == "GET" and wants_document:
        document = openapi_document()
        if document is not None:
            _log(invocation, Outcome(status=200))
            return http.response(200, document, request_id, extra=cors)
        outcome = Outcome().failed(
            problems.NotFound("This deployment carries no OpenAPI document."), request_id
        )
    elif call.method not in allowed.split(", "):
        outcome = Outcome().failed(
            problems.MethodNotAllowed(
                f"Method {call.method or '(none)'} is not allowed here; use {allowed}."
            ),
            request_id,
        )
        cors = {**cors, "Allow": allowed}
    else:
        outcome = _lookup(invocation, lambda: events.http_sources(event))
    extra = dict(cors)
    if outcome.retry_after is not None:
        extra["Retry-After"] = str(outcome.retry_after)
    content_type = http.PROBLEM_TYPE if outcome.status >= 400 else http.JSON_TYPE
    body = http.encode(outcome.body)
    answer = http.response(outcome.status, body, request_id, content_type=content_type, extra=extra)
    _log(invocation, outcome)
    return answer


def _answer_timer(invocation: Invocation, event: Mapping[str, Any]) -> dict[str, Any]:
    try:
        if '"watch"' in str(event.get("Message")):
            # Only a watching timer loads the watch's modules: plain lookups stay off that path.
            from callout_task.watch_tick import answer_watch

            answer = answer_watch(invocation, event, _lookup, _log, _timer_entry)
            if answer is not None:
                return answer
        entries = events.timer_tasks(event)
    except problems.Problem as problem:
        logs.emit(
            "ERROR",
            f"timer trigger {str(event.get('TriggerName', ''))!r} misconfigured: {problem.detail}",
            **_ids(invocation),
        )
        outcome = Outcome().failed(problem, invocation.request_id)
        _log(invocation, outcome)
        return {"results": [_timer_entry(outcome)]}
    results = []
    used = 0  # bytes of the run's answer so far: all of it stays under SCF's 6 MB
    for position, entry in enumerate(entries):

        def sources(entry: Any = entry, position: int = position) -> list[Source]:
            return events.task_sources(entry, f"Task {position} of the timer's Message")

        # Each task may take an even share of what is left, so that one large task leaves the
        # others room; what it does not use goes to those after it.
        share = (answer_size.TIMER_BUDGET - used) // (len(entries) - position)
        outcome = _lookup(invocation, sources, share)
        _log(invocation, outcome)  # at once: a run cut short still leaves its tasks' lines
        results.append(_timer_entry(outcome))
        used += answer_size.cost(results[-1]) + 1
    return {"results": results}


def _timer_entry(outcome: Outcome) -> dict[str, Any]:
    """A timer's result: the task, or its problem named by the task's ids (null where the entry
    gave none readably), so that an entry tells which task failed without its position."""
    if outcome.status < 400:
        return outcome.body
    return {"sdk_app_id": outcome.sdk_app_id, "task_id": outcome.task_id, **outcome.body}


def _lookup(
    invocation: Invocation,
    sources: Callable[[], list[Source]],
    budget: int = answer_size.ANSWER_BUDGET,
) -> Outcome:
    """One task, isolated: every failure on the way becomes this task's outcome, and only its."""
    outcome = Outcome()
    try:
        request = gather(sources())
        outcome.sdk_app_id, outcome.task_id = request.sdk_app_id, request.task_id
        allowed = invocation.settings.allowed_sdk_app_ids
        if allowed and request.sdk_app_id not in allowed:
            raise problems.Forbidden(
                f"SdkAppId {request.sdk_app_id} is not one this function may read."
            )
        body = _describe(invocation, read_credentials(), request, outcome.call)
        outcome.body, outcome.detail = answer_size.fit(body, budget)
    except problems.Problem as problem:
        _log_misconfiguration(invocation, problem)
        outcome.failed(problem, invocation.request_id)
        if outcome.sdk_app_id is None and outcome.task_id is None:  # refused, ids still read
            outcome.sdk_app_id, outcome.task_id = problem.sdk_app_id, problem.task_id
    except Exception:  # this task's failure, not the run's
        logs.emit(
            "ERROR",
            "unexpected error",
            traceback=traceback.format_exc(),
            sdk_app_id=outcome.sdk_app_id,
            task_id=outcome.task_id,
            **_ids(invocation),
        )
        outcome.failed(problems.Unexpected("An unexpected error occurred."), invocation.request_id)
    return outcome


def _describe(
    invocation: Invocation, credentials: Credentials, request: TaskRequest, report: CallReport
) -> dict[str, Any]:
    """CCC's answer, normalised, with the function's own credentials or, given CCC_ROLE_ARN,
    the role's."""

    def lookup(signer: Credentials) -> dict[str, Any]:
        return upstream.describe_task(signer, invocation, request, report)

    role = invocation.settings.ccc_role_arn
    if not role:
        return lookup(credentials)
    try:
        return lookup(assume_role.role_credentials(credentials, role, invocation, report))
    except problems.UpstreamProblem as problem:
        if problem.upstream_code != "AuthFailure.TokenFailure":
            raise
    # CCC refused the role's token (revoked, or expired early): assume the role afresh, once.
    assume_role.forget(role, credentials)
    return lookup(assume_role.role_credentials(credentials, role, invocation, report))


def _log_misconfiguration(invocation: Invocation, problem: problems.Problem) -> None:
    """Faults only an operator can fix get an ERROR line of their own, saying what to fix."""
    what = what_to_fix(problem, invocation.settings.ccc_role_arn)
    if what is None:
        return
    logs.emit(
        "ERROR",
        f"misconfiguration: {what}",
        upstream_code=problem.upstream_code,
        upstream_request_id=problem.upstream_request_id,
        detail=problem.upstream_message or problem.detail,
        **_ids(invocation),
    )


def _ids(invocation: Invocation) -> dict[str, Any]:
    return {
        "request_id": invocation.request_id,
        "scf_request_id": invocation.scf_request_id,
        "trigger": invocation.trigger,
    }


def _log_fields(outcome: Outcome, started: float) -> dict[str, Any]:
    return {
        "sdk_app_id": outcome.sdk_app_id,
        "task_id": outcome.task_id,
        "status": outcome.status,
        "upstream_code": outcome.call.upstream_code,
        "upstream_request_id": outcome.call.upstream_request_id,
        "attempts": outcome.call.attempts,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
        "detail": outcome.detail,
        **_task_fields(outcome),
    }


def _task_fields(outcome: Outcome) -> dict[str, Any]:
    """A successful lookup's state and callee counts, for charts in CLS (null otherwise)."""
    if outcome.status >= 400 or "state" not in outcome.body:
        return {}
    summary = outcome.body.get("callee_summary") or {}
    counts = {
        field: summary.get(field.removeprefix("callees_")) for field in logs.CALLEE_COUNT_FIELDS
    }
    return {
        "task_state": outcome.body.get("state"),
        "task_state_code": outcome.body.get("state_code"),
        **counts,
    }


def _log(invocation: Invocation, outcome: Outcome) -> None:
    """The ``invocation`` line of one lookup (see ``logs``: one schema whatever the trigger)."""
    logs.emit("INFO", "invocation", **_ids(invocation), **_log_fields(outcome, invocation.started))
