"""``autocallout events``: realistic SCF events for a task, ready for ``autocallout invoke``."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from autocallout.local_server import build_event, query_values

SHAPES = ("apigw", "function-url", "timer", "direct")


def task_parameters(
    sdk_app_id: int,
    task_id: int,
    include_callees: bool | None = None,
    callee_offset: int | None = None,
    callee_limit: int | None = None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"SdkAppId": sdk_app_id, "TaskId": task_id}
    optional = {
        "include_callees": include_callees,
        "callee_offset": callee_offset,
        "callee_limit": callee_limit,
    }
    params.update({name: value for name, value in optional.items() if value is not None})
    return params


def make_event(
    shape: str, tasks: list[dict[str, Any]], method: str = "GET", base64_body: bool = False
) -> dict[str, Any]:
    if shape == "direct":
        return tasks[0]
    if shape == "timer":
        message = tasks[0] if len(tasks) == 1 else tasks
        return {
            "Type": "Timer",
            "TriggerName": "poll-auto-callout-tasks",
            "Time": "2026-11-24T08:00:00Z",
            "Message": json.dumps(message),
        }
    params = tasks[0]
    headers = {
        "accept": "application/json",
        "user-agent": "curl/8.5.0",
        "host": "localhost" if shape == "function-url" else "service-local.apigw",
    }
    body = b""
    target = "/"
    if method == "GET":
        target = "/?" + urlencode(
            {k: json.dumps(v) if isinstance(v, bool) else v for k, v in params.items()}
        )
    else:
        body = json.dumps(params).encode()
        headers["content-type"] = "application/json"
    event = build_event(shape, method, target, headers, body, "203.0.113.10")
    if shape == "apigw":
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        event["queryStringParameters"] = query_values(target.partition("?")[2])
    if base64_body and body:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    return event
