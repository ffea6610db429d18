"""One log line (callout_task.logs.emit) whatever it is given: the schema's fields and no others,
the time to the millisecond, ids as given, everything else masked however deep it sits, and a
value JSON has no type for written as its text, on the same compact line."""

from __future__ import annotations

import json
import time
from pathlib import PurePosixPath
from typing import Any

import pytest
from callout_task import logs

PHONE = "13800138000"
MASKED = "*******8000"


def _emitted(capsys: pytest.CaptureFixture[str], **fields: Any) -> tuple[str, dict[str, Any]]:
    logs.emit("INFO", "test line", **fields)
    [raw] = capsys.readouterr().out.splitlines()
    line = json.loads(raw)
    assert list(line) == list(logs.LOG_FIELDS)
    return raw, line


@pytest.mark.parametrize(("detail", "before"), [("what happened", "what happened "), (None, " ")])
def test_a_field_outside_the_schema_is_kept_out_and_named_in_the_detail(
    capsys: pytest.CaptureFixture[str], detail: str | None, before: str
) -> None:
    _, line = _emitted(capsys, status=200, detail=detail, bogus=1, other="x")

    assert line["status"] == 200
    assert line["detail"].startswith(f"{before}(")
    assert "['bogus', 'other']" in line["detail"]


def test_the_time_is_unix_seconds_to_the_millisecond(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(5):
        before = time.time()
        _, line = _emitted(capsys)
        after = time.time()
        assert before - 0.0005 <= line["time"] <= after + 0.0005
        assert line["time"] * 1000 == pytest.approx(round(line["time"] * 1000), abs=1e-3)


def test_ids_stay_as_given_where_the_same_digits_elsewhere_are_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, line = _emitted(
        capsys,
        request_id=PHONE,
        scf_request_id=f"scf-{PHONE}",
        upstream_request_id=PHONE,
        detail=f"callee {PHONE}",
    )

    assert (line["request_id"], line["scf_request_id"]) == (PHONE, f"scf-{PHONE}")
    assert line["upstream_request_id"] == PHONE
    assert line["detail"] == f"callee {MASKED}"


def test_structured_values_are_masked_all_the_way_down_and_ids_in_them_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    detail = {"request_id": PHONE, "callee": PHONE, "callees": [PHONE, {"phone": PHONE}]}

    _, line = _emitted(capsys, detail=detail)

    assert line["detail"] == {
        "request_id": PHONE,
        "callee": MASKED,
        "callees": [MASKED, {"phone": MASKED}],
    }


@pytest.mark.parametrize("text", ["plain", "lone \ud800 surrogate"])
def test_a_value_json_has_no_type_for_is_written_as_its_text_on_a_compact_line(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    raw, line = _emitted(capsys, detail=text, traceback=PurePosixPath("/var/user/index.py"))

    assert line["traceback"] == "/var/user/index.py"
    assert line["detail"] == text
    if text == "plain":  # pydantic-core's encoder: no spaces between tokens
        assert raw.startswith('{"level":"INFO","message":"test line","time":')
