"""The function's contract as pydantic models: the request it validates, the answers it gives.

``TaskRequestModel`` is the source of the request's validation: its pydantic-core schema is
written into the function as ``callout_task/request_schema.py`` (``python -m autocallout.openapi``),
which the function compiles with pydantic-core alone. ``normalise`` and ``problems`` build plain
dictionaries on the hot path; the answer models describe them for the OpenAPI document and the
JSON Schema, and for the tests that hold the two together. Nothing here is deployed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from callout_task.request import DEFAULT_CALLEE_LIMIT, MAX_CALLEE_LIMIT, MAX_ID
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema


class TaskRequestModel(BaseModel):
    """Which task to describe, and which page of its callees to return."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, title="TaskRequest")

    sdk_app_id: Annotated[
        int,
        Field(ge=1, le=MAX_ID, description="CCC application id (SdkAppId)", examples=[1400000000]),
    ]
    task_id: Annotated[
        int, Field(ge=1, le=MAX_ID, description="Auto-callout task id (TaskId)", examples=[3])
    ]
    include_callees: Annotated[
        bool, Field(description="Return the page of callees (the summary is always returned)")
    ] = True
    callee_offset: Annotated[
        int, Field(ge=0, le=MAX_ID, description="Index of the first callee to return")
    ] = 0
    callee_limit: Annotated[
        int, Field(ge=1, le=MAX_CALLEE_LIMIT, description="Most callees to return")
    ] = DEFAULT_CALLEE_LIMIT


def decimal_pattern(maximum: int) -> str:
    """A regular expression (anchored, ECMA-262 and Python alike) matching exactly the canonical
    decimal writings of 1 ... ``maximum``: digits only, no leading zero."""
    top = str(maximum)
    width = len(top)
    options = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for position, digit in enumerate(top):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:  # the digits of `top` up to here, then a smaller one
            rest = width - position - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            options.append(f"{top[:position]}[{lowest}-{int(digit) - 1}]{tail}")
    options.append(top)
    return "^(?:" + "|".join(options) + ")$"


ID_TEXT_PATTERN = decimal_pattern(MAX_ID)


def id_in_json(schema: dict[str, Any]) -> dict[str, Any]:
    """An id's schema in a JSON body: the whole number, or the string of its canonical digits.

    Accepted because low-code tools template strings (and infra's timer_tasks writes
    ``sdk_app_id`` as one), and an id past 2^53 is exact in JavaScript only as a string;
    ``"03"``, ``" 3"`` and ``"+3"`` stay refused, as anything but one writing of the number.
    """
    number = {key: value for key, value in schema.items() if key != "description"}
    text = {
        "type": "string",
        "pattern": ID_TEXT_PATTERN,
        "description": "The same id as a string of its digits, without leading zeros",
    }
    return {"description": schema.get("description", ""), "anyOf": [number, text]}


