"""Every event a watch delivers, and a watching timer's answer, is what docs/task.schema.json
($defs/WatchEvent, $defs/WatchRun) and the closed models of autocallout.watch_contract say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import callout_task
import pytest
from callout_task import handler, watch_tick
from callout_task.watch_config import TargetSpec
from callout_task.watch_events import Observation, Rules, detect
from callout_task.watch_memory import ProcessMemory
from callout_task.watch_secrets import target_from_text
from jsonschema import Draft202012Validator

from autocallout.fake_ccc import mock_ccc
from autocallout.watch_contract import WatchEvent, WatchRun
from tests.contract.documents import TASK_SCHEMA, load_json
from tests.function.watch_receivers import Receiver


def validator(definition: str) -> Draft202012Validator:
    return Draft202012Validator({**load_json(TASK_SCHEMA), "$ref": f"#/$defs/{definition}"})


def every_kind_of_event() -> list[dict[str, Any]]:
    rules, seen, ordinal, events = Rules(failing_after=1), None, 0, []
    summary = {"total": 4, "initial": 2, "answered": 1, "not_answered": 1, "calling": 0}
    summary |= {"waiting_retry": 0, "unknown": 0}
    ticks = [
        Observation(1, 3, 200, None, "initial", 0, {**summary, "answered": 0, "initial": 3}),
        Observation(1, 3, 200, "任务", "running", 1, summary),
        Observation(1, 3, 200, "任务", "running", 1, {**summary, "answered": 3, "initial": 0}),
        Observation(1, 3, 404, detail="gone"),
        Observation(1, 3, 200, "任务", "unknown", 42, None),
    ]
    for observation in ticks:
        found = detect(rules, seen, ordinal, observation, 1_800_000_000.0)
        seen, ordinal = found.seen, found.ordinal
        events.extend(found.events)
    return events


def test_every_kind_of_event_matches_the_published_schema() -> None:
    events = every_kind_of_event()
    assert {event["type"] for event in events} == {
        "task.state.changed",
        "task.progress",
        "task.lookup.failed",
        "task.lookup.recovered",
    }
    for event in events:
        WatchEvent.model_validate(event)
        validator("WatchEvent").validate(event)


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    with Receiver("webhook") as receiver:
        yield receiver


def test_a_watching_timer_answer_and_its_deliveries_match_the_published_schema(
    webhook: Receiver,
) -> None:
    spec_text = webhook.ssm_value()

    def resolve(spec: TargetSpec, timeout: float) -> Any:
        return target_from_text(spec, spec_text)

    watch_tick.wire_locally(watch_tick.Wiring(ProcessMemory(), resolve))
    callout_task.reset_instance()
    message = {
        "tasks": [{"SdkAppId": 1400000000, "TaskId": task} for task in (3, 6, 99)],
        "watch": {
            "targets": [
                {"name": "crm", "kind": "webhook", "secret": "crm:v1", "host": "hooks.example.com"}
            ]
        },
    }
    try:
        with mock_ccc():
            answer = handler.main_handler(
                {"Type": "timer", "Message": json.dumps(message)}, {"time_limit_in_ms": 3000}
            )
    finally:
        watch_tick.wire_locally(None)
        callout_task.reset_instance()
    WatchRun.model_validate(answer)
    validator("WatchRun").validate(answer)
    assert answer["watch"]["delivered"] == 2  # task 99 does not exist: failing only once yet
    assert len(webhook.accepted) == 2
    for body in webhook.accepted:
        validator("WatchEvent").validate(body)
