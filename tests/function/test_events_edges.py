"""Where an HTTP trigger's event says what (issue 18's survivors in callout_task.events): the
method and path a malformed event still yields, the query string's blank values, sizes and
bare flags, and the body's Base64 and byte limits, each as the caller sees it."""

from __future__ import annotations

import base64
import json
import tracemalloc
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get, load_event
from tests.seeded import TASK

MAX_BASE64 = 87_384  # characters in the Base64 of 64 KiB, padded


def _post(body: str, *, base64_encoded: bool = False) -> dict[str, Any]:
    event = function_url_get()
    event.update(httpMethod="POST", body=body, isBase64Encoded=base64_encoded)
    return event


def _body_of(size: int, pad: str = "x") -> str:
    """A JSON body for TASK of exactly ``size`` bytes in UTF-8, padded with ``pad``."""
    head = json.dumps({**TASK, "pad": ""}, ensure_ascii=False)
    room = size - len(head.encode())
    body = head[:-2] + pad * (room // len(pad.encode())) + "x" * (room % len(pad.encode())) + '"}'
    assert len(body.encode()) == size
    return body


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


def test_a_base64_body_of_exactly_64_kib_is_read(invoke: Invoke) -> None:
    encoded = base64.b64encode(_body_of(65_536).encode()).decode()
    assert len(encoded) == MAX_BASE64
    assert invoke(_post(encoded, base64_encoded=True))["statusCode"] == 200


def test_a_base64_body_longer_than_64_kib_encoded_is_refused_before_decoding(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # Not Base64 at all, but too long to be 64 KiB of anything: refused for its size unread.
    response = invoke(_post("!" * (MAX_BASE64 + 1), base64_encoded=True))
    assert response["statusCode"] == 413
    assert ccc.calls == []


@pytest.mark.parametrize("junk", ["*", "\n", " ", "é"])
def test_a_base64_body_with_characters_outside_base64_is_refused(
    invoke: Invoke, ccc: CccBackend, junk: str
) -> None:
    encoded = base64.b64encode(json.dumps(TASK).encode()).decode()
    response = invoke(_post(encoded[:8] + junk + encoded[8:], base64_encoded=True))
    assert response["statusCode"] == 400
    assert "Base64" in http_body(response)["detail"]
    assert ccc.calls == []


@pytest.mark.parametrize(("size", "status"), [(65_536, 200), (65_537, 413)])
def test_a_text_body_is_measured_in_utf8_bytes_not_characters(
    invoke: Invoke, ccc: CccBackend, size: int, status: int
) -> None:
    body = _body_of(size, pad="é")  # two bytes a character: about 33 000 characters
    assert len(body) < 40_000
    assert invoke(_post(body))["statusCode"] == status


@pytest.mark.parametrize("base64_encoded", [False, True])
@pytest.mark.parametrize("body", ["", " \n"])
def test_an_empty_body_is_no_parameters(invoke: Invoke, body: str, base64_encoded: bool) -> None:
    event = _post(body, base64_encoded=base64_encoded)
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


def test_a_timer_may_list_50_tasks(invoke: Invoke, ccc: CccBackend) -> None:
    # Fifty tasks each refused on its own (no CCC call, so no rate limit): all fifty answered.
    results = invoke({"Type": "Timer", "Message": json.dumps([{"TaskId": 3}] * 50)})["results"]
    assert [result["status"] for result in results] == [400] * 50
    assert ccc.calls == []


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
    response = invoke(_post(body, base64_encoded=base64_encoded))
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3


def test_a_timer_message_starting_with_a_byte_order_mark_is_read(invoke: Invoke) -> None:
    message = "\ufeff" + json.dumps(TASK)
    [result] = invoke({"Type": "Timer", "Message": message})["results"]
    assert result["task_id"] == 3


def test_a_huge_query_string_is_refused_before_it_is_parsed(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # A 6 MB queryString was parsed before any size check: 291 MB at its peak, 1.5 s.
    event = function_url_get()
    event["queryString"] = "SdkAppId=1400000000&TaskId=3&" + "a=1&" * 1_500_000
    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))  # warm: imports, client
    tracemalloc.start()
    try:
        response = invoke(event)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response["statusCode"] == 400
    assert "query string is longer than" in http_body(response)["detail"]
    assert peak < 2 * 2**20  # the parsed query alone would be hundreds of MB
    assert len(ccc.calls) == 1  # the warm-up's


def test_a_query_string_of_8_kib_percent_encoded_is_still_read(invoke: Invoke) -> None:
    # The limit as sent leaves room for 8 KiB of parameters written as %XX.
    event = function_url_get()
    event["queryString"] = "SdkAppId=1400000000&TaskId=3&note=" + "%41" * 8000
    assert invoke(event)["statusCode"] == 200
