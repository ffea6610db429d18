"""What the HTTP front door answers outside the task lookup itself (callout_task.handler): the
OpenAPI document at /openapi.json (its path, methods and preflight, a package without it), 404
for any other path, 405 for another method. Each answer also writes its ``invocation`` line with
the status the caller got."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get
from tests.paths import REPO

ORIGIN = "https://ops.example.com"


FUNCTION_DIR = REPO / "functions" / "describe_auto_callout_task"


SHIPPED_DOCUMENT = FUNCTION_DIR / "callout_task" / "openapi.json"


def _document_call(method: str, path: str = "/openapi.json") -> dict[str, Any]:
    event = function_url_get()
    event.update(httpMethod=method, path=path)
    event["headers"]["origin"] = ORIGIN
    return event


def _logged_status(out: str) -> list[int]:
    return [line["status"] for line in log_lines(out) if line["message"] == "invocation"]


@pytest.fixture(autouse=True)
def _cors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", ORIGIN)


def test_the_document_is_served_with_cors_and_logged_as_a_200(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    response = invoke(_document_call("GET"))

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["openapi"].startswith("3.1.")
    assert response["headers"]["Access-Control-Allow-Origin"] == ORIGIN
    assert _logged_status(capsys.readouterr().out) == [200]
    assert ccc.calls == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/openapi.json/", 200),
        ("/openapi.jsonX", 404),
        # any path ending in /openapi.json once served it, against "anything but / and
        # /openapi.json is a 404" behind a Function URL
        ("/x/openapi.json", 404),
        ("/static/../openapi.json", 404),
        ("//openapi.json", 404),
    ],
)
def test_the_document_s_path_may_end_in_a_slash_and_nothing_else(
    invoke: Invoke, ccc: CccBackend, path: str, status: int
) -> None:
    assert invoke(_document_call("GET", path))["statusCode"] == status
    assert ccc.calls == []


def test_a_preflight_for_the_document_offers_only_its_methods_and_is_logged_as_a_204(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _document_call("OPTIONS")
    event["headers"]["access-control-request-method"] = "GET"

    response = invoke(event)

    assert response["statusCode"] == 204
    assert response["headers"]["Allow"] == "GET, OPTIONS"
    assert response["headers"]["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert _logged_status(capsys.readouterr().out) == [204]
    assert ccc.calls == []


def test_posting_to_the_document_is_a_405_that_names_the_method_and_allows_get(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    response = invoke(_document_call("POST"))

    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET, OPTIONS"
    assert http_body(response)["detail"].startswith("Method POST ")
    assert _logged_status(capsys.readouterr().out) == [405]
    assert ccc.calls == []


@pytest.mark.parametrize(("method", "named"), [("PATCH", "PATCH"), ("", "(none)")])
def test_a_405_names_the_method_refused_or_that_none_was_given(
    invoke: Invoke, ccc: CccBackend, method: str, named: str
) -> None:
    response = invoke(_document_call(method, path="/"))

    assert response["statusCode"] == 405
    assert http_body(response)["detail"].startswith(f"Method {named} is not allowed")


@pytest.mark.parametrize("path", ["/openapi.json", "/describe/openapi.json"])
def test_behind_the_legacy_gateway_the_document_follows_the_api_s_own_path(
    invoke: Invoke, ccc: CccBackend, path: str
) -> None:
    # The gateway has routed already, and its API path (here "/describe") comes first.
    event = _document_call("GET", path)
    event["requestContext"] = {"httpMethod": "GET", "requestId": "gw-1"}
    response = invoke(event)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["openapi"].startswith("3.1.")


def test_openapi_json_is_served_without_calling_ccc(invoke: Invoke, ccc: CccBackend) -> None:
    event = function_url_get()
    event["path"] = "/openapi.json"
    response = invoke(event)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert response["body"] == SHIPPED_DOCUMENT.read_text(encoding="utf-8")
    assert json.loads(response["body"])["openapi"].startswith("3.1.")
    assert ccc.calls == []


# A fresh interpreter runs the function from a copy of its folder, as SCF would run a package
# built without the document; -I keeps the development install's own copy out of its path.
_WITHOUT_DOCUMENT = """
import json, sys
sys.path.insert(0, {folder!r})
import index
event = {{"httpMethod": "GET", "path": "/openapi.json", "headers": {{}}, "queryString": {{}}}}
print(json.dumps(index.main_handler(event, {{"time_limit_in_ms": 3000}})))
"""


def test_a_package_without_the_openapi_document_answers_404(tmp_path: Path) -> None:
    folder = tmp_path / "describe_auto_callout_task"
    shutil.copytree(FUNCTION_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "callout_task" / "openapi.json").unlink()

    completed = subprocess.run(
        [sys.executable, "-I", "-c", _WITHOUT_DOCUMENT.format(folder=str(folder))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    response = json.loads(completed.stdout.splitlines()[-1])

    assert response["statusCode"] == 404
    assert response["headers"]["Content-Type"] == "application/problem+json; charset=utf-8"
    assert json.loads(response["body"])["type"] == "urn:autocallout:problem:not-found"


@pytest.mark.parametrize("path", ["/favicon.ico", "/tasks", "/openapi.json/x", "/release/"])
def test_a_function_url_path_other_than_the_root_is_a_404_problem(
    invoke: Invoke, ccc: CccBackend, path: str
) -> None:
    # A Function URL passes every path on: the function answers only at / and /openapi.json.
    event = function_url_get()
    event["path"] = path
    response = invoke(event)
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["type"] == "urn:autocallout:problem:not-found"
    assert ccc.calls == []


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "HEAD", ""])
def test_other_methods_are_405_with_allow(invoke: Invoke, ccc: CccBackend, method: str) -> None:
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    event["httpMethod"] = method
    response = invoke(event)
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "GET, POST, OPTIONS"
    assert ccc.calls == []
