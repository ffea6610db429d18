"""`bench/run.py --quick` is a sanity run: it never writes over the recorded figures.

The script runs from a copy of bench/ in a temporary folder, so that a broken guard overwrites
the copy's record, never the repository's."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO


@pytest.fixture
def bench_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "bench", tmp_path / "bench", ignore=shutil.ignore_patterns(".work"))
    return tmp_path


@pytest.mark.parametrize(
    "out", ["bench/results.json", "docs/benchmarks.md", "./bench/../bench/results.json"]
)
def test_a_quick_run_refuses_to_write_the_record(bench_copy: Path, out: str) -> None:
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--out", out],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=bench_copy,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("run.py: error: --quick never writes over the record (")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_quick_run_writes_its_figures_elsewhere(bench_copy: Path) -> None:
    # The destination is announced before anything is measured; the run is stopped there.
    process = subprocess.Popen(
        [sys.executable, "bench/run.py", "--quick"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=bench_copy,
        start_new_session=True,  # its fake CCC child goes down with it
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline().strip()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    quick_results = bench_copy / "bench" / ".work" / "results-quick.json"
    assert first == f"quick run, not for the record: results to {quick_results}"
