"""What a watch tells, from one task's lookups tick after tick (callout_task.watch_events), and
how a timer's watch is read and refused (callout_task.watch_config)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from callout_task import problems
from callout_task.watch_config import MAX_TARGETS, PLATFORM_HOSTS, parse_watch, watch_request
from callout_task.watch_events import (
    LOOKUP_FAILED,
    LOOKUP_RECOVERED,
    PROGRESS,
    STATE_CHANGED,
    Observation,
    Rules,
    detect,
    progress_percent,
)
from callout_task.watch_targets import describe

from tests.paths import REPO

STATES = {0: "initial", 1: "running", 2: "completed", 3: "ending", 4: "terminated", 5: "paused"}


def summary(answered: int, not_answered: int, total: int) -> dict[str, int]:
    rest = total - answered - not_answered
    return {
        "total": total,
        "initial": rest,
        "answered": answered,
        "not_answered": not_answered,
        "calling": 0,
        "waiting_retry": 0,
        "unknown": 0,
    }


def read(code: int, done: int = 0, total: int = 8) -> Observation:
    return Observation(
        1400000000,
        3,
        200,
        name="任务1",
        state=STATES.get(code, "unknown"),
        state_code=code,
        summary=summary(done, 0, total),
    )


def failed(status: int) -> Observation:
    return Observation(1400000000, 3, status, detail="The task does not exist.")


class Watcher:
    """Detection tick after tick, as the memory would carry it between them."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or Rules()
        self.seen: dict[str, Any] | None = None
        self.ordinal = 0
        self.told: list[dict[str, Any]] = []

    def tick(self, observation: Observation, now: float = 1_800_000_000.0) -> list[str]:
        found = detect(self.rules, self.seen, self.ordinal, observation, now)
        self.seen, self.ordinal = found.seen, found.ordinal
        self.told.extend(found.events)
        return [event["type"] for event in found.events]


def test_every_state_code_and_an_unknown_one_is_a_state_change() -> None:
    watcher = Watcher()
    codes = [0, 1, 5, 1, 3, 4, 2, 7, -1]
    for code in codes:
        assert watcher.tick(read(code)) == [STATE_CHANGED]
    afters = [(e["data"]["after"]["state"], e["data"]["after"]["state_code"]) for e in watcher.told]
    assert afters == [(STATES.get(code, "unknown"), code) for code in codes]
    assert watcher.told[0]["data"]["before"] is None  # first sight
    assert watcher.told[1]["data"]["before"]["state"] == "initial"


def test_an_unchanged_task_tells_nothing() -> None:
    watcher = Watcher()
    watcher.tick(read(1, done=1))
    assert watcher.tick(read(1, done=1)) == []
    assert watcher.tick(read(1, done=1)) == []


def test_progress_is_told_at_every_25_percent_of_callees_in_a_final_state() -> None:
    watcher = Watcher()
    told = [watcher.tick(read(1, done=done)) for done in range(9)]  # 8 callees, 0..8 done
    assert told == [[STATE_CHANGED], [], [PROGRESS], [], [PROGRESS], [], [PROGRESS], [], [PROGRESS]]
    steps = [e["data"]["after"]["progress_percent"] for e in watcher.told if e["type"] == PROGRESS]
    assert steps == [25, 50, 75, 100]


def test_passing_several_steps_in_one_tick_is_one_event_and_the_step_is_configurable() -> None:
    watcher = Watcher(Rules(progress_step=10))
    watcher.tick(read(1, done=0, total=10))
    assert watcher.tick(read(1, done=7, total=10)) == [PROGRESS]
    event = watcher.told[-1]["data"]
    assert (event["before"]["progress_percent"], event["after"]["progress_percent"]) == (0, 70)
    assert watcher.tick(read(1, done=7, total=10)) == []


def test_progress_counts_answered_and_not_answered_callees_only() -> None:
    assert progress_percent(summary(1, 1, 4)) == 50
    assert progress_percent(summary(3, 1, 4)) == 100  # every callee done: 100, never more
    assert progress_percent({**summary(0, 0, 4), "calling": 2, "waiting_retry": 2}) == 0
    assert progress_percent(summary(0, 0, 0)) is None


