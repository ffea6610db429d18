"""The watch's event and a watching timer's answer as pydantic models, for docs/task.schema.json.

``callout_task.watch_events`` builds plain dictionaries; these models describe them (under
``$defs/WatchEvent`` and ``$defs/WatchRun``) and the tests hold the two together. The event
follows Standard Webhooks' payload convention (``type``, ``timestamp``, ``data``) and adds the
event's ``id``, the one the webhook also sends as ``webhook-id``. Nothing here is deployed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from autocallout.contract import CalleeSummary, Count, Task, TaskState, TimerProblem, UtcTime

EventType = Literal[
    "task.state.changed", "task.progress", "task.lookup.failed", "task.lookup.recovered"
]
TargetKind = Literal["webhook", "wecom", "feishu", "dingtalk"]


class _Closed(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class WatchSnapshot(_Closed):
    """What the watch knew of the task at one tick."""

    state: TaskState | None = Field(description="The task's state (null: never read yet)")
    state_code: int | None = Field(description="CCC's state code, kept as given")
    progress_percent: Annotated[int, Field(ge=0, le=100)] | None = Field(
        description="Callees in a final state (answered or not answered), in whole percent, "
        "rounded down to the watch's progress step; null when the task has no callees"
    )
    lookup_status: Annotated[int, Field(ge=200, le=599)] | None = Field(
        description="Status of the last lookup: 200, or the problem's status"
    )


class WatchEventData(_Closed):
    watch: str = Field(description="The watch's name (its timer's `watch.name`)")
    sdk_app_id: Annotated[int, Field(ge=1)]
    task_id: Annotated[int, Field(ge=1)]
    name: str | None = Field(description="The task's name, as last read")
    before: WatchSnapshot | None = Field(
        description="What was known before the change; null the first time the watch sees the task"
    )
    after: WatchSnapshot
    summary: CalleeSummary | None = Field(
        description="The task's callee counts at this tick; null when the lookup failed"
    )
    detail: str | None = Field(description="Why the lookup failed (`task.lookup.failed`)")


class WatchEvent(_Closed):
    """One change of one task, as every kind of target gets it (a webhook: as its body)."""

    model_config = ConfigDict(title="WatchEvent")

    id: Annotated[str, Field(pattern=r"^evt_[0-9a-f]{32}$")] = Field(
        description="Stable for this change: the same on every delivery attempt (also "
        "`webhook-id`), so receivers can drop duplicates"
    )
    type: EventType
    timestamp: UtcTime = Field(description="When the watch saw the change")
    data: WatchEventData


class WatchTargetRun(_Closed):
    kind: TargetKind
    delivered: Count = Field(description="Events the target acknowledged this tick")
    pending: Count = Field(description="Events still waiting for it")
    sends: Count = Field(description="Requests sent to it this tick, retries included")


class WatchReport(_Closed):
    name: str
    events: Count = Field(description="New events this tick, counted once per target")
    delivered: Count
    pending: Count
    memory: Literal["unavailable"] | None = Field(
        default=None, description="Present when the watch could not use its memory this tick"
    )
    targets: dict[str, WatchTargetRun] | None = Field(
        default=None, description="Per target (absent when the memory was unavailable)"
    )


class WatchRun(_Closed):
    """What a watching timer returns: each task's lookup, and what the watch did."""

    model_config = ConfigDict(title="WatchRun")

    results: list[Task | TimerProblem] = Field(min_length=1)
    watch: WatchReport


WATCH_MODELS: tuple[type[BaseModel], ...] = (WatchEvent, WatchRun)
