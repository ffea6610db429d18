"""The backend's tasks: seeded from JSON or built in code, and moved along their life cycle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autocallout.fake_ccc import CccBackend, CccError, bundled_seed_path, models


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


def test_backends_seeded_from_one_file_do_not_share_what_they_change(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    task = {
        "SdkAppId": 1,
        "TaskId": 1,
        "State": 0,
        "Variables": {"Name": "a"},
        "Callees": [{"Callee": "13800000001", "State": 0, "Sessions": []}],
    }
    seed.write_text(json.dumps([task]))
    first, second = CccBackend.seeded(seed), CccBackend.seeded(seed)

    first.advance_task(1, 1)
    first.advance_task(1, 1)  # the callee answers: its State and Sessions change
    first.task(1, 1)["Variables"]["Name"] = "changed in place"
    first.task(1, 1)["Callees"][0]["Callee"] = "changed in place"

    third = CccBackend.seeded(seed)
    as_seeded = {key: value for key, value in task.items() if key not in ("SdkAppId", "TaskId")}
    for untouched in (second, third):
        assert untouched.task(1, 1) == as_seeded


def test_a_seed_file_edited_between_two_loads_is_read_again(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(json.dumps([{"SdkAppId": 1, "TaskId": 1, "State": 0}]))
    assert CccBackend.seeded(seed).task(1, 1)["State"] == 0

    seed.write_text(json.dumps([{"SdkAppId": 1, "TaskId": 1, "State": 2, "Name": "edited"}]))

    assert CccBackend.seeded(seed).task(1, 1) == {"State": 2, "Name": "edited"}


def test_a_process_seeding_from_many_files_keeps_only_the_last_four_decoded(
    tmp_path: Path,
) -> None:
    for number in range(6):
        seed = tmp_path / f"tasks-{number}.json"
        seed.write_text(json.dumps([{"SdkAppId": 1, "TaskId": number + 1}]))
        CccBackend.seeded(seed)

    kept = {Path(path).name for path, _, _ in models._decoded_seeds}
    assert kept == {f"tasks-{number}.json" for number in range(2, 6)}


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
