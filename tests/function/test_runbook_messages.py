"""docs/operations.md tells the operator what to do by the ERROR line's message: every ERROR
line the function writes starts with a message the runbook's misconfigured section names."""

from __future__ import annotations

import re
import uuid

import callout_task
import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.logging_paths import CONTEXT, SCENARIOS
from tests.function.scenarios import Invoke
from tests.paths import REPO
from tests.seeded import TASK

RUNBOOK = REPO / "docs" / "operations.md"


def runbook_messages() -> list[str]:
    """The start of each message the misconfigured section lists (up to a <placeholder> or …)."""
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text.split("### misconfigured", 1)[1].split("\n## ", 1)[0]
    listed = section.split("Then, by the message:", 1)[1]
    spans = re.findall(r"^- `([^`]+)`", listed, re.M)
    return [re.split(r"<|…", span, maxsplit=1)[0] for span in spans]


def _role_unavailable(invoke: Invoke, ccc: CccBackend, mp: pytest.MonkeyPatch) -> object:
    mp.setenv("CCC_ROLE_ARN", f"qcs::cam::uin/100000000001:roleName/gone-{uuid.uuid4().hex}")
    return invoke(dict(TASK))


def _clock_skew(invoke: Invoke, ccc: CccBackend, mp: pytest.MonkeyPatch) -> object:
    ccc.faults.error("AuthFailure.SignatureExpire", times=None)
    return invoke(dict(TASK))


def _token_refused(invoke: Invoke, ccc: CccBackend, mp: pytest.MonkeyPatch) -> object:
    ccc.faults.error("AuthFailure.TokenFailure", times=None)
    return invoke(dict(TASK))


def _malformed_credentials(invoke: Invoke, ccc: CccBackend, mp: pytest.MonkeyPatch) -> object:
    mp.setenv("TENCENTCLOUD_SESSIONTOKEN", "pasted\ntwice")
    return invoke(dict(TASK))


ERROR_SCENARIOS = {
    **SCENARIOS,
    "role unavailable": _role_unavailable,
    "clock skew": _clock_skew,
    "token refused": _token_refused,
    "malformed credentials": _malformed_credentials,
}
ERROR_SCENARIOS.pop("unexpected")  # a bug, not a misconfiguration: the server-errors section


@pytest.mark.parametrize("name", ERROR_SCENARIOS)
def test_every_error_line_is_one_the_runbook_explains(
    name: str,
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given one path through the function
    ERROR_SCENARIOS[name](lambda event: invoke(event, CONTEXT), ccc, monkeypatch)
    errors = [
        line["message"] for line in log_lines(capsys.readouterr().out) if line["level"] == "ERROR"
    ]
    # Then each ERROR message starts with one the runbook lists
    known = runbook_messages()
    for message in errors:
        assert any(message.startswith(start) for start in known), (message, known)


def test_the_misconfigured_paths_write_error_lines(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The check above is not empty: these paths do write ERROR lines.
    for name in (
        "credentials rejected",
        "credentials missing",
        "misconfigured",
        "role unavailable",
    ):
        with monkeypatch.context() as patch:
            ERROR_SCENARIOS[name](lambda event: invoke(event, CONTEXT), ccc, patch)
        callout_task.reset_instance()  # each path starts as a new instance, with its own settings
        lines = log_lines(capsys.readouterr().out)
        assert any(line["level"] == "ERROR" for line in lines), name
