"""`make` builds .venv with an interpreter new enough for the dev tools, and says so when not.

Each test runs the real Makefile in a scratch folder (the Makefile and pyproject.toml copied),
with pyenv's (or PATH's) CPython 3.10 as the interpreter that is too old.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autocallout.runtimes import find_interpreter
from tests.paths import REPO


def _python_3_10() -> Path:
    interpreter = find_interpreter("Python3.10")
    if interpreter is None:
        message = "no CPython 3.10 on this machine to build a .venv with"
        if os.environ.get("AUTOCALLOUT_REQUIRE_RUNTIMES"):
            pytest.fail(f"{message}, and AUTOCALLOUT_REQUIRE_RUNTIMES is set")
        pytest.skip(message)
    return interpreter.path


def _make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _scratch_checkout(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    return tmp_path


def test_a_python_too_old_is_named_before_anything_is_created(tmp_path: Path) -> None:
    folder = _scratch_checkout(tmp_path)
    old = _python_3_10()

    result = _make(folder, ".venv/.ready", f"PYTHON={old}")

    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stderr
    assert "is Python 3.10." in result.stderr
    assert "PYTHON=python3.11" in result.stderr
    assert not (folder / ".venv").exists()


def test_a_venv_made_by_an_older_python_is_rebuilt(tmp_path: Path) -> None:
    folder = _scratch_checkout(tmp_path)
    # What a first `make demo` on 3.10 left before the check existed: a .venv whose install failed.
    subprocess.run([_python_3_10(), "-m", "venv", "--without-pip", folder / ".venv"], check=True)

    result = _make(folder, ".venv/bin/python", f"PYTHON={sys.executable}")

    assert result.returncode == 0, result.stderr
    assert "rebuilding .venv: it was made by Python 3.10" in result.stdout
    version = subprocess.run(
        [folder / ".venv/bin/python", "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.strip() == str(tuple(sys.version_info[:2]))


def test_a_good_venv_is_kept(tmp_path: Path) -> None:
    folder = _scratch_checkout(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", folder / ".venv"], check=True)
    marker = folder / ".venv" / "kept"
    marker.touch()

    result = _make(folder, ".venv/bin/python", f"PYTHON={_python_3_10()}")

    assert result.returncode == 0, result.stderr
    assert marker.exists()  # neither rebuilt nor refused for the (unused) PYTHON it was given
