"""Every trigger shape reaches the same normalised task, in the response shape of its trigger; and
where an HTTP trigger's event says what: the method and path a malformed event still yields,
headers in any case, the query string's blank values and bare flags, the body's Base64 and
byte order mark."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import (
    Invoke,
    function_url_get,
    load_event,
    official_event,
    post_event,
)
from tests.seeded import TASK


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
    response = invoke(official_event("apigw-legacy-doc-sample.json"))

    assert response["statusCode"] == 400
    assert response["headers"]["Content-Type"] == "application/problem+json; charset=utf-8"
    assert [error["field"] for error in http_body(response)["errors"]] == ["SdkAppId", "TaskId"]
    assert response["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_the_official_function_url_sample_is_refused_for_its_missing_parameters(
    invoke: Invoke,
) -> None:
    response = invoke(official_event("function-url-doc-sample.json"))
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
    event = official_event("apigw-legacy-doc-sample.json")
    event.update(path=path, httpMethod="GET", queryString={"SdkAppId": "1400000000", "TaskId": "3"})
    event["requestContext"].update(httpMethod="GET", path=route)
    event.pop("body", None)
    assert invoke(event)["statusCode"] == 200


def test_the_method_missing_from_a_gateway_event_is_read_from_its_request_context(
    invoke: Invoke,
) -> None:
    event = load_event("apigw-get-task.json")
    event["httpMethod"] = None
    event["requestContext"]["httpMethod"] = "GET"
    assert invoke(event)["statusCode"] == 200


def test_an_event_without_a_method_anywhere_is_told_no_method_came(
    invoke: Invoke, ccc: CccBackend
) -> None:
    event = function_url_get(**{k: str(v) for k, v in TASK.items()})
    event["httpMethod"] = None
    response = invoke(event)
    assert response["statusCode"] == 405
    assert http_body(response)["detail"].startswith("Method (none) is not allowed")
    assert ccc.calls == []


def test_a_function_url_event_without_a_path_is_at_the_root(invoke: Invoke) -> None:
    event = function_url_get(**{k: str(v) for k, v in TASK.items()})
    del event["path"]
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize(("path", "status"), [("//", 200), ("/X", 404), ("/ ", 404)])
def test_behind_a_function_url_only_slashes_are_the_root(
    invoke: Invoke, path: str, status: int
) -> None:
    event = function_url_get(**{k: str(v) for k, v in TASK.items()})
    event["path"] = path
    assert invoke(event)["statusCode"] == status


def test_a_blank_value_in_a_query_string_is_read_not_dropped(invoke: Invoke) -> None:
    # "IncludeCallees=" says something, and nothing that is true or false: refused, not ignored.
    event = function_url_get()
    event["queryString"] = "SdkAppId=1400000000&TaskId=3&IncludeCallees="
    response = invoke(event)
    assert response["statusCode"] == 400
    assert [error["field"] for error in http_body(response)["errors"]] == ["IncludeCallees"]


@pytest.mark.parametrize("junk", [["SdkAppId"], "SdkAppId=1", 7])
def test_query_parameters_that_are_not_an_object_are_ignored(invoke: Invoke, junk: Any) -> None:
    event = load_event("apigw-get-task.json")
    event["queryStringParameters"] = junk
    event["pathParameters"] = junk
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize(("size", "status"), [(8192, 200), (8193, 400)])
def test_a_bare_flag_counts_as_the_four_characters_of_true(
    invoke: Invoke, size: int, status: int
) -> None:
    query: dict[str, Any] = {"SdkAppId": "1400000000", "TaskId": "3"}
    used = sum(len(name) + len(value) for name, value in query.items())
    query["f" * (size - used - 4)] = True  # a key without a value, as the gateway gives it
    assert invoke(function_url_get(**query))["statusCode"] == status


@pytest.mark.parametrize("junk", ["*", "\n", " ", "é"])
def test_a_base64_body_with_characters_outside_base64_is_refused(
    invoke: Invoke, ccc: CccBackend, junk: str
) -> None:
    encoded = base64.b64encode(json.dumps(TASK).encode()).decode()
    response = invoke(post_event(encoded[:8] + junk + encoded[8:], base64_encoded=True))
    assert response["statusCode"] == 400
    assert "Base64" in http_body(response)["detail"]
    assert ccc.calls == []


@pytest.mark.parametrize("base64_encoded", [False, True])
@pytest.mark.parametrize("body", ["", " \n"])
def test_an_empty_body_is_no_parameters(invoke: Invoke, body: str, base64_encoded: bool) -> None:
    event = post_event(body, base64_encoded=base64_encoded)
    event["queryString"] = {k: str(v) for k, v in TASK.items()}
    if base64_encoded:
        event["body"] = base64.b64encode(body.encode()).decode()
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize("extra", [{"headers": {"accept": "*/*"}}, {"requestContext": {}}])
def test_an_event_without_a_method_is_a_direct_invocation_whatever_else_it_has(
    invoke: Invoke, extra: dict[str, Any]
) -> None:
    answer = invoke({**TASK, **extra})
    assert "statusCode" not in answer
    assert answer["task_id"] == 3


@pytest.mark.parametrize("headers", [None, ["origin"], "origin: x"])
def test_a_gateway_event_without_usable_headers_is_still_answered(
    invoke: Invoke, headers: Any
) -> None:
    event = load_event("apigw-get-task.json")
    event["headers"] = headers
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize(
    ("event", "trigger"),
    [("apigw-get-task.json", "apigw"), ("function-url-get-task.json", "function_url")],
)
def test_each_http_trigger_is_logged_as_itself(
    invoke: Invoke, capsys: pytest.CaptureFixture[str], event: str, trigger: str
) -> None:
    assert invoke(load_event(event))["statusCode"] == 200
    [line] = log_lines(capsys.readouterr().out)
    assert line["trigger"] == trigger


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_a_body_starting_with_a_byte_order_mark_is_read_either_way(
    invoke: Invoke, base64_encoded: bool
) -> None:
    # The plain body was refused as not JSON while the same bytes in Base64 were read.
    text = "\ufeff" + json.dumps(TASK)
    body = base64.b64encode(text.encode()).decode() if base64_encoded else text
    response = invoke(post_event(body, base64_encoded=base64_encoded))
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3
