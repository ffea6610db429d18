"""The cold path stays lean: what ``import index`` loads is checked against an allow-list.

Not a timing (``make bench`` measures those, docs/benchmarks.md): a fresh interpreter imports
``index`` from the function folder, as SCF does, and lists the modules that import added. Only
the standard library, pydantic-core and typing_extensions, and the function's package may appear;
the SDK's signer (``tencentcloud``) and the HTTP stack (``http.client``, ``ssl``) are imported on
the first CCC call, never before, so answers that do not reach CCC do not pay for them; and a few
heavy standard-library modules that nothing on the cold path needs stay out too. requests and
its helpers are not shipped at all (tests/package).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO

FUNCTION_DIR = REPO / "functions" / "describe_auto_callout_task"

FUNCTION_PACKAGES = frozenset({"index", "callout_task"})
# pydantic-core validates the request (with the schema pydantic builds for the request model,
# generated into request_schema.py): it and typing_extensions are the only third-party code
# allowed. pydantic itself, and the model it would build on every cold start, stay out.
ALLOWED_THIRD_PARTY = frozenset({"pydantic_core", "typing_extensions"})
# Loaded lazily by the CCC call (callout_task.upstream): never by ``import index``.
LAZY_SDK = frozenset(
    {"tencentcloud", "requests", "urllib3", "charset_normalizer", "idna", "certifi", "chardet"}
)
# Standard-library modules the cold path has no use for, and which cost milliseconds each
# (``ssl`` and ``http.client`` come with the first call, later).
HEAVY_STDLIB = frozenset(
    {
        "asyncio",
        "concurrent",
        "ctypes",
        "dataclasses",  # ~5 ms the SDK does not pay (inspect comes with typing_extensions anyway)
        "http",
        "logging",
        "multiprocessing",
        "pydoc",
        "sqlite3",
        "selectors",
        "socket",  # ~3 ms with selectors: loaded by a deadline that fires or a Redis connection
        "ssl",
        "subprocess",
        "unittest",
        "urllib.request",
        "xml",
    }
)

# The child imports nothing before taking its snapshot of sys.modules but what the interpreter
# itself loaded; -I keeps PYTHON* variables and the user's site-packages out of it.
_PROBE = """
import sys
before = set(sys.modules)
sys.path.insert(0, {folder!r})
import index
added = sorted(set(sys.modules) - before)
import json
print(json.dumps(added))
"""


def modules_imported_by_index(function_dir: Path) -> list[str]:
    """The modules a fresh interpreter loads for ``import index`` from ``function_dir``."""
    completed = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE.format(folder=str(function_dir))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    modules: list[str] = json.loads(completed.stdout.splitlines()[-1])
    return modules


def _is_stdlib(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top in sys.stdlib_module_names or top.startswith("_sysconfigdata_")


def _within(name: str, roots: frozenset[str]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def cold_path_offenders(modules: list[str]) -> list[str]:
    """Every module that has no place on the cold path, with the reason."""
    offenders = []
    for name in modules:
        top = name.split(".", 1)[0]
        if top in LAZY_SDK:
            offenders.append(f"{name}: the SDK is imported on the first CCC call only")
        elif _within(name, HEAVY_STDLIB):
            offenders.append(f"{name}: a heavy standard-library module the cold path avoids")
        elif not (_is_stdlib(name) or top in ALLOWED_THIRD_PARTY or top in FUNCTION_PACKAGES):
            offenders.append(f"{name}: not in the cold path's allow-list")
    return offenders


@pytest.fixture(scope="module")
def imported() -> list[str]:
    return modules_imported_by_index(FUNCTION_DIR)


def test_import_index_loads_only_allowed_modules(imported: list[str]) -> None:
    assert "callout_task.handler" in imported  # the probe did import the function
    assert cold_path_offenders(imported) == []


def test_the_sdk_waits_for_the_first_ccc_call(imported: list[str]) -> None:
    assert "callout_task.upstream" in imported
    assert sorted({name.split(".", 1)[0] for name in imported} & LAZY_SDK) == []


def test_the_guard_catches_a_heavy_import(tmp_path: Path) -> None:
    """The same check on a copy of the function whose index.py imports requests at the top."""
    copy = tmp_path / "function"
    shutil.copytree(FUNCTION_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    index = copy / "index.py"
    index.write_text("import requests  # noqa: F401\n" + index.read_text(encoding="utf-8"))
    offenders = cold_path_offenders(modules_imported_by_index(copy))
    assert any(line.startswith("requests:") for line in offenders)
    assert any(line.startswith("urllib3") for line in offenders)
    assert any(line.startswith("ssl:") for line in offenders)


def test_the_watch_waits_for_a_timer_that_carries_one(imported: list[str]) -> None:
    # Its modules (threads, http.client, its SSM and Redis code) load on a watching tick only.
    assert [name for name in imported if name.startswith("callout_task.watch_")] == []
