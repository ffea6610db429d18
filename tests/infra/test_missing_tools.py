"""A check whose tool is missing says so: skipped, naming the tool, on a developer's machine;
failed in CI, which must run every check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.paths import CHECKOV_VENV
from tests.infra.tools import require_tool


def _outcome(tool: Path, what: str, *needs: Path) -> pytest.ExceptionInfo[BaseException]:
    """What require_tool raised: pytest's skip and fail are exceptions, caught here as such so
    that a skip where a failure is due fails this test instead of skipping it."""
    with pytest.raises(BaseException) as raised:  # noqa: PT011 - the type is asserted after
        require_tool(tool, what, "make it", *needs)
    return raised


def test_a_missing_tool_skips_outside_ci_and_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CI", raising=False)
    raised = _outcome(tmp_path / "checkov", f"checkov's virtualenv {CHECKOV_VENV}")
    assert raised.type is pytest.skip.Exception
    assert f"checkov's virtualenv {CHECKOV_VENV} is not installed" in str(raised.value)


def test_a_tool_whose_interpreter_is_gone_counts_as_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CI", raising=False)
    script = tmp_path / "checkov"
    script.write_text("#!/nowhere/python\n", encoding="utf-8")
    assert _outcome(script, "checkov", tmp_path / "python").type is pytest.skip.Exception


@pytest.mark.parametrize("value", ["true", "1"])
def test_a_missing_tool_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    raised = _outcome(tmp_path / "checkov", "checkov")
    assert raised.type is pytest.fail.Exception
    assert "CI must run this check" in str(raised.value)
