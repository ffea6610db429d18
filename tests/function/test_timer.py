"""The timer trigger: a run answers every task of its Message on its own, whatever happens to the
others, up to 50 tasks; waits for rate-limit tokens within its deadline instead of refusing its
own tasks; and a Message it cannot use is refused and logged by the trigger's name."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest
from callout_task import answer_size

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke, load_event, nested, official_event
from tests.seeded import TASK


def _timer(*task_ids: int) -> dict[str, Any]:
    tasks = [{"SdkAppId": 1400000000, "TaskId": task_id} for task_id in task_ids]
    return {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps(tasks)}


def _invocation_lines(out: str) -> list[dict[str, Any]]:
    return [line for line in log_lines(out) if line["message"] == "invocation"]


def test_a_task_failing_unexpectedly_sinks_only_its_own_entry(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    send = http.client.HTTPConnection.request

    def http_failing_for_task_6(self: Any, method: str, url: str, body: Any, *args: Any) -> Any:
        if json.loads(body).get("TaskId") == 6:
            raise RuntimeError("the HTTP stack broke on this one")
        return send(self, method, url, body, *args)

    monkeypatch.setattr(http.client.HTTPConnection, "request", http_failing_for_task_6)

    results = invoke(_timer(3, 6, 7))["results"]
    out = capsys.readouterr().out

    assert [result.get("status", 200) for result in results] == [200, 500, 200]
    assert (results[0]["task_id"], results[2]["task_id"]) == (3, 7)
    assert results[1]["detail"] == "An unexpected error occurred."
    lines = _invocation_lines(out)
    assert [(line["task_id"], line["status"]) for line in lines] == [(3, 200), (6, 500), (7, 200)]
    [error] = [line for line in log_lines(out) if line["level"] == "ERROR"]
    assert (error["task_id"], error["sdk_app_id"]) == (6, 1400000000)
    assert "RuntimeError: the HTTP stack broke on this one" in error["traceback"]


def test_a_timer_run_waits_for_tokens_within_its_deadline(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "10")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")

    results = invoke(_timer(3, 6, 7, 3), {"time_limit_in_ms": 3000})["results"]

    assert [result.get("status", 200) for result in results] == [200] * 4
    assert len(ccc.calls) == 4


def test_tasks_a_timer_run_cannot_fit_before_its_deadline_are_reported_not_dropped(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One token a second, one to start with, a 1.5 s run: the second task waits about 1 s for
    # its token; for the third there is no token before the deadline.
    monkeypatch.setenv("RATE_LIMIT_QPS", "1")
    monkeypatch.setenv("RATE_LIMIT_BURST", "1")

    results = invoke(_timer(3, 6, 7, 3), {"time_limit_in_ms": 1500})["results"]
    lines = _invocation_lines(capsys.readouterr().out)

    assert [result.get("status", 200) for result in results] == [200, 200, 429, 429]
    assert all(result["retry_after"] >= 1 for result in results[2:])
    assert len(ccc.calls) == 2
    assert [(line["task_id"], line["status"], line["attempts"]) for line in lines] == [
        (3, 200, 1),
        (6, 200, 1),
        (7, 429, 0),
        (3, 429, 0),
    ]


def test_every_entry_names_its_task_problem_entries_included(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # Task 99 does not exist (404); its entry once carried no ids: only its position told.
    results = invoke(_timer(3, 99, 7))["results"]

    assert [result.get("status", 200) for result in results] == [200, 404, 200]
    assert [(result["sdk_app_id"], result["task_id"]) for result in results] == [
        (1400000000, 3),
        (1400000000, 99),
        (1400000000, 7),
    ]


@pytest.mark.parametrize(
    ("entry", "ids"),
    [
        ({"SdkAppId": 1400000000, "TaskId": -3}, (1400000000, None)),
        ({"SdkAppId": "abc", "TaskId": 3}, (None, 3)),
        ({"SdkAppId": 1400000000, "TaskId": 3, "CalleeLimit": 0}, (1400000000, 3)),
        # the range's ends are ids as readable as any
        ({"SdkAppId": 2**63 - 1, "TaskId": 1, "CalleeLimit": 0}, (2**63 - 1, 1)),
        # refused for a conflict, before the range is checked: an id past it is not named
        ({"SdkAppId": 1, "sdk_app_id": 2, "TaskId": 0}, (None, None)),
        ({"SdkAppId": 1, "sdk_app_id": 2, "TaskId": 2**63}, (None, None)),
        ({"SdkAppId": 1400000000, "TaskId": 3, "task_id": 4}, (1400000000, None)),
        ({"TaskId": 3}, (None, 3)),
        ("not an object", (None, None)),
    ],
)
def test_a_refused_entry_names_its_task_with_the_ids_that_could_be_read(
    invoke: Invoke, ccc: CccBackend, entry: Any, ids: tuple[int | None, int | None]
) -> None:
    message = json.dumps([{"SdkAppId": 1400000000, "TaskId": 3}, entry])
    first, refused = invoke({"Type": "Timer", "Message": message})["results"]

    assert first["task_id"] == 3
    assert refused["status"] == 400
    assert (refused["sdk_app_id"], refused["task_id"]) == ids


def _watching(*entries: Any) -> dict[str, Any]:
    """A watching timer's event (no Redis here: its tasks are looked up, nothing is told)."""
    target = {"name": "crm", "kind": "webhook", "secret": "watch-crm:v1", "host": "h.example.com"}
    message = {"tasks": list(entries), "watch": {"name": "campaign", "targets": [target]}}
    return {"Type": "Timer", "TriggerName": "watch", "Message": json.dumps(message)}


