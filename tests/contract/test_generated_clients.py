"""Clients generated from the published documents work against ``autocallout serve --fake``.

The two generators integrators use most, run as they would run them: openapi-python-client on
docs/openapi.json (3.1) and openapi-generator (``-g python``, the jar that the PyPI package
openapi-generator-cli carries, on Java) on docs/openapi-3.0.json. Each client is generated once
per test session (they take seconds), imported from a temporary folder, and called over loopback:
a typed task for 200, a typed problem (status, type, errors) for 400 and 404, one parameter per
concept.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.cli.commands import serving
from tests.contract.documents import OPENAPI_30_DOCUMENT, OPENAPI_DOCUMENT

BIN = Path(sys.executable).parent
CONCEPTS = {"sdk_app_id", "task_id", "include_callees", "callee_offset", "callee_limit"}
KNOWN = {"sdk_app_id": 1400000000, "task_id": 3}
UNKNOWN_TASK = {"sdk_app_id": 1400000000, "task_id": 999_999}


def _generate(command: list[str], cwd: Path) -> str:
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    return output


def _import(folder: Path, package: str) -> ModuleType:
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture(scope="session")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, str]:
    """openapi-python-client's client of docs/openapi.json, and what the generator said."""
    folder = tmp_path_factory.mktemp("openapi-python-client")
    output = _generate(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(OPENAPI_DOCUMENT),
            "--output-path",
            "opc_task_client",
            "--meta",
            "none",
        ],
        folder,
    )
    return _import(folder, "opc_task_client"), output


@pytest.fixture(scope="session")
def generator_client(tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, str]:
    """openapi-generator's python client of docs/openapi-3.0.json, and its log."""
    folder = tmp_path_factory.mktemp("openapi-generator")
    output = _generate(
        [
            str(BIN / "openapi-generator-cli"),
            "generate",
            "--input-spec",
            str(OPENAPI_30_DOCUMENT),
            "--generator-name",
            "python",
            "--output",
            str(folder),
            "--package-name",
            "oag_task_client",
            "--global-property",
            "apiTests=false,modelTests=false,apiDocs=false,modelDocs=false",
        ],
        folder,
    )
    return _import(folder, "oag_task_client"), output


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    with serving("--fake") as (url, _):
        yield url


# --- openapi-python-client ----------------------------------------------------------------


def test_openapi_python_client_parses_every_response(python_client: tuple[Any, str]) -> None:
    _, output = python_client
    assert "Cannot parse" not in output
    assert "WARNING" not in output


def test_openapi_python_client_exposes_one_parameter_per_concept(
    python_client: tuple[Any, str],
) -> None:
    get = importlib.import_module("opc_task_client.api.tasks.describe_auto_callout_task_get")
    assert set(inspect.signature(get.sync_detailed).parameters) - {"client"} == CONCEPTS
    body = importlib.import_module("opc_task_client.models.task_request_body").TaskRequestBody
    assert {field.name for field in body.__attrs_attrs__} - {"additional_properties"} == CONCEPTS


def test_openapi_python_client_gets_a_typed_task(
    python_client: tuple[Any, str], served_url: str
) -> None:
    client, _ = python_client
    get = importlib.import_module("opc_task_client.api.tasks.describe_auto_callout_task_get")
    task_class = importlib.import_module("opc_task_client.models.task").Task
    answer = get.sync_detailed(client=client.Client(base_url=served_url), **KNOWN, callee_limit=2)
    assert answer.status_code == 200
    assert isinstance(answer.parsed, task_class)
    assert (answer.parsed.task_id, answer.parsed.callee_page.limit) == (3, 2)


def test_openapi_python_client_posts_and_gets_a_typed_task(
    python_client: tuple[Any, str], served_url: str
) -> None:
    client, _ = python_client
    post = importlib.import_module("opc_task_client.api.tasks.describe_auto_callout_task_post")
    body = importlib.import_module("opc_task_client.models.task_request_body").TaskRequestBody
    answer = post.sync_detailed(
        client=client.Client(base_url=served_url), body=body(**KNOWN, include_callees=False)
    )
    assert answer.status_code == 200
    assert answer.parsed.callees == []
    # an id as the string of its digits, as a low-code template sends it: typed int | str here
    quoted = body(sdk_app_id="1400000000", task_id="3", include_callees=False)
    answer = post.sync_detailed(client=client.Client(base_url=served_url), body=quoted)
    assert (answer.status_code, answer.parsed.task_id) == (200, 3)


