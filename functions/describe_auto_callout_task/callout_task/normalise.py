"""CCC's ``DescribeAutoCalloutTask`` response -> the normalised task (SPEC "Output").

One pass over the callees counts them all; only the requested page is turned into objects, so a
task of 100 000 callees costs a count, not 100 000 dictionaries. Fields of the wrong type or
missing upstream become ``null`` (lists ``[]``); unknown fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from callout_task.request import TaskRequest

TASK_STATES = {
    0: "initial",
    1: "running",
    2: "completed",
    3: "ending",
    4: "terminated",
    5: "paused",
}
CALLEE_STATES = {0: "initial", 1: "answered", 2: "not_answered", 3: "calling", 4: "waiting_retry"}
UNKNOWN = "unknown"


def normalise(response: Mapping[str, Any], request: TaskRequest) -> dict[str, Any]:
    state_code = _integer(response.get("State"))
    raw_callees = response.get("Callees")
    callees: list[Any] = raw_callees if isinstance(raw_callees, list) else []
    offset, limit = request.callee_offset, request.callee_limit
    page = callees[offset : offset + limit] if request.include_callees else []
    end = offset + len(page)
    return {
        "sdk_app_id": request.sdk_app_id,
        "task_id": request.task_id,
        "name": _text(response.get("Name")),
        "description": _text(response.get("Description")),
        "state": TASK_STATES.get(state_code, UNKNOWN) if state_code is not None else UNKNOWN,
        "state_code": state_code,
        **_time("not_before", response.get("NotBefore")),
        **_time("not_after", response.get("NotAfter")),
        "ivr_id": _integer(response.get("IvrId")),
        "max_ring_timeout_seconds": _integer(response.get("MaxRingTimeoutSecond")),
        "callers": _texts(response.get("Callers")),
        "callees": [_callee(entry) for entry in page],
        "callee_summary": _summary(callees),
        "callee_page": {
            "offset": offset,
            "limit": limit,
            "returned": len(page),
            "next_offset": end if request.include_callees and end < len(callees) else None,
        },
        "upstream_request_id": _text(response.get("RequestId")),
    }


def _callee(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        entry = {}
    code = _integer(entry.get("State"))
    return {
        "callee": _text(entry.get("Callee")),
        "state": CALLEE_STATES.get(code, UNKNOWN) if code is not None else UNKNOWN,
        "state_code": code,
        "session_ids": _texts(entry.get("Sessions")),
    }


def _summary(callees: list[Any]) -> dict[str, int]:
    counts = dict.fromkeys(range(5), 0)
    unknown = 0
    for entry in callees:
        code = entry.get("State") if isinstance(entry, dict) else None
        if code.__class__ is int and code in counts:
            counts[code] += 1
        else:
            unknown += 1
    summary = {"total": len(callees)}
    summary.update({CALLEE_STATES[code]: count for code, count in counts.items()})
    summary[UNKNOWN] = unknown
    return summary


def _integer(value: Any) -> int | None:
    return value if value.__class__ is int else None  # bool is an int subclass: not accepted


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _time(name: str, value: Any) -> dict[str, Any]:
    seconds = _integer(value)
    if seconds is None:
        return {name: None, f"{name}_unix": None}
    try:
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return {name: None, f"{name}_unix": seconds}
    # isoformat pads the year to four digits, which strftime's %Y does not do on every platform.
    return {name: moment.isoformat().replace("+00:00", "Z"), f"{name}_unix": seconds}
