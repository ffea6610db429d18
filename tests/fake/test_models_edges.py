"""The fake's backend as its users see it: seed entries, answers, the task list, missing secrets."""

from __future__ import annotations

import json
import locale
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from autocallout.fake_ccc import CccBackend, FakeCccServer
from autocallout.fake_ccc.exceptions import CccError

SEED_ENTRY = {"SdkAppId": 1400000042, "TaskId": 9, "Name": "任务9", "State": 0, "Callees": []}


def test_the_control_api_lists_every_task_in_order_without_its_callees(
    fake_server: FakeCccServer,
) -> None:
    fake_server.backend.put_task({"SdkAppId": 1400000000, "TaskId": 2, "Callees": None})

    listed = requests.get(f"{fake_server.url}/_fake/tasks", timeout=5).json()

    assert listed == [
        {"SdkAppId": 1400000000, "TaskId": 1, "Name": "foobar", "State": 1, "Callees": 1},
        {"SdkAppId": 1400000000, "TaskId": 2, "Name": None, "State": None, "Callees": 0},
        {"SdkAppId": 1400000000, "TaskId": 3, "Name": "任务1", "State": 1, "Callees": 6},
        {"SdkAppId": 1400000000, "TaskId": 4, "Name": "无截止时间任务", "State": 0, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 5, "Name": "暂停的任务", "State": 5, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 6, "Name": "future-state", "State": 9, "Callees": 2},
        {"SdkAppId": 1400000000, "TaskId": 7, "Name": "大批量外呼", "State": 2, "Callees": 10_000},
        {"SdkAppId": 1400000000, "TaskId": 8, "Name": "sparse", "State": 4, "Callees": 0},
        {
            "SdkAppId": 1400000001,
            "TaskId": 1,
            "Name": "other application",
            "State": 3,
            "Callees": 2,
        },
    ]


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
