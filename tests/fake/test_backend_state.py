"""The backend's tasks: seeded from JSON or built in code, and moved along their life cycle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autocallout.fake_ccc import CccBackend, CccError, bundled_seed_path


def test_the_bundled_seed_holds_the_cases_tests_need() -> None:
    backend = CccBackend.seeded()
    documented = backend.task(1400000000, 1)
    states = {key: task.get("State") for key, task in backend.tasks.items()}

    assert documented["Name"] == "foobar"
    assert backend.task(1400000000, 4)["NotAfter"] is None
    assert 5 in states.values()
    assert any(state not in range(6) for state in states.values())
    assert max(len(task.get("Callees") or []) for task in backend.tasks.values()) == 10_000


def test_tasks_load_from_a_seed_file(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(json.dumps([{"SdkAppId": 1400000042, "TaskId": 9, "Name": "n", "State": 0}]))

    backend = CccBackend.seeded(seed)

    assert list(backend.tasks) == [(1400000042, 9)]


def test_a_seed_entry_without_ids_is_refused() -> None:
    with pytest.raises(ValueError, match="SdkAppId"):
        CccBackend().put_task({"TaskId": 1, "Name": "x"})


def test_an_unknown_task_raises_resource_not_found() -> None:
    with pytest.raises(CccError) as caught:
        CccBackend().task(1, 2)
    assert caught.value.code == "ResourceNotFound"


def test_a_task_goes_from_initial_through_running_to_completed() -> None:
    backend = CccBackend()
    backend.put_task(
        {
            "SdkAppId": 1,
            "TaskId": 1,
            "State": 0,
            "Callees": [
                {"Callee": "13800000001", "State": 0, "Sessions": []},
                {"Callee": "13800000002", "State": 0, "Sessions": []},
            ],
        }
    )
    seen = []
    for _ in range(4):
        task = backend.advance_task(1, 1)
        seen.append((task["State"], [callee["State"] for callee in task["Callees"]]))

    assert seen == [(1, [3, 0]), (1, [1, 3]), (2, [1, 2]), (2, [1, 2])]
    assert backend.task(1, 1)["Callees"][0]["Sessions"] == ["fake-1-0"]


def test_a_paused_task_stays_paused() -> None:
    backend = CccBackend.seeded()
    assert backend.advance_task(1400000000, 5)["State"] == 5


def test_an_update_shows_in_the_next_answer() -> None:
    backend = CccBackend.seeded()
    before = backend.encoded_task(1400000000, 3)
    backend.update_task(1400000000, 3, State=2)
    assert json.loads(before)["State"] == 1
    assert json.loads(backend.encoded_task(1400000000, 3))["State"] == 2


def test_the_bundled_seed_file_is_a_list_of_ccc_response_objects() -> None:
    entries = json.loads(bundled_seed_path().read_text(encoding="utf-8"))
    assert all({"SdkAppId", "TaskId"} <= set(entry) for entry in entries)
