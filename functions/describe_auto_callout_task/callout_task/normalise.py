"""CCC's ``DescribeAutoCalloutTask`` response -> the normalised task (SPEC "Output").

The callees are counted one at a time as they are read (``CalleeDigest``, fed by
``answer_stream`` while CCC's answer arrives) and only the requested page is kept, so a task of
385 000 callees costs a count, not 385 000 dictionaries. Fields of the wrong type or
missing upstream become ``null`` (lists ``[]``); unknown fields are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from callout_task.answer_stream import valid_unicode
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
# One callee as CCC writes it, followed by a comma: strings with neither escapes nor controls
# (so json would read each as written), a state in JSON's own spelling of a whole number.
_PLAIN_TEXT = r'"[^"\\\x00-\x1f]*"'
_CALLEE_RUN = re.compile(
    rf'(?:\{{"Callee":{_PLAIN_TEXT},"State":(?:0|[1-9][0-9]*),'
    rf'"Sessions":\[(?:{_PLAIN_TEXT}(?:,{_PLAIN_TEXT})*)?\]\}},)+'
)


class CalleeDigest:
    """What the answer needs of ``Callees``, taken one callee at a time (``answer_stream``):
    the counts per state and the page asked for, nothing else."""

    __slots__ = ("_counts", "_first", "_stop", "page", "total", "unknown")

    def __init__(self, request: TaskRequest) -> None:
        self._first = request.callee_offset
        self._stop = request.callee_offset + request.callee_limit if request.include_callees else 0
        self.start()

    def start(self) -> None:
        self._counts = dict.fromkeys(range(5), 0)
        self.page: list[Any] = []
        self.total = 0
        self.unknown = 0

    def add(self, entry: Any) -> None:
        code = entry.get("State") if isinstance(entry, dict) else None
        if code.__class__ is int and code in self._counts:  # bool is an int, but not its class
            self._counts[code] += 1
        else:
            self.unknown += 1
        if self._first <= self.total < self._stop:
            self.page.append(entry)
        self.total += 1

    def skim(self, text: str, at: int) -> int:
        # Past the page only the states count, and a run of callees in the shape CCC writes
        # them (compact, keys in its order, strings without escapes) is counted in the text:
        # with no quote inside a string, '"State":1,' can only be a callee's state.
        if self.total < self._stop:
            return at
        run = _CALLEE_RUN.match(text, at)
        if run is None:
            return at
        found = text[at : run.end()]
        callees = found.count('{"Callee":')
        counted = 0
        for code in self._counts:
            count = found.count(f'"State":{code},')
            self._counts[code] += count
            counted += count
        self.unknown += callees - counted
        self.total += callees
        return run.end()

    def summary(self) -> dict[str, int]:
        summary = {"total": self.total}
        summary.update({CALLEE_STATES[code]: count for code, count in self._counts.items()})
        summary[UNKNOWN] = self.unknown
        return summary


def normalise(response: Mapping[str, Any], request: TaskRequest) -> dict[str, Any]:
    """The normalised task from CCC's whole ``Response`` object."""
    digest = CalleeDigest(request)
    raw_callees = response.get("Callees")
    for entry in raw_callees if isinstance(raw_callees, list) else ():
        digest.add(entry)
    return normalise_digested(response, digest, request, valid_unicode)


def normalise_digested(
    response: Mapping[str, Any],
    digest: CalleeDigest,
    request: TaskRequest,
    text_of: Callable[[Any], Any],
) -> dict[str, Any]:
    """The normalised task from CCC's ``Response`` fields and the digest of its callees, whose
    page ``text_of`` makes valid text (``AnswerParser.text_of``)."""
    state_code = _integer(response.get("State"))
    offset, limit = request.callee_offset, request.callee_limit
    page = digest.page
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
        "callees": [_callee(text_of(entry)) for entry in page],
        "callee_summary": digest.summary(),
        "callee_page": {
            "offset": offset,
            "limit": limit,
            "returned": len(page),
            "next_offset": end if request.include_callees and end < digest.total else None,
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
