"""Every trigger shape reaches the same normalised task, in the response shape of its trigger."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get, load_event
from tests.paths import REPO, TEST_DATA

OFFICIAL = TEST_DATA / "events"
FUNCTION_DIR = REPO / "functions" / "describe_auto_callout_task"
SHIPPED_DOCUMENT = FUNCTION_DIR / "callout_task" / "openapi.json"


def _official(name: str) -> dict[str, object]:
    return json.loads((OFFICIAL / name).read_text(encoding="utf-8"))


def test_legacy_api_gateway_get_answers_with_the_four_field_response(invoke: Invoke) -> None:
    response = invoke(load_event("apigw-get-task.json"))

    assert set(response) == {"isBase64Encoded", "statusCode", "headers", "body"}
    assert response["isBase64Encoded"] is False
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert response["headers"]["Cache-Control"] == "no-store"
    assert response["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert all(isinstance(value, str) for value in response["headers"].values())
    assert http_body(response)["name"] == "任务1"


def test_legacy_api_gateway_repeated_keys_and_bare_flags_are_understood(invoke: Invoke) -> None:
    event = load_event("apigw-get-repeated-and-flag-query.json")
    response = invoke(event, {"time_limit_in_ms": 3000, "request_id": "scf-context-id"})

    assert response["statusCode"] == 200
    assert http_body(response)["callee_page"]["returned"] == 6
    assert response["headers"]["X-Request-Id"] == "scf-context-id"  # requestId is missing


def test_legacy_api_gateway_json_body(invoke: Invoke) -> None:
    body = http_body(invoke(load_event("apigw-post-json-body.json")))
    assert (body["task_id"], body["state"]) == (5, "paused")


def test_legacy_api_gateway_base64_body(invoke: Invoke) -> None:
    body = http_body(invoke(load_event("apigw-post-base64-body.json")))
    assert (body["task_id"], body["not_after"]) == (4, None)


def test_legacy_api_gateway_path_parameters(invoke: Invoke) -> None:
    event = load_event("apigw-get-task.json")
    event["queryString"] = {"SdkAppId": "1400000000"}
    event["pathParameters"] = {"TaskId": "5"}
    assert http_body(invoke(event))["task_id"] == 5


def test_headers_are_looked_up_whatever_their_case(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    event = load_event("apigw-get-task.json")
    event["headers"]["ORIGIN"] = "https://ops.example.com"
    response = invoke(event)
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://ops.example.com"


def test_the_official_api_gateway_sample_is_refused_for_its_missing_parameters(
    invoke: Invoke,
) -> None:
    response = invoke(_official("apigw-legacy-doc-sample.json"))

    assert response["statusCode"] == 400
    assert response["headers"]["Content-Type"] == "application/problem+json; charset=utf-8"
    assert [error["field"] for error in http_body(response)["errors"]] == ["SdkAppId", "TaskId"]
    assert response["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_the_official_function_url_sample_is_refused_for_its_missing_parameters(
    invoke: Invoke,
) -> None:
    response = invoke(_official("function-url-doc-sample.json"))
    assert response["statusCode"] == 400
    assert {error["field"] for error in http_body(response)["errors"]} == {"SdkAppId", "TaskId"}


def test_function_url_get_and_post(invoke: Invoke) -> None:
    got = http_body(invoke(load_event("function-url-get-task.json")))
    posted = http_body(invoke(load_event("function-url-post-task.json")))

    assert got["name"] == "foobar"
    assert posted["callee_page"] == {"offset": 0, "limit": 2, "returned": 2, "next_offset": 2}


def test_function_url_query_string_given_as_text_is_parsed(invoke: Invoke) -> None:
    event = function_url_get()
    event["queryString"] = "SdkAppId=1400000000&TaskId=3"
    assert invoke(event)["statusCode"] == 200


def test_a_timer_with_one_task_returns_one_result(invoke: Invoke) -> None:
    response = invoke(load_event("timer-one-task.json"))
    [result] = response["results"]
    assert (result["task_id"], result["callees"]) == (3, [])
    assert result["callee_summary"]["total"] == 6


def test_a_timer_with_two_tasks_returns_two_results(invoke: Invoke) -> None:
    results = invoke(load_event("timer-two-tasks.json"))["results"]
    assert [(r["task_id"], r["state"], r["state_code"]) for r in results] == [
        (3, "running", 1),
        (6, "unknown", 9),
    ]


def test_one_bad_task_does_not_sink_the_others_in_a_timer(invoke: Invoke) -> None:
    message = json.dumps(
        [{"SdkAppId": 1400000000, "TaskId": 404}, "nonsense", {"SdkAppId": 1400000000, "TaskId": 1}]
    )
    results = invoke({"Type": "timer", "Message": message})["results"]
    assert [r.get("status", 200) for r in results] == [404, 400, 200]
    assert results[1]["detail"] == "Task 1 of the timer's Message must be a JSON object."


@pytest.mark.parametrize("kind", ["Timer", "timer", "TIMER"])
def test_the_timer_type_is_recognised_in_any_case(invoke: Invoke, kind: str) -> None:
    event = {"Type": kind, "Message": json.dumps({"SdkAppId": 1400000000, "TaskId": 1})}
    assert invoke(event)["results"][0]["name"] == "foobar"


@pytest.mark.parametrize("name", ["timer-empty-message.json", "timer-doc-sample"])
def test_a_timer_without_a_usable_message_gets_a_clear_logged_error(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    event = _official("timer-doc-sample.json") if name == "timer-doc-sample" else load_event(name)
    response = invoke(event)

    [problem] = response["results"]
    assert problem["status"] == 400
    assert "Message" in problem["detail"]
    assert any(line["level"] == "ERROR" for line in log_lines(capsys.readouterr().out))


def test_direct_invocation_returns_the_task_itself(invoke: Invoke) -> None:
    body = invoke(load_event("direct-invoke.json"))
    assert body["task_id"] == 3
    assert len(body["callees"]) == 3


def test_direct_invocation_understands_snake_case(invoke: Invoke) -> None:
    body = invoke(load_event("direct-invoke-snake-case.json"))
    assert (body["task_id"], body["state"]) == (6, "unknown")


@pytest.mark.parametrize("event", [None, [], "SdkAppId=1", 42])
def test_a_direct_event_that_is_not_an_object_is_refused(invoke: Invoke, event: object) -> None:
    body = invoke(event)
    assert body["status"] == 400


def test_the_same_task_is_the_same_whatever_the_trigger(invoke: Invoke) -> None:
    direct = invoke({"SdkAppId": 1400000000, "TaskId": 3})
    http = http_body(invoke(function_url_get(SdkAppId="1400000000", TaskId="3")))
    timer = invoke({"Type": "Timer", "Message": json.dumps({"SdkAppId": 1400000000, "TaskId": 3})})[
        "results"
    ][0]
    for answer in (direct, http, timer):
        answer.pop("upstream_request_id")
    assert direct == http == timer


def test_options_answers_a_cors_preflight(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    response = invoke(load_event("function-url-options-preflight.json"))

    assert response["statusCode"] == 204
    assert response["body"] == ""
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://ops.example.com"
    assert response["headers"]["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response["headers"]["Access-Control-Allow-Headers"] == "content-type"
    assert ccc.calls == []


def test_no_cors_headers_for_an_origin_not_configured(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    event["headers"]["origin"] = "https://evil.example.net"
    assert "Access-Control-Allow-Origin" not in invoke(event)["headers"]


def test_a_base64_body_that_is_not_base64_is_refused(invoke: Invoke) -> None:
    event = load_event("apigw-post-base64-body.json")
    event["body"] = "not base64 at all!"
    response = invoke(event)
    assert response["statusCode"] == 400
    assert "Base64" in http_body(response)["detail"]


def test_a_base64_body_is_decoded_before_its_size_is_judged(invoke: Invoke) -> None:
    event = load_event("apigw-post-base64-body.json")
    payload = json.dumps({"SdkAppId": 1400000000, "TaskId": 3, "pad": "x" * 60_000}).encode()
    event["body"] = base64.b64encode(payload).decode()  # 80 000 characters, 60 000 bytes
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize(
    "given", ["abc\r\nSet-Cookie: x=1", "", "x" * 200, "Ä1'h", "id with spaces"]
)
def test_a_malformed_platform_request_id_is_replaced_not_echoed(invoke: Invoke, given: str) -> None:
    event = load_event("apigw-get-task.json")
    event["requestContext"]["requestId"] = given
    request_id = invoke(event)["headers"]["X-Request-Id"]
    assert request_id != given
    assert len(request_id) == 36


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


@pytest.mark.parametrize(
    ("route", "path"),
    [
        ("/test/{path}", "/test/value"),  # Tencent's sample: a parameter in the API path
        ("/test/{path}", "/test/value/more"),
        ("/autocallout", "/autocallout/task"),  # an API path matches by prefix
        ("/autocallout", "/autocallouttask"),
        ("/", "/favicon.ico"),  # infra/'s API path: the gateway sends every path on
    ],
)
def test_behind_the_gateway_the_lookup_answers_wherever_the_gateway_routes(
    invoke: Invoke, route: str, path: str
) -> None:
    # The legacy gateway has routed already, and its API path "/user" serves "/user",
    # "/usertest" and "/user/test/a" (Tencent, API Gateway document 628/39486): the function
    # cannot tell a deployment's path from an unknown one, so it never answers 404 for it.
    event = _official("apigw-legacy-doc-sample.json")
    event.update(path=path, httpMethod="GET", queryString={"SdkAppId": "1400000000", "TaskId": "3"})
    event["requestContext"].update(httpMethod="GET", path=route)
    event.pop("body", None)
    assert invoke(event)["statusCode"] == 200
