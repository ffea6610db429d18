"""Every field the function actually writes, on every path, is one the CLS index in infra/
covers, with a value of the index's type; and the field list the checkov policy reads from the
code misses none of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from callout_task import handler, logs

from autocallout.fake_ccc import CccBackend
from infra.policies.function_log_fields import logged_fields
from tests.conftest import REPO
from tests.function.conftest import Invoke, function_url_get, log_lines
from tests.infra.test_log_index import index_fields
from tests.infra.tf_schema_check import load_config

TASK = {"SdkAppId": 1400000000, "TaskId": 3}
CONTEXT = {"time_limit_in_ms": 3000, "request_id": "0f6d5c3e-8d8a-4a35-9c67-4c0b5a3f2d11"}
# JSON value types each CLS type takes; SCF ships nested values as text (583/55595).
ACCEPTS: dict[str, tuple[type, ...]] = {
    "long": (int,),
    "double": (int, float),
    "text": (str, list, dict),
}

Scenario = Callable[[Invoke, CccBackend, pytest.MonkeyPatch], Any]


def _explode(*args: Any) -> Any:
    raise RuntimeError("boom")


SCENARIOS: dict[str, Scenario] = {
    "ok": lambda invoke, ccc, mp: invoke(function_url_get(SdkAppId="1400000000", TaskId="3")),
    "invalid": lambda invoke, ccc, mp: invoke(function_url_get(SdkAppId="x")),
    "throttled": lambda invoke, ccc, mp: (ccc.faults.throttle(times=None), invoke(dict(TASK))),
    "credentials rejected": lambda invoke, ccc, mp: (
        mp.setenv("TENCENTCLOUD_SECRETKEY", "a-wrong-key"),
        invoke(dict(TASK)),
    ),
    "credentials missing": lambda invoke, ccc, mp: (
        mp.delenv("TENCENTCLOUD_SECRETID"),
        invoke(dict(TASK)),
    ),
    "misconfigured": lambda invoke, ccc, mp: (
        mp.setenv("RATE_LIMIT_QPS", "fast"),
        invoke(dict(TASK)),
    ),
    "unexpected": lambda invoke, ccc, mp: (
        mp.setattr("callout_task.upstream.normalise_digested", _explode),
        invoke(dict(TASK)),
    ),
    "timer": lambda invoke, ccc, mp: invoke(
        {"Type": "Timer", "TriggerName": "poll", "Message": json.dumps([TASK, TASK])}
    ),
    "timer misconfigured": lambda invoke, ccc, mp: invoke(
        {"Type": "Timer", "TriggerName": "poll", "Message": ""}
    ),
}


def indexed(repo: Path = REPO) -> dict[str, str]:
    return index_fields(load_config(repo / "infra" / "modules" / "autocallout"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_field_written_is_indexed_with_a_fitting_type(
    name: str,
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given one path through the function, with SCF's context
    SCENARIOS[name](lambda event: invoke(event, CONTEXT), ccc, monkeypatch)
    lines = log_lines(capsys.readouterr().out)
    assert lines
    types = indexed()
    for line in lines:
        # Then each field of each line is indexed, and its value fits the index's type
        assert set(line) <= set(types), set(line) - set(types)
        for field, value in line.items():
            assert value is None or isinstance(value, ACCEPTS[types[field]]), (field, value)


def test_the_field_list_read_from_the_source_is_logs_log_fields() -> None:
    # CKV_CALLOUT_8 reads LOG_FIELDS from the source without importing it: the same names.
    assert logged_fields() == set(logs.LOG_FIELDS)


def test_every_path_writes_only_the_fields_the_policy_reads(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given every path above, run one after another
    written: set[str] = set()
    for scenario in SCENARIOS.values():
        with monkeypatch.context() as patch:
            scenario(lambda event: invoke(event, CONTEXT), ccc, patch)
        ccc.faults.clear()
        handler._instance = None  # each path starts as a new instance, as in its own test
        written |= {field for line in log_lines(capsys.readouterr().out) for field in line}
    # Then the list CKV_CALLOUT_8 reads from the source holds every field that was written
    assert len(written) >= 14, written
    assert written <= logged_fields(), written - logged_fields()
