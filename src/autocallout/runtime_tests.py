"""The function's tests on each SCF runtime's own CPython: ``python -m autocallout.runtime_tests``.

``make test`` runs the whole suite on the dev interpreter, then this: for Python3.10 and
Python3.12, a virtualenv made with that runtime's interpreter (``.venv-py3.10``, rebuilt when
pyproject.toml changes) with the project and its ``runtime-tests`` extra, and ``tests/function``
run in it. (The package smoke tests already run each runtime's zip on that runtime's own
interpreter, from the dev suite.) A runtime whose interpreter this machine lacks is a loud skip
naming it, or a failure when AUTOCALLOUT_REQUIRE_RUNTIMES is set (.ci/run sets it).
"""

from __future__ import annotations

import argparse
import os

# The runner starts our own interpreters and pip with fixed command lines: subprocess is safe.
import subprocess  # nosec B404
import sys
from collections.abc import Sequence
from pathlib import Path

from autocallout.runtimes import (
    RUNTIMES,
    Interpreter,
    RuntimeNotFoundError,
    find_interpreter,
    where_searched,
)

REPO = Path(__file__).resolve().parents[2]
TESTS = ("tests/function",)
REQUIRE_RUNTIMES = "AUTOCALLOUT_REQUIRE_RUNTIMES"


def _say(line: str) -> None:
    print(line, flush=True)


def _run(command: Sequence[str]) -> int:
    completed = subprocess.run(command, cwd=REPO, check=False)  # noqa: S603  # nosec B603
    return completed.returncode


def virtualenv(interpreter: Interpreter) -> Path | None:
    """``.venv-py3.x`` with the project and its runtime-tests extra, made if missing or stale."""
    venv = REPO / f".venv-py{'.'.join(interpreter.version.split('.')[:2])}"
    python = venv / "bin" / "python"
    ready = venv / ".ready"
    pyproject = REPO / "pyproject.toml"
    if ready.is_file() and ready.stat().st_mtime >= pyproject.stat().st_mtime and python.exists():
        return python
    _say(f"runtime tests: making {venv.name} with CPython {interpreter.version}")
    steps = [
        [str(interpreter.path), "-m", "venv", "--clear", str(venv)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            ".[runtime-tests]",
        ],
    ]
    for step in steps:
        if _run(step) != 0:
            _say(f"runtime tests: FAILED to make {venv.name}: {' '.join(step)}")
            return None
    ready.touch()
    return python


def run_leg(runtime: str, pytest_arguments: Sequence[str]) -> str:
    """'passed', 'failed' or 'skipped' for one runtime."""
    try:
        interpreter = find_interpreter(runtime)
    except RuntimeNotFoundError as problem:
        _say(f"runtime tests: FAILED {runtime}: {problem}")
        return "failed"
    if interpreter is None:
        _say(
            f"runtime tests: SKIPPED {runtime}: no CPython {RUNTIMES[runtime]} on this machine"
            f" (looked at {where_searched(runtime)})"
        )
        return "failed" if os.environ.get(REQUIRE_RUNTIMES) else "skipped"
    python = virtualenv(interpreter)
    if python is None:
        return "failed"
    _say(f"runtime tests: {runtime} on CPython {interpreter.version}: {' '.join(TESTS)}")
    code = _run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS, *pytest_arguments]
    )
    return "passed" if code == 0 else "failed"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocallout.runtime_tests",
        description="Run tests/function on each SCF runtime's own CPython.",
    )
    parser.add_argument(
        "--runtime", action="append", choices=list(RUNTIMES), help="only this runtime (repeatable)"
    )
    parser.add_argument("pytest_arguments", nargs="*", help="passed on to pytest (after --)")
    args = parser.parse_args(argv)
    outcomes = {
        runtime: run_leg(runtime, args.pytest_arguments) for runtime in args.runtime or RUNTIMES
    }
    _say(
        "runtime tests: "
        + ", ".join(f"{runtime} {outcome}" for runtime, outcome in outcomes.items())
    )
    return 1 if "failed" in outcomes.values() else 0


if __name__ == "__main__":
    sys.exit(main())
