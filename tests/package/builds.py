"""A package built for one runtime, what it holds, and the interpreter of each runtime (a loud
skip where it is missing, a failure where CI requires it); a tiny repository to build."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from autocallout import package
from autocallout.runtimes import RUNTIMES, Interpreter, find_interpreter, where_searched

# .ci/run sets it: there, a runtime's interpreter missing is a failure, not a skip.
REQUIRE_RUNTIMES = "AUTOCALLOUT_REQUIRE_RUNTIMES"


@dataclass(frozen=True)
class Built:
    runtime: str
    zip_path: Path
    bytecode: str | None  # the interpreter version that compiled it; None: sources only

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.zip_path) as archive:
            return archive.namelist()

    def infos(self) -> list[zipfile.ZipInfo]:
        with zipfile.ZipFile(self.zip_path) as archive:
            return archive.infolist()


def runtime_interpreter(runtime: str) -> Interpreter:
    """The runtime's CPython, or a loud skip naming it (a failure where CI requires it)."""
    interpreter = find_interpreter(runtime)
    if interpreter is None:
        message = (
            f"no CPython {RUNTIMES[runtime]} for {runtime} on this machine"
            f" (looked at {where_searched(runtime)})"
        )
        if os.environ.get(REQUIRE_RUNTIMES):
            pytest.fail(f"{message}, and {REQUIRE_RUNTIMES} is set")
        pytest.skip(message)
    return interpreter


def build_into(factory: pytest.TempPathFactory, runtime: str) -> Built:
    built = package.build(runtime, factory.mktemp(f"dist-{runtime}"))
    return Built(runtime, built.zip_path, built.bytecode)


# A tiny repository to build: its function needs only idna 3.20, whose wheel has this hash.
IDNA_HASH = "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c"


def tiny_repo(root: Path, requirements: str, *extra_modules: str) -> Path:
    """A repository whose function is one handler (plus ``extra_modules``) needing only idna."""
    function = root / "functions" / package.FUNCTION
    function.mkdir(parents=True)
    (function / "index.py").write_text("def main_handler(event, context):\n    return event\n")
    for module in extra_modules:
        (function / module).write_text("")
    (function.parent / "requirements.txt").write_text(requirements)
    return root