def test_a_lookup_failing_twice_is_told_once_and_its_recovery_once() -> None:
    watcher = Watcher()
    watcher.tick(read(1))
    assert watcher.tick(failed(404)) == []  # once may be a blip
    assert watcher.tick(failed(503)) == [LOOKUP_FAILED]
    assert watcher.tick(failed(503)) == []
    assert watcher.tick(read(1)) == [LOOKUP_RECOVERED]
    assert watcher.tick(read(1)) == []
    failure = next(e for e in watcher.told if e["type"] == LOOKUP_FAILED)["data"]
    assert failure["after"]["lookup_status"] == 503
    assert failure["detail"] == "The task does not exist."
    assert failure["summary"] is None
    recovery = next(e for e in watcher.told if e["type"] == LOOKUP_RECOVERED)["data"]
    assert (recovery["before"]["lookup_status"], recovery["after"]["lookup_status"]) == (503, 200)


def test_failed_lookups_count_in_a_row_a_good_one_between_starts_the_count_again() -> None:
    watcher = Watcher()  # failing_after 2
    watcher.tick(read(1))
    for _ in range(3):
        assert watcher.tick(failed(503)) == []
        assert watcher.tick(read(1)) == []


def test_a_state_changed_while_lookups_failed_is_told_with_the_recovery() -> None:
    watcher = Watcher(Rules(failing_after=1))
    watcher.tick(read(1))
    assert watcher.tick(failed(403)) == [LOOKUP_FAILED]
    assert watcher.tick(read(2)) == [LOOKUP_RECOVERED, STATE_CHANGED]


def test_event_kinds_left_out_of_the_watch_are_not_told() -> None:
    watcher = Watcher(Rules(kinds=frozenset({"lookup"}), failing_after=1))
    assert watcher.tick(read(1)) == []
    assert watcher.tick(read(1, done=8)) == []
    assert watcher.tick(failed(404)) == [LOOKUP_FAILED]


def test_ids_are_stable_for_one_change_and_differ_between_changes() -> None:
    first, again = Watcher(), Watcher()
    for watcher in (first, again):
        watcher.tick(read(0))
        watcher.tick(read(1))
        watcher.tick(read(0))
        watcher.tick(read(1))  # the same change as the second tick, later
    ids = [event["id"] for event in first.told]
    assert ids == [event["id"] for event in again.told]  # recomputed: the same ids
    assert len(set(ids)) == 4
    other_watch = Watcher(Rules(watch="other"))
    other_watch.tick(read(0))
    assert other_watch.told[0]["id"] != ids[0]


def test_a_task_first_seen_failing_is_told_only_once_it_failed_failing_after_times() -> None:
    watcher = Watcher()  # failing_after 2
    assert watcher.tick(failed(400)) == []  # a 400 is a failed lookup as any 4xx, but once
    assert watcher.tick(failed(400)) == [LOOKUP_FAILED]
    assert watcher.told[0]["data"]["after"]["lookup_status"] == 400


def test_the_same_change_of_two_tasks_has_an_id_of_each_task() -> None:
    # Receivers drop an event whose id they have seen: a change two tasks (or two apps' tasks
    # of the same id) make alike, on the same tick, must not pass for one event told twice
    def first_id(sdk_app_id: int, task_id: int) -> str:
        found = detect(
            Rules(), None, 0, read(1)._replace(sdk_app_id=sdk_app_id, task_id=task_id), 0
        )
        return str(found.events[0]["id"])

    ids = {first_id(1400000000, 3), first_id(1400000000, 4), first_id(1400000001, 3)}
    assert len(ids) == 3


def test_an_events_id_is_the_same_from_one_release_to_the_next() -> None:
    # A change told and acknowledged but not remembered (the memory write failed) is told
    # again on the next tick, with the id it had, and the receiver drops it as a duplicate.
    # A deploy may come between the two: the ids below were made by this release, and any
    # later one must make them alike (a new derivation is a duplicate told to every receiver).
    watcher = Watcher(Rules(watch="campaign"))
    watcher.tick(read(0))
    watcher.tick(read(1, done=2), now=1_800_000_060.0)
    assert [event["id"] for event in watcher.told] == [
        "evt_5d115fddd0f245d579c210191b932234",
        "evt_3fe3d8d9985e5167fa3c5b89ecac1d5e",
    ]
    assert watcher.ordinal == 2  # what the memory keeps: the events made for the task


