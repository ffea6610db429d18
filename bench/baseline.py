"""The obvious implementation to measure against: SDK typed call, pydantic models, json.dumps.

What most people would write first: validate the request with a pydantic model, call
``CccClient.DescribeAutoCalloutTask`` (the SDK builds a model object per callee), copy the answer
into pydantic output models, ``model_dump()`` and ``json.dumps`` it into a Function URL response.
It answers the same normalised JSON as the function for a well-formed task (``run.py`` checks that
once per task size) but does less: no logging, retries, deadline, rate limit or error mapping, so
the comparison is in its favour. Everything is imported up front, as such code usually is.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from typing import Any

import common
from callout_task.normalise import CALLEE_STATES, TASK_STATES
from pydantic import BaseModel, ConfigDict, Field
from tencentcloud.ccc.v20200210 import models
from tencentcloud.ccc.v20200210.ccc_client import CccClient


class TaskQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sdk_app_id: int = Field(alias="SdkAppId", ge=1, le=2**63 - 1)
    task_id: int = Field(alias="TaskId", ge=1, le=2**63 - 1)
    include_callees: bool = True
    callee_offset: int = Field(default=0, ge=0)
    callee_limit: int = Field(default=common.DEFAULT_PAGE, ge=1, le=10_000)


class Callee(BaseModel):
    callee: str | None
    state: str
    state_code: int | None
    session_ids: list[str]


class CalleeSummary(BaseModel):
    total: int
    initial: int
    answered: int
    not_answered: int
    calling: int
    waiting_retry: int
    unknown: int


class CalleePage(BaseModel):
    offset: int
    limit: int
    returned: int
    next_offset: int | None


class Task(BaseModel):
    sdk_app_id: int
    task_id: int
    name: str | None
    description: str | None
    state: str
    state_code: int | None
    not_before: str | None
    not_before_unix: int | None
    not_after: str | None
    not_after_unix: int | None
    ivr_id: int | None
    max_ring_timeout_seconds: int | None
    callers: list[str]
    callees: list[Callee]
    callee_summary: CalleeSummary
    callee_page: CalleePage
    upstream_request_id: str | None


_client: CccClient | None = None


def _iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(query: TaskQuery) -> Task:
    global _client  # noqa: PLW0603 - one client per instance, as the obvious code keeps it
    if _client is None:
        _client = common.sdk_client(os.environ["CCC_ENDPOINT"])
    request = models.DescribeAutoCalloutTaskRequest()
    request.SdkAppId = query.sdk_app_id
    request.TaskId = query.task_id
    answer = _client.DescribeAutoCalloutTask(request)
    callees = answer.Callees or []
    counts = dict.fromkeys(CALLEE_STATES.values(), 0)
    unknown = 0
    for callee in callees:
        if callee.State in CALLEE_STATES:
            counts[CALLEE_STATES[callee.State]] += 1
        else:
            unknown += 1
    start = query.callee_offset
    page = callees[start : start + query.callee_limit] if query.include_callees else []
    end = start + len(page)
    return Task(
        sdk_app_id=query.sdk_app_id,
        task_id=query.task_id,
        name=answer.Name,
        description=answer.Description,
        state=TASK_STATES.get(answer.State, "unknown"),
        state_code=answer.State,
        not_before=_iso(answer.NotBefore),
        not_before_unix=answer.NotBefore,
        not_after=_iso(answer.NotAfter),
        not_after_unix=answer.NotAfter,
        ivr_id=answer.IvrId,
        max_ring_timeout_seconds=answer.MaxRingTimeoutSecond,
        callers=answer.Callers or [],
        callees=[
            Callee(
                callee=callee.Callee,
                state=CALLEE_STATES.get(callee.State, "unknown"),
                state_code=callee.State,
                session_ids=callee.Sessions or [],
            )
            for callee in page
        ],
        callee_summary=CalleeSummary(total=len(callees), unknown=unknown, **counts),
        callee_page=CalleePage(
            offset=start,
            limit=query.callee_limit,
            returned=len(page),
            next_offset=end if query.include_callees and end < len(callees) else None,
        ),
        upstream_request_id=answer.RequestId,
    )


def main_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A Function URL event in, the four-field HTTP response out."""
    query = TaskQuery.model_validate(event.get("queryString") or {})
    task = describe(query)
    return {
        "isBase64Encoded": False,
        "statusCode": 200,
        "headers": {
            "Content-Type": "application/json; charset=utf-8",
            "X-Request-Id": str(uuid.uuid4()),
        },
        "body": json.dumps(task.model_dump(), ensure_ascii=False),
    }
