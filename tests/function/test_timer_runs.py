"""A timer run answers every task of its Message on its own, whatever happens to the others, and
waits for rate-limit tokens within its deadline instead of refusing its own tasks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from callout_task import answer_size

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke


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
    send = requests.Session.send

    def http_failing_for_task_6(self: Any, request: Any, **options: Any) -> Any:
        if json.loads(request.body).get("TaskId") == 6:
            raise RuntimeError("the SDK broke on this one")
        return send(self, request, **options)

    monkeypatch.setattr(requests.Session, "send", http_failing_for_task_6)

    results = invoke(_timer(3, 6, 7))["results"]
    out = capsys.readouterr().out

    assert [result.get("status", 200) for result in results] == [200, 500, 200]
    assert (results[0]["task_id"], results[2]["task_id"]) == (3, 7)
    assert results[1]["detail"] == "An unexpected error occurred."
    lines = _invocation_lines(out)
    assert [(line["task_id"], line["status"]) for line in lines] == [(3, 200), (6, 500), (7, 200)]
    [error] = [line for line in log_lines(out) if line["level"] == "ERROR"]
    assert (error["task_id"], error["sdk_app_id"]) == (6, 1400000000)
    assert "RuntimeError: the SDK broke on this one" in error["traceback"]


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
