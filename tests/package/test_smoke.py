"""The shipped zip, run as SCF runs it, answers every trigger on each runtime's own interpreter.

For each target runtime the exact built artifact is unpacked into a read-only directory and
started by ``autocallout.packaged_runtime`` (what ``autocallout invoke --package`` uses): that
runtime's CPython, ``-I -S -B`` and PYTHONDONTWRITEBYTECODE=1, only the unpacked directory and
the standard library on ``sys.path``, the fake CCC served on loopback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer
from autocallout.packaged_runtime import PackagedFunction, tree_listing
from autocallout.runtimes import RUNTIMES
from tests.package.builds import Built, runtime_interpreter
from tests.paths import REPO

EVENTS = REPO / "events"


def event(name: str) -> Any:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def instance(built: Built) -> Iterator[tuple[PackagedFunction, dict[str, int]]]:
    """One SCF-like instance of ``built`` on its runtime, against the fake; and the files it had
    when unpacked, to compare with after the run."""
    runtime_interpreter(built.runtime)
    with FakeCccServer(CccBackend.seeded()) as url:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "CCC_ENDPOINT": url,
            "TENCENTCLOUD_SECRETID": DEFAULT_CREDENTIALS.secret_id,
            "TENCENTCLOUD_SECRETKEY": DEFAULT_CREDENTIALS.secret_key,
            "TENCENTCLOUD_SESSIONTOKEN": DEFAULT_CREDENTIALS.token or "",
        }
        with PackagedFunction(built.zip_path, built.runtime, environment) as function:
            yield function, tree_listing(function.root)


def invoke(instance: tuple[PackagedFunction, dict[str, int]], name: str) -> Any:
    function, _ = instance
    return function.invoke(event(name), {"request_id": name, "time_limit_in_ms": 3000})


def test_it_runs_on_the_runtimes_own_interpreter_isolated(
    instance: tuple[PackagedFunction, dict[str, int]], built: Built
) -> None:
    # Given the instance of the built zip / When asking it what it runs on
    function, _ = instance
    report = function.report()
    # Then it is that runtime's CPython, isolated, without site-packages, writing no bytecode
    assert report["implementation"] == "cpython"
    assert report["version"].rsplit(".", 1)[0] == RUNTIMES[built.runtime]
    assert report["flags"] == {"isolated": 1, "no_site": 1, "dont_write_bytecode": 1}


def test_it_answers_a_function_url_request(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance / When a Function URL GET asks for task 1
    answer = invoke(instance, "function-url-get-task.json")
    # Then it answers 200 with that task
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["task_id"] == 1


def test_it_answers_an_api_gateway_request(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance / When a legacy API Gateway POST asks for task 5
    answer = invoke(instance, "apigw-post-json-body.json")
    # Then it answers 200 in the gateway's four-field shape
    assert answer["statusCode"] == 200, answer
    assert answer["isBase64Encoded"] is False
    assert json.loads(answer["body"])["task_id"] == 5


def test_it_answers_a_timer_with_one_result_per_task(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance / When a timer's Message lists two tasks
    answer = invoke(instance, "timer-two-tasks.json")
    # Then each gets its own result
    assert [result.get("task_id") for result in answer["results"]] == [3, 6], answer


def test_it_answers_a_direct_invocation(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance / When invoked directly for task 3
    answer = invoke(instance, "direct-invoke.json")
    # Then the body object itself comes back
    assert answer.get("task_id") == 3, answer
    assert answer["sdk_app_id"] == 1400000000


def test_it_refuses_a_bad_request_with_a_problem(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance / When a request's TaskId is not a number
    answer = invoke(instance, "bad-task-id.json")
    # Then the shipped validation answers 400 with a problem naming the field
    assert answer["statusCode"] == 400, answer
    assert "TaskId" in answer["body"]


def test_every_module_came_from_the_package_or_the_standard_library(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance has answered / When listing where its modules came from, and its path
    function, _ = instance
    invoke(instance, "function-url-get-task.json")
    report = function.report()
    # Then nothing came from the repository, the dev virtualenv or any site-packages
    assert report["outside"] == []
    assert report["path"][0] == str(function.root)
    assert not [p for p in report["path"] if "site-packages" in p or str(REPO) in p]


def test_the_shipped_bytecode_is_used_nothing_is_compiled_on_import(
    instance: tuple[PackagedFunction, dict[str, int]], built: Built
) -> None:
    # Given the instance has imported index and answered every kind of trigger
    function, _ = instance
    for name in ("function-url-get-task.json", "apigw-post-json-body.json", "timer-one-task.json"):
        invoke(instance, name)
    # When asking which of the package's sources it had to compile
    compiled = function.report()["compiled"]
    # Then none: every module it imported was loaded from the zip's pycs
    assert built.bytecode is not None, "built without the runtime's interpreter"
    assert compiled == []


def test_the_read_only_directory_is_left_as_unpacked(
    instance: tuple[PackagedFunction, dict[str, int]],
) -> None:
    # Given the instance has run
    function, unpacked = instance
    invoke(instance, "direct-invoke.json")
    # When listing its code directory again
    after = tree_listing(function.root)
    # Then nothing was written there (no __pycache__ of its own), and write bits are off
    assert after == unpacked
    assert not [p for p in [function.root, *function.root.rglob("*")] if p.stat().st_mode & 0o222]


def test_the_unpacked_files_are_those_of_the_zip(
    instance: tuple[PackagedFunction, dict[str, int]], built: Built
) -> None:
    # Given the instance's code directory / When comparing it with the zip's entries
    _, unpacked = instance
    # Then it is exactly the artifact, file for file and size for size
    assert unpacked == {info.filename: info.file_size for info in built.infos()}


def test_a_package_folder_resolves_to_the_zip_its_manifest_names(
    default_build: Built,
) -> None:
    # Given the folder a build wrote / When resolving it as --package does
    from autocallout.packaged_runtime import resolve_package

    # Then it is the zip the manifest names
    assert resolve_package(default_build.zip_path.parent) == default_build.zip_path
    assert resolve_package(default_build.zip_path) == default_build.zip_path
