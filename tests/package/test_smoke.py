"""The unzipped package alone is enough to import and run the function: nothing comes from here.

A fresh interpreter (-I: no environment, no user site; -S: no site-packages, so neither the dev
virtualenv nor its editable install of callout_task) gets the unzipped folder and the standard
library on sys.path, and runs sample events against the fake CCC served on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer
from tests.conftest import REPO
from tests.package.conftest import Built

EVENTS = REPO / "events"

INVOKE = r"""
import json, sys, sysconfig

root = sys.argv[1]
stdlib = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
sys.path[:] = [root] + [p for p in sys.path if p.startswith(tuple(stdlib)) or p.endswith(".zip")]

import index

answers = {}
for name in sys.argv[2:]:
    with open(name, encoding="utf-8") as event:
        answers[name] = index.main_handler(json.load(event), {"time_limit_in_ms": 3000})
outside = sorted(
    f"{module}: {path}"
    for module, path in ((m, getattr(mod, "__file__", None)) for m, mod in sys.modules.items())
    if path and not path.startswith(root + "/") and not path.startswith(tuple(stdlib))
)
print(json.dumps({"answers": answers, "outside": outside, "path": sys.path}))
"""


@pytest.fixture(scope="module")
def unzipped(local_build: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(local_build.zip_path) as archive:
        archive.extractall(root)
    return root


@pytest.fixture(scope="module")
def run_in_fresh_python(unzipped: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Invoke the unzipped function on events, in an isolated interpreter, against the fake."""
    events = [
        str(EVENTS / "direct-invoke.json"),
        str(EVENTS / "function-url-get-task.json"),
    ]
    with FakeCccServer(CccBackend.seeded()) as url:
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", INVOKE, str(unzipped), *events],
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "CCC_ENDPOINT": url,
                "TENCENTCLOUD_SECRETID": DEFAULT_CREDENTIALS.secret_id,
                "TENCENTCLOUD_SECRETKEY": DEFAULT_CREDENTIALS.secret_key,
                "TENCENTCLOUD_SESSIONTOKEN": DEFAULT_CREDENTIALS.token or "",
            },
            cwd=tmp_path_factory.mktemp("empty"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    report: Any = json.loads(result.stdout.splitlines()[-1])
    return report


def test_the_unzipped_package_answers_a_direct_invocation(run_in_fresh_python: Any) -> None:
    # Given the package unzipped alone / When invoked directly for task 3
    answer = run_in_fresh_python["answers"][str(EVENTS / "direct-invoke.json")]
    # Then it fetched the task from the fake
    assert answer.get("task_id") == 3, answer
    assert answer["sdk_app_id"] == 1400000000


def test_the_unzipped_package_answers_a_function_url_request(run_in_fresh_python: Any) -> None:
    # Given the package unzipped alone / When called through a Function URL for task 1
    answer = run_in_fresh_python["answers"][str(EVENTS / "function-url-get-task.json")]
    # Then it answers 200 with the task
    assert answer.get("statusCode") == 200, answer
    assert json.loads(answer["body"])["task_id"] == 1


def test_every_module_imported_came_from_the_package_or_the_standard_library(
    run_in_fresh_python: Any, unzipped: Path
) -> None:
    # Given the function has run from the unzipped package
    # When listing where its modules were loaded from, and the search path it had
    outside = run_in_fresh_python["outside"]
    search_path = run_in_fresh_python["path"]
    # Then nothing came from the repository, the dev virtualenv or any site-packages
    assert outside == []
    assert search_path[0] == str(unzipped)
    assert not [entry for entry in search_path if "site-packages" in entry or str(REPO) in entry]
