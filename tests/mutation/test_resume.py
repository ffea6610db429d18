"""A stopped mutation run resumed (``mutation/run.py --again``): its stage brought to the
project as it is now, on a small project of files in a temporary folder (mutmut is not run)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.paths import REPO


def _run_module(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    monkeypatch.setenv("MUTATION_STAGE", str(tmp_path / "stage"))
    spec = importlib.util.spec_from_file_location("mutation_run", REPO / "mutation" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up
    spec.loader.exec_module(module)
    project = tmp_path / "project"
    monkeypatch.setattr(module, "REPO", project)
    monkeypatch.setattr(module, "FUNCTION_PACKAGE", project / "function" / "callout_task")
    return module


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_resume_drops_a_deleted_source_and_takes_changed_package_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a stage made when the package had kept.py, gone.py and openapi.json, with mutmut's
    # copies, records and outcomes of both sources
    run = _run_module(monkeypatch, tmp_path)
    stage, package = run.STAGE, run.FUNCTION_PACKAGE
    for folder in run._READ_BY_TESTS:
        (run.REPO / folder).mkdir(parents=True)
    _write(run.REPO / "src" / "autocallout" / "cli.py", "A = 1\n")
    for name, text in [("kept.py", "K = 1\n"), ("gone.py", "G = 1\n"), ("openapi.json", "{}")]:
        for root in (stage / "src", stage / "mutants" / "src"):
            _write(root / "callout_task" / name, text)
        if name.endswith(".py"):
            for record in (".meta", ".spans"):
                _write(stage / "mutants" / "src" / "callout_task" / (name + record), "{}")
    _write(stage / "src" / "autocallout" / "cli.py", "A = 1\n")
    # and since then gone.py deleted and the OpenAPI document changed
    _write(package / "kept.py", "K = 1\n")
    _write(package / "openapi.json", '{"openapi": "3.1.0"}')

    changed = run.refresh_stage()

    # Then nothing of gone.py is left to be mutated, run or counted, and the document the
    # tests read is the new one, in the stage and in mutmut's copy (made only once by mutmut)
    left = sorted(p.name for p in (stage / "mutants" / "src" / "callout_task").iterdir())
    assert left == ["kept.py", "kept.py.meta", "kept.py.spans", "openapi.json"]
    assert not (stage / "src" / "callout_task" / "gone.py").exists()
    for root in (stage / "src", stage / "mutants" / "src"):
        assert (root / "callout_task" / "openapi.json").read_text() == '{"openapi": "3.1.0"}'
    assert sorted(changed) == ["src/callout_task/gone.py", "src/callout_task/openapi.json"]


@pytest.mark.parametrize(("code", "stopped"), [(-15, True), (143, True), (130, True), (0, False)])
def test_a_mutmut_stopped_by_a_signal_ends_the_run_as_stopped_and_any_other_failure_raises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int, stopped: bool
) -> None:
    # Given mutmut ending with ``code`` (-15: SIGTERM to it; 143 and 130: its shell's words
    # for SIGTERM and Ctrl-C; 0: finished)
    run = _run_module(monkeypatch, tmp_path)

    def mutmut(*args: str) -> None:
        if code:
            raise subprocess.CalledProcessError(code, ["mutmut", *args])

    monkeypatch.setattr(run, "_mutmut", mutmut)
    # Then the run says whether it was stopped (what it finished is kept, and recorded)
    seconds, was_stopped = run.run_mutmut(4, [])
    assert (was_stopped, seconds >= 0) == (stopped, True)


def test_a_mutmut_that_failed_otherwise_is_not_taken_for_a_stop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = _run_module(monkeypatch, tmp_path)

    def mutmut(*args: str) -> None:
        raise subprocess.CalledProcessError(1, ["mutmut", *args])  # its clean tests failed

    monkeypatch.setattr(run, "_mutmut", mutmut)
    with pytest.raises(subprocess.CalledProcessError):
        run.run_mutmut(4, [])
