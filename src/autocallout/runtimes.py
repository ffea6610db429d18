"""SCF's Python runtimes, and where this machine keeps an interpreter for each.

The package is built, smoke-tested and benchmarked with the runtime's own CPython (its bytecode
format and its compiled modules are per minor version). Interpreters are found, never assumed:
``AUTOCALLOUT_PYTHON3_12`` (for ``Python3.12``) names one explicitly; otherwise ``python3.12`` on
PATH, then pyenv's versions, then uv's managed Pythons. Each candidate is run once to check that
it really is CPython of that minor version (a pyenv shim on PATH may exist and refuse to run).
"""

from __future__ import annotations

import functools
import os
import re
import shutil

# Candidates are run with a fixed command line built here: subprocess is safe (nosec below).
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

# SCF runtime name -> CPython minor version: the runtimes infra/ accepts (variables.tf checks the
# same list) that can run this code. SCF has no Python 3.11.
RUNTIMES = {"Python3.10": "3.10", "Python3.12": "3.12"}
DEFAULT_RUNTIME = "Python3.12"

# What a candidate says about itself; sys.executable resolves a shim to the real interpreter.
_PROBE = (
    "import platform, sys;"
    " print(platform.python_implementation(), platform.python_version(), sys.executable)"
)


class RuntimeNotFoundError(Exception):
    """An interpreter named explicitly is not the runtime's CPython: one line for the user."""


@dataclass(frozen=True)
class Interpreter:
    runtime: str
    path: Path
    version: str  # the full version it reported, e.g. 3.12.1


def override_variable(runtime: str) -> str:
    """``AUTOCALLOUT_PYTHON3_12`` for ``Python3.12``."""
    return "AUTOCALLOUT_PYTHON" + RUNTIMES[runtime].replace(".", "_")


def where_searched(runtime: str) -> str:
    """Where ``find_interpreter`` looks, for messages that say what was not found."""
    minor = RUNTIMES[runtime]
    return f"${override_variable(runtime)}, python{minor} on PATH, pyenv versions, uv Pythons"


def _probe(candidate: Path, minor: str) -> tuple[Path, str] | None:
    """(the real executable, its full version) if ``candidate`` is CPython ``minor``, else None."""
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            [str(candidate), "-I", "-S", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={"PATH": os.environ.get("PATH", ""), "PYENV_VERSION": minor},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = result.stdout.strip().split(" ", 2)
    if result.returncode != 0 or len(fields) != 3 or fields[0] != "CPython":
        return None
    _, version, executable = fields
    if version.split(".")[:2] != minor.split(".") or not executable:
        return None
    return Path(executable), version


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name))


def _pyenv_candidates(minor: str) -> list[Path]:
    roots = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(Path(os.environ["PYENV_ROOT"]))
    pyenv = shutil.which("pyenv")
    if pyenv:
        roots.append(Path(pyenv).resolve().parent.parent)
    roots.append(Path.home() / ".pyenv")
    found: list[Path] = []
    for root in dict.fromkeys(roots):
        versions = sorted(
            (root / "versions").glob(f"{minor}.*"), key=_version_key, reverse=True
        )  # newest patch release first; "3.12.1" but not "3.12-dev" or a virtualenv of another
        found += [version / "bin" / f"python{minor}" for version in versions]
    return found


def _uv_candidates(minor: str) -> list[Path]:
    uv = shutil.which("uv")
    if not uv:
        return []
    try:
        # find only: uv downloads a Python only when asked to install one.
        result = subprocess.run(  # noqa: S603  # nosec B603
            [uv, "python", "find", "--no-python-downloads", minor],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    path = result.stdout.strip()
    return [Path(path)] if result.returncode == 0 and path else []


@functools.cache
def find_interpreter(runtime: str) -> Interpreter | None:
    """The CPython for SCF ``runtime`` on this machine, or None when there is none.

    Raises RuntimeNotFoundError when ``AUTOCALLOUT_PYTHON3_x`` names something that is not it: an
    explicit choice that does not hold is an error, not a reason to look elsewhere.
    """
    minor = RUNTIMES[runtime]
    explicit = os.environ.get(override_variable(runtime))
    if explicit:
        probed = _probe(Path(explicit), minor)
        if probed is None:
            raise RuntimeNotFoundError(
                f"{override_variable(runtime)}={explicit} is not a working CPython {minor}"
            )
        return Interpreter(runtime, *probed)
    on_path = shutil.which(f"python{minor}")
    candidates = [Path(on_path)] if on_path else []
    candidates += _pyenv_candidates(minor)
    for candidate in [*candidates, *_uv_candidates(minor)]:
        if not candidate.is_file():
            continue
        probed = _probe(candidate, minor)
        if probed is not None:
            return Interpreter(runtime, *probed)
    return None


def runtime_of_extension(name: str) -> str | None:
    """The runtime a compiled module's file name is built for (``….cpython-312-….so``)."""
    match = re.search(r"\.cpython-3(\d+)-", name)
    if not match:
        return None
    return next((r for r, v in RUNTIMES.items() if v == f"3.{match[1]}"), None)