def _plain(node: Any) -> Any:
    """A core schema without what only the model class needs (class, refs, JSON-schema hooks)."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items() if k not in ("cls", "ref", "metadata")}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


def request_core_schema() -> dict[str, Any]:
    """TaskRequestModel's validation as a typed-dict core schema of plain data.

    Field by field, the model's own pydantic-core schemas (types, bounds, defaults, strictness):
    the function validates into a dict with exactly the model's rules.
    """
    model = TaskRequestModel.__pydantic_core_schema__
    if model["type"] != "model" or model["schema"]["type"] != "model-fields":
        raise TypeError("TaskRequestModel's core schema is not a plain model any more")
    fields = {
        name: {
            "type": "typed-dict-field",
            "schema": _plain(field["schema"]),
            "required": field["schema"]["type"] != "default",
        }
        for name, field in model["schema"]["fields"].items()
    }
    return {
        "type": "typed-dict",
        "fields": fields,
        "extra_behavior": "ignore",
        "config": {"strict": True, "extra_fields_behavior": "ignore"},
    }


TaskState = Literal["initial", "running", "completed", "ending", "terminated", "paused", "unknown"]
CalleeState = Literal["initial", "answered", "not_answered", "calling", "waiting_retry", "unknown"]
Count = Annotated[int, Field(ge=0)]
UtcTime = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")]


def _absent_when_unused(schema: JsonDict) -> None:
    schema.pop("default", None)  # the key is left out, not sent as null


def _optional(description: str) -> Any:
    """A key that is present only when it applies: absent, never null."""
    return Field(default=None, description=description, json_schema_extra=_absent_when_unused)


class _Answer(BaseModel):
    # Strict and closed: a key the function starts to send without a line here fails the tests.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Callee(_Answer):
    """One callee of the task, in the requested page."""

    callee: str | None = Field(description="The number called (null when CCC gave none)")
    state: CalleeState = Field(description="The callee's state; `unknown` for codes not listed")
    state_code: int | None = Field(description="CCC's state code, kept as given")
    session_ids: list[str] = Field(description="CCC session ids of the calls to this callee")


class CalleeSummary(_Answer):
    """Counts over every callee of the task, whatever page was asked for."""

    total: Count
    initial: Count
    answered: Count
    not_answered: Count
    calling: Count
    waiting_retry: Count
    unknown: Count


class CalleePage(_Answer):
    """Which slice of the callees ``callees`` holds; follow ``next_offset`` for the next one."""

    offset: Count
    limit: Annotated[int, Field(ge=1)]
    returned: Count
    next_offset: Count | None = Field(description="Offset of the next page; null on the last")


class Task(_Answer):
    """A CCC auto-callout task, normalised (SPEC "Output"). Missing upstream values are null."""

    model_config = ConfigDict(title="Task")

    sdk_app_id: Annotated[int, Field(ge=1, description="CCC application id (SdkAppId)")]
    task_id: Annotated[int, Field(ge=1, description="Auto-callout task id (TaskId)")]
    name: str | None
    description: str | None
    state: TaskState = Field(description="The task's state; `unknown` for codes not listed")
    state_code: int | None = Field(description="CCC's state code, kept as given")
    not_before: UtcTime | None = Field(description="Start time, UTC, `YYYY-MM-DDThh:mm:ssZ`")
    not_before_unix: int | None = Field(description="Start time, Unix seconds")
    not_after: UtcTime | None = Field(description="End time, UTC, `YYYY-MM-DDThh:mm:ssZ`")
    not_after_unix: int | None = Field(description="End time, Unix seconds")
    ivr_id: int | None
    max_ring_timeout_seconds: int | None
    callers: list[str] = Field(description="Calling numbers of the task")
    callees: list[Callee] = Field(description="The requested page of callees")
    callee_summary: CalleeSummary
    callee_page: CalleePage
    upstream_request_id: str | None = Field(description="CCC's RequestId, for support tickets")


class FieldError(_Answer):
    """One invalid parameter, named as the caller spelled it."""

    field: str
    message: str


class Problem(_Answer):
    """An RFC 9457 problem: what went wrong, never a stack trace or a secret."""

    model_config = ConfigDict(title="Problem")

    type: Annotated[str, Field(pattern=r"^urn:autocallout:problem:[a-z-]+$")]
    title: str
    status: Annotated[int, Field(ge=400, le=599)]
    detail: str
    request_id: str = Field(description="The invocation's request id (also `X-Request-Id`)")
    # SkipJsonSchema keeps null out of the published schema; the default lets the model read a
    # body without the key.
    upstream_code: str | SkipJsonSchema[None] = _optional(
        "The error code the upstream service answered (CCC; STS when the function assumes "
        "CCC_ROLE_ARN), when one did"
    )
    upstream_request_id: str | SkipJsonSchema[None] = _optional(
        "The upstream service's RequestId (CCC; STS when the function assumes CCC_ROLE_ARN), "
        "for support tickets"
    )
    errors: Annotated[list[FieldError], Field(min_length=1)] | SkipJsonSchema[None] = _optional(
        "Each invalid parameter (400 only)"
    )
    retry_after: Annotated[int, Field(ge=0)] | SkipJsonSchema[None] = _optional(
        "Seconds to wait before retrying (429; also `Retry-After`)"
    )


class TimerProblem(Problem):
    """A timer's entry for a task that failed: the problem, named by the task's ids."""

    model_config = ConfigDict(title="TimerProblem")

    sdk_app_id: Annotated[int, Field(ge=1)] | None = Field(
        description="The task's SdkAppId; null when its entry gave none that could be read"
    )
    task_id: Annotated[int, Field(ge=1)] | None = Field(
        description="The task's TaskId; null when its entry gave none that could be read"
    )


class TimerResults(_Answer):
    """What a timer invocation returns: one entry per task of its ``Message``, in order."""

    model_config = ConfigDict(title="TimerResults")

    results: list[Task | TimerProblem] = Field(min_length=1)
