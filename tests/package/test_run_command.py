"""``autocallout invoke --package`` and ``serve --package`` run the built zip as SCF does.

Through the real console script: the zip unpacked read-only, its runtime's own CPython with
``-I -S -B``, the fake CCC on loopback. Bad combinations get one line and exit code 2.
"""

from __future__ import annotations

import json

import pytest
import requests

from autocallout.runtimes import RUNTIMES
from tests.cli.commands import run, serving
from tests.package.builds import Built, runtime_interpreter
from tests.paths import REPO

EVENT = str(REPO / "events" / "function-url-get-task.json")


def test_invoke_runs_the_zip_on_its_runtime_and_prints_the_answer(built: Built) -> None:
    # Given a built zip and its runtime's interpreter
    runtime_interpreter(built.runtime)
    # When invoking it on a Function URL event
    result = run("invoke", "--package", str(built.zip_path), EVENT)
    # Then the answer is the task, and stderr says what ran it, how
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"])["task_id"] == 1
    assert f"on {built.runtime} (CPython {RUNTIMES[built.runtime]}." in result.stderr
    assert "unpacked read-only, -I -S -B" in result.stderr
    assert '"trigger":"function_url"' in result.stderr  # the function's log line, on stderr


def test_invoke_takes_the_folder_whose_manifest_names_the_zip(default_build: Built) -> None:
    # Given the folder a build wrote / When invoking with it as --package
    runtime_interpreter(default_build.runtime)
    result = run("invoke", "--package", str(default_build.zip_path.parent), EVENT)
    # Then the zip its manifest names is what runs
    assert result.returncode == 0, result.stderr
    assert str(default_build.zip_path) in result.stderr


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (
            ["--runtime", "Python3.10"],
            "is built for Python3.12, not Python3.10: build one for it with make package"
            " RUNTIME=Python3.10",
        ),
        (["--runtime", "Python3.11"], "invalid choice: 'Python3.11'"),
    ],
)
def test_invoke_refuses_a_runtime_the_zip_is_not_built_for(
    default_build: Built, arguments: list[str], complaint: str
) -> None:
    # Given a Python3.12 zip / When asking to run it on another runtime
    result = run("invoke", "--package", str(default_build.zip_path), *arguments, EVENT)
    # Then one line says why not, exit code 2
    assert result.returncode == 2
    assert complaint in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--package", "no/such.zip"], "no such package: no/such.zip"),
        (["--package", "events"], "events has no describe_auto_callout_task.json"),
        (["--package", EVENT], "is not a zip"),
        (["--runtime", "Python3.12"], "--runtime goes with --package"),
    ],
)
def test_invoke_refuses_a_bad_package_in_one_line(arguments: list[str], complaint: str) -> None:
    # Given a package argument that cannot work / When invoking
    result = run("invoke", *arguments, EVENT)
    # Then one line says what is wrong, exit code 2, no traceback
    assert result.returncode == 2
    assert complaint in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_serve_answers_http_from_the_zip(default_build: Built) -> None:
    # Given `autocallout serve --package` on the built zip, with the fake
    runtime_interpreter(default_build.runtime)
    with serving("--package", str(default_build.zip_path)) as (url, _):
        # When a client asks for task 3 over HTTP
        reply = requests.get(url, params={"SdkAppId": 1400000000, "TaskId": 3}, timeout=30)
    # Then the zip's function answers it
    assert reply.status_code == 200
    assert reply.json()["task_id"] == 3
