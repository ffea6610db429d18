"""The backend's tasks as its users see them: seeded from JSON (a list of CCC response objects, read
as UTF-8 whatever the locale, each entry checked) or built in code, answered as compact JSON as
they now are, and moved along their life cycle, call by call."""

from __future__ import annotations

import json
import locale
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autocallout.fake_ccc import (
    CccBackend,
    CccError,
    bundled_seed_path,
    models,
)

SEED_ENTRY = {"SdkAppId": 1400000042, "TaskId": 9, "Name": "任务9", "State": 0, "Callees": []}


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


@pytest.mark.parametrize(("name", "version"), [("callout-redis", "v2"), ("other", "v1")])
def test_a_secret_version_ssm_does_not_hold_is_resource_not_found(name: str, version: str) -> None:
    backend = CccBackend()
    backend.secrets[("callout-redis", "v1")] = "s3cret"

    with pytest.raises(CccError) as refused:
        backend.secret_value(name, version)

    assert refused.value.code == "ResourceNotFound"
    assert name in refused.value.message  # which secret the function could not read
    assert backend.secret_value("callout-redis", "v1") == "s3cret"


@pytest.mark.parametrize("field", ["SdkAppId", "TaskId"])
@pytest.mark.parametrize("value", ["missing", 0, -1, True, "9", 9.0, None])
def test_a_seed_entry_needs_both_ids_as_positive_whole_numbers(field: str, value: Any) -> None:
    entry = dict(SEED_ENTRY)
    if value == "missing":
        del entry[field]
    else:
        entry[field] = value
    # A ValueError naming the field: `autocallout fake-ccc --tasks` prints it as a one-line error.
    with pytest.raises(ValueError, match=rf"\b{field}\b"):
        CccBackend().put_task(entry)


def test_a_seed_entry_must_be_an_object() -> None:
    with pytest.raises(ValueError, match="object"):
        CccBackend().put_task([1400000042, 9])  # type: ignore[arg-type]


def test_a_seed_file_must_hold_a_list(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(json.dumps(SEED_ENTRY), encoding="utf-8")
    with pytest.raises(ValueError, match="list"):
        CccBackend.seeded(seed)


@pytest.fixture
def ascii_locale() -> Iterator[None]:
    """A locale whose default encoding is not UTF-8 (as on Windows, or a bare C locale)."""
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, saved)


@pytest.mark.usefixtures("ascii_locale")
def test_a_seed_file_is_read_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    seed = tmp_path / "tasks.json"
    seed.write_text(json.dumps([SEED_ENTRY], ensure_ascii=False), encoding="utf-8")
    assert CccBackend.seeded(seed).task(1400000042, 9)["Name"] == "任务9"


def test_an_answer_is_compact_utf8_json_with_no_stale_request_id() -> None:
    backend = CccBackend()
    backend.put_task({**SEED_ENTRY, "RequestId": "copied-from-a-real-answer"})

    body = backend.encoded_task(1400000042, 9)

    task = json.loads(body)
    assert "RequestId" not in task  # the envelope adds the answer's own
    assert body == json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode()
    assert "任务9".encode() in body


def test_a_replaced_or_updated_task_is_answered_as_it_now_is() -> None:
    backend = CccBackend()
    backend.put_task(SEED_ENTRY)
    backend.update_task(1400000042, 9, State=1)  # before any answer was encoded
    assert json.loads(backend.encoded_task(1400000042, 9))["State"] == 1

    backend.put_task({**SEED_ENTRY, "Name": "renamed"})

    fields = {"Name": "renamed", "State": 0, "Callees": []}
    assert json.loads(backend.encoded_task(1400000042, 9)) == fields


def test_advancing_a_running_task_settles_each_call_and_calls_the_next_waiting_callee() -> None:
    backend = CccBackend()
    callees = [
        {"Callee": "13800000000", "State": 3, "Sessions": ["earlier"]},  # even: answers
        {"Callee": "13800000001", "State": 4},  # waiting to retry: called next
        {"Callee": "13800000002", "State": 3},  # even: answers
        {"Callee": "13800000003", "State": 3},  # odd: does not answer
    ]
    backend.put_task({"SdkAppId": 1, "TaskId": 7, "State": 1, "Callees": callees})
    before = backend.encoded_task(1, 7)

    task = backend.advance_task(1, 7)

    assert [callee["State"] for callee in task["Callees"]] == [1, 3, 1, 2]
    assert task["Callees"][0]["Sessions"] == ["earlier", "fake-7-0"]
    assert task["Callees"][2]["Sessions"] == ["fake-7-2"]
    assert task["State"] == 1
    assert json.loads(backend.encoded_task(1, 7)) != json.loads(before)  # the cache was dropped