def test_a_watching_timer_looks_its_tasks_up_without_callees_unless_an_entry_asks(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # A watch compares states and counts: a task of 10 000 callees costs it no more than one of
    # three. An entry that asks for its callees, in either spelling, still gets them.
    results = invoke(
        _watching(
            {"SdkAppId": 1400000000, "TaskId": 3},
            {"SdkAppId": 1400000000, "TaskId": 4, "IncludeCallees": True},
            {"sdk_app_id": 1400000000, "task_id": 5, "include_callees": True},
        )
    )["results"]

    assert [result.get("status", 200) for result in results] == [200, 200, 200]
    assert (results[0]["callees"], results[0]["callee_summary"]["total"]) == ([], 6)
    for result in results[1:]:
        assert result["callees"]
        assert len(result["callees"]) == result["callee_summary"]["total"]


@pytest.mark.parametrize("entry", ["not an object", 5, None, ["SdkAppId", 1400000000]])
def test_a_watching_timer_s_task_that_is_no_object_is_refused_in_its_own_entry(
    invoke: Invoke, ccc: CccBackend, entry: Any
) -> None:
    first, refused, last = invoke(
        _watching(
            {"SdkAppId": 1400000000, "TaskId": 3}, entry, {"SdkAppId": 1400000000, "TaskId": 7}
        )
    )["results"]

    assert (first["task_id"], last["task_id"]) == (3, 7)
    assert refused["status"] == 400
    assert "Task 1 of the watch's tasks" in refused["detail"]


def test_a_message_that_cannot_be_read_is_one_entry_with_null_ids(invoke: Invoke) -> None:
    [entry] = invoke({"Type": "Timer", "Message": "not json"})["results"]
    assert (entry["status"], entry["sdk_app_id"], entry["task_id"]) == (400, None, None)


def test_each_tasks_line_carries_its_state_and_callee_counts_for_charts(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(_timer(3, 6, 99))  # running, an unknown code, a task that does not exist
    running, unknown, missing = _invocation_lines(capsys.readouterr().out)

    assert (running["task_state"], running["task_state_code"]) == ("running", 1)
    counts = {name: running[f"callees_{name}"] for name in ("total", "answered", "not_answered")}
    assert counts == {"total": 6, "answered": 2, "not_answered": 1}
    assert (running["callees_calling"], running["callees_waiting_retry"]) == (1, 1)
    assert (running["callees_initial"], running["callees_unknown"]) == (1, 0)
    assert (unknown["task_state"], unknown["task_state_code"]) == ("unknown", 9)
    assert missing["status"] == 404
    assert missing["task_state"] is None
    assert missing["callees_total"] is None


def test_a_timer_run_s_results_stay_under_scf_s_answer_limit_and_say_how_to_page(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    # Three tasks whose whole pages (2 500 callees) are some 6.5 MB each: 19 MB for one answer.
    entries = [
        {"Callee": f"138{n:08d}", "State": 1, "Sessions": [f"s-{n:08d}-{'x' * 2500}"]}
        for n in range(2_500)
    ]
    for task_id in (960, 961, 962):
        ccc.put_task({"SdkAppId": 1400000000, "TaskId": task_id, "Callees": entries})
    tasks = [{"SdkAppId": 1400000000, "TaskId": n, "callee_limit": 10_000} for n in (960, 961, 962)]
    event = {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps(tasks)}

    results = invoke(event, {"time_limit_in_ms": 60_000})["results"]  # time is not the point

    assert answer_size.cost({"results": results}) <= answer_size.TIMER_BUDGET + 16
    pages = [result["callee_page"] for result in results]
    assert [page["returned"] < 2_500 for page in pages] == [True] * 3
    assert [page["next_offset"] == page["returned"] for page in pages] == [True] * 3
    assert sum(page["returned"] for page in pages) > 0
    lines = _invocation_lines(capsys.readouterr().out)
    assert all("the next page starts at callee_offset=" in line["detail"] for line in lines)


def test_a_task_too_large_for_its_share_of_the_run_is_refused_naming_the_share_in_bytes(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # Each task may take an even share of the run's budget: half of it, the first of two.
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 951, "Name": "n" * 3_000_000, "Callees": []})
    tasks = [{"SdkAppId": 1400000000, "TaskId": n} for n in (951, 3)]
    event = {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps(tasks)}

    refused, answered = invoke(event)["results"]

    assert (refused["status"], refused["task_id"], answered["task_id"]) == (413, 951, 3)
    share = answer_size.TIMER_BUDGET // 2
    assert f"task 951 would pass the {share} bytes this answer has left" in refused["detail"]


def test_a_timer_s_last_task_may_use_to_the_byte_what_the_run_has_left_and_no_more(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # The run's budget is counted byte for byte: each result its bytes and the comma after it.
    def run(padding: int) -> list[dict[str, Any]]:
        callee = {"Callee": "13800000000", "State": 1, "Sessions": ["s" * padding]}
        ccc.put_task({"SdkAppId": 1400000000, "TaskId": 970, "Callees": [callee]})
        tasks = [{"SdkAppId": 1400000000, "TaskId": n} for n in (3, 7, 970)]
        event = {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps(tasks)}
        results: list[dict[str, Any]] = invoke(event, {"time_limit_in_ms": 60_000})["results"]
        return results

    *others, last = run(0)
    left = answer_size.TIMER_BUDGET - sum(answer_size.cost(other) + 1 for other in others)
    padding = left - answer_size.cost(last)  # each letter of the session is a byte more

    *_, whole = run(padding)
    assert answer_size.cost(whole) == left
    assert whole["callee_page"]["next_offset"] is None
    assert whole["callees"][0]["session_ids"] == ["s" * padding]

    *_, cut = run(padding + 1)
    assert (cut["callees"], cut["callee_page"]["next_offset"]) == ([], 0)


@pytest.mark.parametrize(("name", "shown"), [("every-minute", "'every-minute'"), (None, "''")])
def test_a_misconfigured_timer_s_error_line_names_its_trigger_or_none(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], name: str | None, shown: str
) -> None:
    event: dict[str, Any] = {"Type": "Timer", "Message": "[]"}
    if name is not None:
        event["TriggerName"] = name

    result = invoke(event)

    assert result["results"][0]["status"] == 400
    [error] = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert error["message"].startswith(f"timer trigger {shown} misconfigured: ")


@pytest.mark.parametrize(("levels", "status"), [(32, 200), (33, 400)])
def test_a_timer_message_may_nest_32_levels(invoke: Invoke, levels: int, status: int) -> None:
    task = {**TASK, "pad": nested(levels)}  # the task object itself is a level
    [result] = invoke({"Type": "timer", "Message": json.dumps(task)})["results"]
    assert result.get("status", 200) == status
    if status == 400:
        assert result["detail"] == "The timer's Message nests deeper than 32 levels."


def test_a_timer_message_that_is_an_empty_list_is_refused_saying_so(invoke: Invoke) -> None:
    [problem] = invoke({"Type": "timer", "Message": "[]"})["results"]
    assert problem["detail"] == "The timer's Message is an empty list of tasks."


def test_a_timer_without_a_message_is_told_what_to_send(invoke: Invoke) -> None:
    [problem] = invoke({"Type": "timer"})["results"]
    assert problem["detail"].startswith("The timer's Message must be JSON text: ")
    assert '{"SdkAppId": 1400000000, "TaskId": 3}' in problem["detail"]


def test_a_misconfigured_timer_is_logged_by_name(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke({"Type": "timer", "TriggerName": "every-minute", "Message": ""})
    lines = log_lines(capsys.readouterr().out)
    [misconfigured] = [line for line in lines if line["level"] == "ERROR"]
    assert "'every-minute'" in misconfigured["message"]
    assert misconfigured["request_id"] == lines[-1]["request_id"]


@pytest.mark.parametrize(("tasks", "results"), [(50, 50), (51, 1)])
def test_a_timer_answers_up_to_50_tasks_each_and_refuses_more_at_once(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    tasks: int,
    results: int,
) -> None:
    # Tasks of an application the function may not read: answered one by one, without CCC.
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000001")
    answer = invoke({"Type": "timer", "Message": json.dumps([TASK] * tasks)})

    assert len(answer["results"]) == results
    expected = 403 if tasks <= 50 else 400
    assert {result["status"] for result in answer["results"]} == {expected}
    assert ccc.calls == []


def test_a_timer_may_list_50_tasks(invoke: Invoke, ccc: CccBackend) -> None:
    # Fifty tasks each refused on its own (no CCC call, so no rate limit): all fifty answered.
    results = invoke({"Type": "Timer", "Message": json.dumps([{"TaskId": 3}] * 50)})["results"]
    assert [result["status"] for result in results] == [400] * 50
    assert ccc.calls == []


def test_a_timer_message_starting_with_a_byte_order_mark_is_read(invoke: Invoke) -> None:
    message = "\ufeff" + json.dumps(TASK)
    [result] = invoke({"Type": "Timer", "Message": message})["results"]
    assert result["task_id"] == 3


def test_a_timer_with_more_than_50_tasks_is_refused(invoke: Invoke, ccc: CccBackend) -> None:
    message = json.dumps([{"SdkAppId": 1400000000, "TaskId": 3}] * 51)
    [problem] = invoke({"Type": "Timer", "Message": message})["results"]
    assert "more than 50 tasks" in problem["detail"]
    assert ccc.calls == []


def test_a_timer_task_repeating_a_name_is_refused(invoke: Invoke) -> None:
    [problem] = invoke(
        {"Type": "Timer", "Message": '{"SdkAppId": 1400000000, "TaskId": 3, "TaskId": 5}'}
    )["results"]
    assert problem["status"] == 400


def test_a_timer_message_that_is_not_text_gets_its_own_message(invoke: Invoke) -> None:
    [problem] = invoke({"Type": "Timer", "Message": {"SdkAppId": 1400000000, "TaskId": 3}})[
        "results"
    ]
    assert problem["detail"].startswith("The timer's Message must be JSON text")


def test_a_timer_with_one_task_returns_one_result(invoke: Invoke) -> None:
    response = invoke(load_event("timer-one-task.json"))
    [result] = response["results"]
    assert (result["task_id"], result["callees"]) == (3, [])
    assert result["callee_summary"]["total"] == 6


def test_a_timer_with_two_tasks_returns_two_results(invoke: Invoke) -> None:
    results = invoke(load_event("timer-two-tasks.json"))["results"]
    assert [(r["task_id"], r["state"], r["state_code"]) for r in results] == [
        (3, "running", 1),
        (6, "unknown", 9),
    ]


def test_one_bad_task_does_not_sink_the_others_in_a_timer(invoke: Invoke) -> None:
    message = json.dumps(
        [{"SdkAppId": 1400000000, "TaskId": 404}, "nonsense", {"SdkAppId": 1400000000, "TaskId": 1}]
    )
    results = invoke({"Type": "timer", "Message": message})["results"]
    assert [r.get("status", 200) for r in results] == [404, 400, 200]
    assert results[1]["detail"] == "Task 1 of the timer's Message must be a JSON object."


@pytest.mark.parametrize("kind", ["Timer", "timer", "TIMER"])
def test_the_timer_type_is_recognised_in_any_case(invoke: Invoke, kind: str) -> None:
    event = {"Type": kind, "Message": json.dumps({"SdkAppId": 1400000000, "TaskId": 1})}
    assert invoke(event)["results"][0]["name"] == "foobar"


@pytest.mark.parametrize("name", ["timer-empty-message.json", "timer-doc-sample"])
def test_a_timer_without_a_usable_message_gets_a_clear_logged_error(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    event = (
        official_event("timer-doc-sample.json") if name == "timer-doc-sample" else load_event(name)
    )
    response = invoke(event)

    [problem] = response["results"]
    assert problem["status"] == 400
    assert "Message" in problem["detail"]
    assert any(line["level"] == "ERROR" for line in log_lines(capsys.readouterr().out))