@pytest.mark.usefixtures("machine_time_zone")
def test_the_event_follows_the_standard_webhooks_payload_shape() -> None:
    watcher = Watcher()
    watcher.tick(read(1, done=2), now=1_800_000_000.0)
    event = watcher.told[0]
    assert set(event) == {"id", "type", "timestamp", "data"}
    # every field of data the integration guide shows, the watch's name first of them
    assert set(event["data"]) == set(_GUIDE_EVENT["data"])
    assert event["data"]["watch"] == "watch"
    assert event["data"]["after"]["lookup_status"] == 200  # a task read: its lookup's status
    assert event["timestamp"] == "2027-01-15T08:00:00Z"
    assert event["data"]["summary"]["answered"] == 2
    assert event["data"]["name"] == "任务1"


def lines(watcher: Watcher) -> list[str]:
    """What a robot message says of each event told, its id taken off the end."""
    said = [describe(event) for event in watcher.told]
    assert all(line.endswith(f" `{e['id']}`") for line, e in zip(said, watcher.told, strict=True))
    return [line.rsplit(" `", 1)[0] for line in said]


def test_a_robot_reads_each_change_as_its_task_states_before_and_after_and_callees() -> None:
    watcher = Watcher(Rules(failing_after=1))
    watcher.tick(read(0))
    watcher.tick(read(1, done=2))
    watcher.tick(read(7, done=2))
    watcher.tick(failed(503))
    watcher.tick(read(2, done=8))
    watcher.tick(Observation(1400000000, 3, 200, state="running", state_code=1, summary=None))
    task = "- Task 3 任务1 (SdkAppId 1400000000)"
    done = "callees 8 answered, 0 not answered, 8 in all"
    assert lines(watcher) == [
        f"{task} is **initial**; callees 0 answered, 0 not answered, 8 in all",
        f"{task} **initial** → **running**; callees 2 answered, 0 not answered, 8 in all",
        f"{task} **running** → **unknown (code 7)**; callees 2 answered, 0 not answered, 8 in all",
        f"{task} **cannot be read** (503: The task does not exist.)",
        f"{task} can be read again; {done}",
        f"{task} **unknown (code 7)** → **completed**; {done}",
        "- Task 3 (SdkAppId 1400000000) **completed** → **running**",  # no name, no summary
    ]


def test_a_robot_reads_progress_from_the_step_before_and_a_failure_without_detail() -> None:
    watcher = Watcher(Rules(failing_after=1))
    watcher.tick(read(1, done=0))
    watcher.tick(read(1, done=2))
    watcher.tick(read(1, done=4))
    two_missed = summary(4, 2, 8)
    watcher.tick(Observation(1400000000, 3, 200, "任务1", "running", 1, summary=two_missed))
    watcher.tick(Observation(1400000000, 3, 502))
    task = "- Task 3 任务1 (SdkAppId 1400000000)"
    assert lines(watcher)[1:] == [
        f"{task} progress 0% → **25%**; callees 2 answered, 0 not answered, 8 in all",
        f"{task} progress 25% → **50%**; callees 4 answered, 0 not answered, 8 in all",
        f"{task} progress 50% → **75%**; callees 4 answered, 2 not answered, 8 in all",
        f"{task} **cannot be read** (502: )",
    ]


def test_a_task_first_seen_unreadable_reads_as_unread_until_it_is_read() -> None:
    watcher = Watcher(Rules(failing_after=1))
    watcher.tick(failed(503))
    watcher.tick(read(1))
    assert lines(watcher)[2] == (
        "- Task 3 任务1 (SdkAppId 1400000000) **unread** → **running**; "
        "callees 0 answered, 0 not answered, 8 in all"
    )


def test_a_lookup_answered_with_any_4xx_or_5xx_is_a_failed_lookup() -> None:
    for status in (400, 404, 503):
        seen = Observation.of(1400000000, 3, status, {"detail": "refused", "name": "任务1"})
        assert (seen.name, seen.detail) == (None, "refused"), status
        assert (seen.sdk_app_id, seen.task_id, seen.status) == (1400000000, 3, status)
        assert Observation.of(1400000000, 3, status, {}).detail is None  # a problem without one
    read_back = Observation.of(1400000000, 3, 200, {"name": "任务1", "state": "running"})
    assert (read_back.name, read_back.state, read_back.detail) == ("任务1", "running", None)
    assert (read_back.sdk_app_id, read_back.task_id, read_back.status) == (1400000000, 3, 200)


# --- the watch in a timer's Message ------------------------------------------------------------


