"""What the handler (callout_task.handler) answers an HTTP trigger outside the task lookup itself:
the OpenAPI document's path and methods, preflights, 405s; and what a misconfigured timer logs.
Each answer also writes its ``invocation`` line with the status the caller got."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get

ORIGIN = "https://ops.example.com"


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


@pytest.mark.parametrize(("name", "shown"), [("every-minute", "'every-minute'"), (None, "''")])
def test_a_misconfigured_timer_s_error_line_names_its_trigger_or_none(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], name: str | None, shown: str
) -> None:
    event: dict[str, Any] = {"Type": "Timer", "Message": "[]"}
    if name is not None:
        event["TriggerName"] = name

    result = invoke(event)

    assert result["results"][0]["status"] == 400
    [error] = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert error["message"].startswith(f"timer trigger {shown} misconfigured: ")


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
