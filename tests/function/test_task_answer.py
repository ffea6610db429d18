"""The normalised task of SPEC "Output": each field of CCC's answer under its name, task and
callee states by their codes, nulls where CCC left a field out or gave it the wrong type,
timestamps in ISO 8601 (UTC) beside their Unix value."""

from __future__ import annotations

from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import Invoke
from tests.seeded import TASK


def _task(
    invoke: Invoke, task_id: int, sdk_app_id: int = 1400000000, **options: Any
) -> dict[str, Any]:
    body: dict[str, Any] = invoke({"SdkAppId": sdk_app_id, "TaskId": task_id, **options})
    return body


@pytest.mark.usefixtures("machine_time_zone")
def test_the_documented_example_is_normalised_field_by_field(
    invoke: Invoke, ccc: CccBackend
) -> None:
    body = _task(invoke, 1)
    assert body == {
        "sdk_app_id": 1400000000,
        "task_id": 1,
        "name": "foobar",
        "description": "foobar",
        "state": "running",
        "state_code": 1,
        "not_before": "2024-10-26T01:22:20Z",
        "not_before_unix": 1729905740,
        "not_after": "2024-10-26T01:22:30Z",
        "not_after_unix": 1729905750,
        "ivr_id": 1,
        "max_ring_timeout_seconds": None,
        "callers": ["008610086"],
        "callees": [
            {"callee": "foobar", "state": "answered", "state_code": 1, "session_ids": ["foobar"]}
        ],
        "callee_summary": {
            "total": 1,
            "initial": 0,
            "answered": 1,
            "not_answered": 0,
            "calling": 0,
            "waiting_retry": 0,
            "unknown": 0,
        },
        "callee_page": {"offset": 0, "limit": 1000, "returned": 1, "next_offset": None},
        "upstream_request_id": ccc.calls[0].request_id,
    }


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (0, "initial"),
        (1, "running"),
        (2, "completed"),
        (3, "ending"),
        (4, "terminated"),
        (5, "paused"),
        (9, "unknown"),
        (-1, "unknown"),
    ],
)
def test_task_states_by_code(invoke: Invoke, ccc: CccBackend, code: int, name: str) -> None:
    ccc.update_task(1400000000, 3, State=code)
    body = _task(invoke, 3)
    assert (body["state"], body["state_code"]) == (name, code)


def test_callee_states_and_an_unknown_one(invoke: Invoke) -> None:
    body = _task(invoke, 6)
    assert [(c["state"], c["state_code"]) for c in body["callees"]] == [
        ("unknown", 7),
        ("answered", 1),
    ]
    assert body["callee_summary"]["unknown"] == 1


def test_missing_and_null_fields_become_null_and_lists_empty(invoke: Invoke) -> None:
    body = _task(invoke, 8)
    assert body["description"] is None
    assert body["not_before"] is None
    assert body["not_after"] is None
    assert body["ivr_id"] is None
    assert body["max_ring_timeout_seconds"] is None
    assert body["callers"] == []
    assert body["callees"] == []
    assert body["callee_summary"]["total"] == 0
    assert body["state"] == "terminated"


def test_ill_typed_upstream_fields_are_null_not_fatal(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.put_task(
        {
            "SdkAppId": 1400000000,
            "TaskId": 50,
            "Name": 12,
            "State": "1",
            "NotBefore": "soon",
            "IvrId": True,
            "Callers": "008610086",
            "Callees": [None, {"Callee": 5, "State": 1.0, "Sessions": "s"}],
        }
    )
    body = _task(invoke, 50)
    assert (
        body["name"],
        body["state"],
        body["state_code"],
        body["not_before"],
        body["ivr_id"],
    ) == (None, "unknown", None, None, None)
    assert body["callers"] == []
    assert body["callees"] == [
        {"callee": None, "state": "unknown", "state_code": None, "session_ids": []},
        {"callee": None, "state": "unknown", "state_code": None, "session_ids": []},
    ]


def test_an_out_of_range_timestamp_keeps_its_unix_value(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.update_task(1400000000, 3, NotAfter=10**15)
    body = _task(invoke, 3)
    assert (body["not_after"], body["not_after_unix"]) == (None, 10**15)


def test_a_ring_timeout_is_passed_on(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.update_task(1400000000, 3, MaxRingTimeoutSecond=45)
    assert invoke(dict(TASK))["max_ring_timeout_seconds"] == 45


def test_booleans_are_not_state_codes(invoke: Invoke, ccc: CccBackend) -> None:
    # JSON true is not the integer 1 (nor false 0), although Python's bool is an int.
    callees = [{"Callee": "13800000001", "State": True}, {"Callee": "13800000002", "State": False}]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 901, "State": True, "Callees": callees})

    body = invoke({"SdkAppId": 1400000000, "TaskId": 901})

    assert (body["state"], body["state_code"]) == ("unknown", None)
    assert [(c["state"], c["state_code"]) for c in body["callees"]] == [("unknown", None)] * 2
    summary = body["callee_summary"]
    assert (summary["unknown"], summary["initial"], summary["answered"]) == (2, 0, 0)
