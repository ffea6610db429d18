"""What a watch tells: one task's latest lookup compared with what was last seen of it.

Pure: no I/O, no clock but the one passed in. Every event has one shape, Standard Webhooks'
payload convention (``type``, ``timestamp``, ``data``) plus a stable ``id``::

    {"id": "evt_…", "type": "task.state.changed", "timestamp": "2026-12-06T01:00:00Z",
     "data": {"watch", "sdk_app_id", "task_id", "name", "before", "after", "summary", "detail"}}

``before`` and ``after`` are snapshots (``state``, ``state_code``, ``progress_percent``,
``lookup_status``); ``before`` is null the first time a watch sees a task. The id is a hash of
the watch, the task, the event's ordinal for that task and the change itself, so an event kept
pending and sent again carries the same id every time, and receivers can drop duplicates.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

STATE_CHANGED = "task.state.changed"
PROGRESS = "task.progress"
LOOKUP_FAILED = "task.lookup.failed"
LOOKUP_RECOVERED = "task.lookup.recovered"
EVENT_TYPES = (STATE_CHANGED, PROGRESS, LOOKUP_FAILED, LOOKUP_RECOVERED)
# What a watch's "events" list may name, and the event types each one turns on.
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "state": (STATE_CHANGED,),
    "progress": (PROGRESS,),
    "lookup": (LOOKUP_FAILED, LOOKUP_RECOVERED),
}
FINAL_CALLEE_STATES = ("answered", "not_answered")


class Rules(NamedTuple):
    """What one watch tells (its configuration, as far as detection goes)."""

    watch: str = "watch"
    kinds: frozenset[str] = frozenset(EVENT_KINDS)
    progress_step: int = 25  # percent of callees in a final state
    failing_after: int = 2  # consecutive failed lookups before "task.lookup.failed"


class Observation(NamedTuple):
    """One lookup of one task, as the watch needs it."""

    sdk_app_id: int
    task_id: int
    status: int  # 200, or the problem's status
    name: str | None = None
    state: str | None = None
    state_code: int | None = None
    summary: Mapping[str, int] | None = None
    detail: str | None = None  # the problem's detail for a failed lookup

    @classmethod
    def of(cls, sdk_app_id: int, task_id: int, status: int, body: Mapping[str, Any]) -> Observation:
        if status >= 400:
            detail = body.get("detail")
            return cls(sdk_app_id, task_id, status, detail=str(detail) if detail else None)
        summary = body.get("callee_summary")
        return cls(
            sdk_app_id,
            task_id,
            status,
            name=body.get("name"),
            state=body.get("state"),
            state_code=body.get("state_code"),
            summary=dict(summary) if isinstance(summary, Mapping) else None,
        )


def progress_percent(summary: Mapping[str, int] | None) -> int | None:
    """Whole percent of callees in a final state (answered or not answered); None without any."""
    if not summary or not summary.get("total"):
        return None
    done = sum(int(summary.get(state, 0)) for state in FINAL_CALLEE_STATES)
    return done * 100 // int(summary["total"])


def _stepped(percent: int | None, step: int) -> int | None:
    return None if percent is None else percent // step * step


def _snapshot(seen: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if seen is None:
        return None
    return {
        "state": seen.get("state"),
        "state_code": seen.get("state_code"),
        "progress_percent": seen.get("progress_percent"),
        "lookup_status": seen.get("lookup_status"),
    }


def event_id(rules: Rules, observation: Observation, ordinal: int, kind: str, change: str) -> str:
    text = "\n".join(
        (rules.watch, str(observation.sdk_app_id), str(observation.task_id), str(ordinal), kind)
    )
    digest = hashlib.sha256(f"{text}\n{change}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


def utc_text(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


class Detection(NamedTuple):
    events: list[dict[str, Any]]
    seen: dict[str, Any]  # the new baseline: what the next tick compares with
    ordinal: int  # events made so far for this task (the next event's ordinal)


def detect(
    rules: Rules,
    seen: Mapping[str, Any] | None,
    ordinal: int,
    observation: Observation,
    now: float,
) -> Detection:
    """The events between ``seen`` (None: never seen) and ``observation``, and the new baseline.

    - a failed lookup counts towards ``failing_after``; reaching it is ``task.lookup.failed``,
      the next good lookup after that ``task.lookup.recovered``;
    - a good lookup whose state code differs from the last seen (or a first one) is
      ``task.state.changed``, whatever the code (unknown codes included);
    - a good lookup whose progress passed one or more steps since the last one is
      ``task.progress`` (one event however many steps it passed; never on first sight).
    """
    events: list[dict[str, Any]] = []
    before = _snapshot(seen)
    new: dict[str, Any] = dict(seen) if seen is not None else {}
    failures = int(new.get("failures", 0))
    failing = bool(new.get("failing", False))

    def tell(kind: str, after: dict[str, Any] | None, detail: str | None = None) -> None:
        nonlocal ordinal
        after_snapshot = _snapshot(after)
        if kind in _enabled(rules):
            change = json.dumps([before, after_snapshot], sort_keys=True)
            events.append(
                {
                    "id": event_id(rules, observation, ordinal, kind, change),
                    "type": kind,
                    "timestamp": utc_text(now),
                    "data": {
                        "watch": rules.watch,
                        "sdk_app_id": observation.sdk_app_id,
                        "task_id": observation.task_id,
                        "name": new.get("name"),
                        "before": before,
                        "after": after_snapshot,
                        "summary": dict(observation.summary) if observation.summary else None,
                        "detail": detail,
                    },
                }
            )
            ordinal += 1

    if observation.status >= 400:
        failures += 1
        new.update(failures=failures, lookup_status=observation.status)
        if not failing and failures >= rules.failing_after:
            new["failing"] = True
            tell(LOOKUP_FAILED, new, observation.detail)
        return Detection(events, new, ordinal)

    percent = progress_percent(observation.summary)
    new.update(
        failures=0,
        failing=False,
        lookup_status=observation.status,
        name=observation.name,
        state=observation.state,
        state_code=observation.state_code,
        progress_percent=_stepped(percent, rules.progress_step),
    )
    if failing:
        tell(LOOKUP_RECOVERED, new)
    if seen is None or "state" not in seen or seen.get("state_code") != observation.state_code:
        tell(STATE_CHANGED, new)
    else:
        last, step = seen.get("progress_percent"), new["progress_percent"]
        if last is not None and step is not None and step > last:
            tell(PROGRESS, new)
    return Detection(events, new, ordinal)


def _enabled(rules: Rules) -> frozenset[str]:
    return frozenset(kind for name in rules.kinds for kind in EVENT_KINDS.get(name, ()))
