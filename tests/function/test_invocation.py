"""The ``invocation`` line of a lookup that never reached CCC or STS says so: no attempts, and
null upstream fields, as the log schema has it for fields that do not apply (callout_task.logs),
not an empty code or request id an operator would search CLS for."""

from __future__ import annotations

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.conftest import Invoke, log_lines


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ({"SdkAppId": 1400000000}, 400),  # no TaskId
        ({"SdkAppId": 1400000001, "TaskId": 3}, 403),  # not on ALLOWED_SDK_APP_IDS
    ],
    ids=["refused parameters", "refused SdkAppId"],
)
def test_a_lookup_refused_before_any_call_logs_no_attempt_and_null_upstream_fields(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    event: dict[str, int],
    status: int,
) -> None:
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000000")

    assert invoke(event)["status"] == status

    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert (line["status"], line["attempts"]) == (status, 0)
    assert (line["upstream_code"], line["upstream_request_id"]) == (None, None)
    assert ccc.calls == []