@pytest.mark.parametrize(
    ("params", "status"), [({"sdk_app_id": 1400000000, "task_id": 0}, 400), (UNKNOWN_TASK, 404)]
)
def test_openapi_python_client_gets_a_typed_problem(
    python_client: tuple[Any, str], served_url: str, params: dict[str, int], status: int
) -> None:
    client, _ = python_client
    get = importlib.import_module("opc_task_client.api.tasks.describe_auto_callout_task_get")
    problem_class = getattr(
        importlib.import_module(f"opc_task_client.models.problem_{status}"), f"Problem{status}"
    )
    answer = get.sync_detailed(client=client.Client(base_url=served_url), **params)
    assert answer.status_code == status
    assert isinstance(answer.parsed, problem_class)
    assert answer.parsed.status == status
    assert answer.parsed.type_.value.startswith("urn:autocallout:problem:")
    if status == 400:
        assert [error.field for error in answer.parsed.errors] == ["TaskId"]


# --- openapi-generator ----------------------------------------------------------------------


def test_openapi_generator_reads_every_response(generator_client: tuple[Any, str]) -> None:
    _, output = generator_client
    warnings = [line for line in output.splitlines() if " WARN " in line or "ERROR" in line]
    # One generator-internal notice is left ("Failed to get the schema name: null", which
    # names no schema); none may be about a response, a parameter or a type it could not read.
    assert [line for line in warnings if "Failed to get the schema name" not in line] == []


def test_openapi_generator_exposes_one_parameter_per_concept(
    generator_client: tuple[Any, str],
) -> None:
    client, _ = generator_client
    parameters = inspect.signature(client.TasksApi.describe_auto_callout_task_get).parameters
    assert {name for name in parameters if not name.startswith("_")} - {"self"} == CONCEPTS
    assert set(client.TaskRequestBody.model_fields) == CONCEPTS


def _tasks_api(client: Any, url: str) -> Any:
    return client.TasksApi(client.ApiClient(client.Configuration(host=url)))


def test_openapi_generator_gets_a_typed_task(
    generator_client: tuple[Any, str], served_url: str
) -> None:
    client, _ = generator_client
    task = _tasks_api(client, served_url).describe_auto_callout_task_get(**KNOWN, callee_limit=2)
    assert isinstance(task, client.Task)
    assert (task.task_id, task.callee_page.limit) == (3, 2)
    # In a body each id is a number or the string of its digits (anyOf): this generator wraps
    # such a value in a class of its own, which takes either.
    body = client.TaskRequestBody(
        sdk_app_id=client.TaskRequestBodySdkAppId(KNOWN["sdk_app_id"]),
        task_id=client.TaskRequestBodyTaskId(str(KNOWN["task_id"])),
        include_callees=False,
    )
    posted = _tasks_api(client, served_url).describe_auto_callout_task_post(body)
    assert isinstance(posted, client.Task)
    assert (posted.task_id, posted.callees) == (3, [])


def test_openapi_generator_gets_a_typed_problem_for_404(
    generator_client: tuple[Any, str], served_url: str
) -> None:
    client, _ = generator_client
    with pytest.raises(client.exceptions.NotFoundException) as raised:
        _tasks_api(client, served_url).describe_auto_callout_task_get(**UNKNOWN_TASK)
    problem = raised.value.data
    assert isinstance(problem, client.Problem404)
    assert (problem.status, problem.type) == (404, "urn:autocallout:problem:task-not-found")


def test_openapi_generator_gets_a_typed_problem_for_400(
    generator_client: tuple[Any, str], served_url: str
) -> None:
    # The client checks ranges before sending, so a refused request is built with its own
    # serializer (the public method minus that check) and answered through its deserializer.
    client, _ = generator_client
    api = _tasks_api(client, served_url)
    request = api._describe_auto_callout_task_get_serialize(
        sdk_app_id=1400000000,
        task_id=0,
        include_callees=None,
        callee_offset=None,
        callee_limit=None,
        _request_auth=None,
        _content_type=None,
        _headers=None,
        _host_index=0,
    )
    response = api.api_client.call_api(*request)
    response.read()
    with pytest.raises(client.exceptions.BadRequestException) as raised:
        api.api_client.response_deserialize(response, {"400": "Problem400"})
    problem = raised.value.data
    assert isinstance(problem, client.Problem400)
    assert problem.status == 400
    # `field` would shadow pydantic's Field: the generator names the attribute var_field
    assert [error.model_dump(by_alias=True)["field"] for error in problem.errors] == ["TaskId"]