def target(**fields: Any) -> dict[str, Any]:
    return {"name": "ops", "kind": "wecom", "secret": "watch-ops:v1", **fields}


def test_a_watch_with_defaults() -> None:
    watch = parse_watch({"targets": [target()]})
    assert watch.rules == Rules()
    assert watch.targets[0].hosts == ("qyapi.weixin.qq.com",)
    assert watch.targets[0].secret == ("watch-ops", "v1")


@pytest.mark.parametrize("kind", ["wecom", "feishu", "dingtalk"])
def test_a_robot_given_a_host_is_refused_naming_its_platform_s_own(kind: str) -> None:
    with pytest.raises(problems.InvalidRequest) as refused:
        parse_watch({"targets": [target(kind=kind, host="hooks.example.com")]})
    [error] = refused.value.errors
    assert error["field"] == "watch.targets[0].host"
    assert error["message"] == f"a {kind} robot always posts to {PLATFORM_HOSTS[kind][0]}"


@pytest.mark.parametrize(
    ("watch", "field"),
    [
        ({"events": ["state", "weather"]}, "watch.events"),
        ({"events": []}, "watch.events"),
        ({"progress_step": 0}, "watch.progress_step"),
        ({"progress_step": 25.5}, "watch.progress_step"),
        ({"progress_step": True}, "watch.progress_step"),
        ({"failing_after": 0}, "watch.failing_after"),
        ({"targets": [target(kind="slack")]}, "watch.targets[0].kind"),
        ({"targets": [target(secret="https://qyapi.weixin.qq.com/x")]}, "watch.targets[0].secret"),
        ({"targets": [target(kind="webhook")]}, "watch.targets[0].host"),
        ({"targets": [target(host="evil.example.com")]}, "watch.targets[0].host"),
        ({"targets": [target(url="https://x")]}, "watch.targets[0]"),
        ({"targets": [target(), target()]}, "watch.targets"),
        ({"colour": "blue"}, "watch"),
        ({"name": "a campaign"}, "watch.name"),
        ({"targets": {"ops": target()}}, "watch.targets"),
        ({"targets": ["ops"]}, "watch.targets[0]"),
        ({"targets": [target(name="-ops")]}, "watch.targets[0].name"),
        ({"targets": [target(secret=None)]}, "watch.targets[0].secret"),
        ({"targets": [target(secret=5)]}, "watch.targets[0].secret"),
        ({"targets": [target(secret="watch-ops")]}, "watch.targets[0].secret"),
        ({"targets": [target(kind="webhook", host="hooks example.com")]}, "watch.targets[0].host"),
        ({"events": [["state"]]}, "watch.events"),
    ],
)
def test_a_bad_watch_is_refused_naming_the_field(watch: dict[str, Any], field: str) -> None:
    with pytest.raises(problems.InvalidRequest) as refused:
        parse_watch(watch)
    assert refused.value.errors[0]["field"] == field
    assert refused.value.detail.startswith("The timer's watch is invalid: ")


def test_a_message_without_a_watch_is_a_plain_timer() -> None:
    assert watch_request({"SdkAppId": 1400000000, "TaskId": 3}) is None
    assert watch_request([{"SdkAppId": 1400000000, "TaskId": 3}]) is None


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"watch": {}}, "tasks"),
        ({"watch": {}, "tasks": []}, "tasks"),
        ({"watch": {}, "tasks": {"SdkAppId": 1, "TaskId": 1}}, "tasks"),
        ({"watch": {}, "tasks": [{"SdkAppId": 1, "TaskId": 1}] * 51}, "tasks"),
        ({"watch": {}, "tasks": [{"SdkAppId": 1, "TaskId": 1}], "extra": 1}, "Message"),
        ({"watch": "campaign", "tasks": [{"SdkAppId": 1, "TaskId": 1}]}, "watch"),
    ],
)
def test_a_watching_message_needs_its_tasks(message: dict[str, Any], field: str) -> None:
    with pytest.raises(problems.InvalidRequest) as refused:
        watch_request(message)
    [error] = refused.value.errors
    assert error["field"] == field
    assert field.lower() in error["message"].lower()  # says what is wrong with it


def test_a_watching_message_with_another_key_is_refused_naming_the_message() -> None:
    with pytest.raises(problems.InvalidRequest) as refused:
        watch_request({"watch": {}, "tasks": [{"SdkAppId": 1, "TaskId": 1}], "extra": 1})
    assert refused.value.errors[0]["field"] == "Message"


