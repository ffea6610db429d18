"""Every field the function actually writes, on every path, is one the CLS index in infra/
covers, with a value of the index's type; and the field list the checkov policy reads from the
code misses none of them."""

from __future__ import annotations

from pathlib import Path

import callout_task
import pytest
from callout_task import logs

from autocallout.fake_ccc import CccBackend
from infra.policies.function_log_fields import logged_fields
from tests.function.answers import log_lines
from tests.function.logging_paths import CONTEXT, SCENARIOS
from tests.function.scenarios import Invoke
from tests.infra.log_setup import index_fields
from tests.infra.tf_schema_check import load_config
from tests.paths import REPO

# JSON value types each CLS type takes; SCF ships nested values as text (583/55595).
ACCEPTS: dict[str, tuple[type, ...]] = {
    "long": (int,),
    "double": (int, float),
    "text": (str, list, dict),
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
        callout_task.reset_instance()  # each path starts as a new instance, as in its own test
        written |= {field for line in log_lines(capsys.readouterr().out) for field in line}
    # Then the list CKV_CALLOUT_8 reads from the source holds every field that was written
    assert len(written) >= 14, written
    assert written <= logged_fields(), written - logged_fields()