# The watch's options as the integration guide publishes them (its example Message, the
# defaults it shows, and memory_ttl_seconds in the prose after it): each read under its own
# name. A name accepted but read under another spelling would leave the user's value unused.
_GUIDE = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
_EXAMPLE = json.loads(
    _GUIDE.split("### Watching tasks", 1)[1].split("```json", 1)[1].split("```", 1)[0]
)["watch"]
_OPTIONS = sorted({*_EXAMPLE, "memory_ttl_seconds"} - {"name", "events", "targets"})
# The event the guide shows under "**Events.**" (its "…" elisions made JSON strings)
_GUIDE_EVENT = json.loads(
    _GUIDE.split("**Events.**", 1)[1].split("```json", 1)[1].split("```", 1)[0].replace("…", "")
)
_OTHER_VALUES = {"progress_step": 10, "failing_after": 3, "alert_after_ticks": 7}


def test_the_guide_publishes_the_options_this_test_sets() -> None:
    assert _OPTIONS == ["alert_after_ticks", "failing_after", "memory_ttl_seconds", "progress_step"]
    assert "`memory_ttl_seconds` (default 7 days)" in " ".join(_GUIDE.split())


def _read(watch: Any, option: str) -> Any:
    return getattr(watch.rules, option) if option in watch.rules._fields else getattr(watch, option)


def test_every_published_watch_option_is_read_under_its_own_name_and_defaults_as_shown() -> None:
    targets = _EXAMPLE["targets"]
    defaults = parse_watch({"targets": targets})
    assert {option: _read(defaults, option) for option in _OPTIONS} == {
        **{option: _EXAMPLE[option] for option in _OPTIONS if option in _EXAMPLE},
        "memory_ttl_seconds": 7 * 24 * 3600,
    }
    assert sorted(defaults.rules.kinds) == sorted(_EXAMPLE["events"])

    chosen = {**_OTHER_VALUES, "memory_ttl_seconds": 3600}
    watch = parse_watch({"targets": targets, "events": ["lookup"], **chosen})
    assert {option: _read(watch, option) for option in _OPTIONS} == chosen
    assert watch.rules.kinds == frozenset({"lookup"})


# The ranges Terraform's `watch` variable validates (infra/modules/autocallout/variables.tf): a
# Message Terraform writes from values it took must be taken by the function too, and one it
# refuses must not slip in by hand either. memory_ttl_seconds is not Terraform's: 10 minutes to
# 90 days, as its refusal says.
_VALIDATION = (REPO / "infra" / "modules" / "autocallout" / "variables.tf").read_text("utf-8")
_RANGES = {
    name: (int(low), int(high))
    for name, low, high in re.findall(
        r"var\.watch\.(\w+) >= (\d+) && var\.watch\.\1 <= (\d+)", _VALIDATION
    )
}
_RANGES["memory_ttl_seconds"] = (600, 90 * 24 * 3600)


def test_terraform_validates_the_range_of_each_of_its_watch_options() -> None:
    assert sorted(_RANGES) == sorted(_OPTIONS)


@pytest.mark.parametrize("option", sorted(_RANGES))
def test_a_watch_option_takes_both_ends_of_its_range_and_refuses_one_past_either(
    option: str,
) -> None:
    low, high = _RANGES[option]
    for value in (low, high):
        assert _read(parse_watch({"targets": [target()], option: value}), option) == value
    for value in (low - 1, high + 1):
        with pytest.raises(problems.InvalidRequest) as refused:
            parse_watch({"targets": [target()], option: value})
        assert refused.value.errors == [
            {
                "field": f"watch.{option}",
                "message": f"{option} must be a whole number from {low} to {high}",
            }
        ]


def test_a_watch_takes_as_many_targets_as_the_guide_says_and_refuses_one_more() -> None:
    assert f"`targets` (at most {MAX_TARGETS})" in " ".join(_GUIDE.split())
    targets = [target(name=f"room-{n}") for n in range(MAX_TARGETS + 1)]
    assert len(parse_watch({"targets": targets[:MAX_TARGETS]}).targets) == MAX_TARGETS
    with pytest.raises(problems.InvalidRequest) as refused:
        parse_watch({"targets": targets})
    assert refused.value.errors[0]["field"] == "watch.targets"
