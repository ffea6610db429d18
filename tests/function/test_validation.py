"""Parameters are validated exactly as SPEC "Inputs" states; every refusal names its fields and
says what is wrong with each. The sizes a request may have (body, query string, nesting) are
here too, each at its limit and one past it."""

from __future__ import annotations

import base64
import json
import re
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from callout_task import events

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body
from tests.function.scenarios import Invoke, function_url_get, nested, post_event
from tests.paths import REPO
from tests.seeded import TASK

MAX = 2**63 - 1
# how a refused id string ends: the two forms a low-code user may send instead
AS_ID = (
    "; send TaskId as a JSON number (3) or a string of its digits alone, "
    'without leading zeros ("3")'
)


CONFLICT = "given more than once with different values"


MAX_BASE64 = 87_384  # characters in the Base64 of 64 KiB, padded


def _body_of(size: int, pad: str = "x") -> str:
    """A JSON body for TASK of exactly ``size`` bytes in UTF-8, padded with ``pad``."""
    head = json.dumps({**TASK, "pad": ""}, ensure_ascii=False)
    room = size - len(head.encode())
    body = head[:-2] + pad * (room // len(pad.encode())) + "x" * (room % len(pad.encode())) + '"}'
    assert len(body.encode()) == size
    return body


def _body(text: str) -> dict[str, object]:
    event = function_url_get()
    event.update(httpMethod="POST", body=text)
    return event


def _direct(invoke: Invoke, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = invoke(params)
    return body


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        3.5,
        float(2**53),
        "03",
        "",
        None,
        [3],
        {"v": 3},
        0,
        -3,
        MAX + 1,
        "0",
        str(MAX + 1),
    ],
)
def test_a_json_task_id_must_be_a_whole_number_in_range(
    invoke: Invoke, ccc: CccBackend, value: Any
) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=value)

    assert body["status"] == 400
    assert [error["field"] for error in body["errors"]] == ["TaskId"]
    assert ccc.calls == []


@pytest.mark.parametrize(
    "text", ["", " 3", "+3", "-3", "3e2", "0x3", "3.0", "٣", "0", str(MAX + 1), "abc"]
)
def test_a_query_task_id_must_be_plain_decimal_digits(
    invoke: Invoke, ccc: CccBackend, text: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=text))

    assert response["statusCode"] == 400
    assert [error["field"] for error in http_body(response)["errors"]] == ["TaskId"]
    assert ccc.calls == []


def test_a_query_key_without_value_is_refused_for_a_number(invoke: Invoke) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=True))
    assert http_body(response)["errors"][0]["field"] == "TaskId"


def test_the_largest_id_is_accepted_and_passed_to_ccc(invoke: Invoke, ccc: CccBackend) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=MAX)
    assert body["status"] == 404  # valid, so CCC was asked; it has no such task
    assert ccc.calls[0].params == {"SdkAppId": 1400000000, "TaskId": MAX}


def test_several_different_values_for_one_name_are_refused(invoke: Invoke, ccc: CccBackend) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=["3", "4"]))
    assert response["statusCode"] == 400
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": "given more than once with different values"}
    ]
    assert ccc.calls == []


def test_both_spellings_with_different_values_are_refused(invoke: Invoke) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=3, task_id=4)
    assert body["errors"][0]["field"] == "task_id"


def test_both_spellings_with_the_same_value_are_accepted(invoke: Invoke) -> None:
    assert _direct(invoke, SdkAppId=1400000000, TaskId=3, task_id=3)["task_id"] == 3


def test_query_and_body_agreeing_are_accepted(invoke: Invoke) -> None:
    event = function_url_get(SdkAppId="1400000000")
    event.update(httpMethod="POST", body=json.dumps({"TaskId": 3, "SdkAppId": 1400000000}))
    assert invoke(event)["statusCode"] == 200


def test_every_refused_field_is_named(invoke: Invoke) -> None:
    body = _direct(invoke, sdk_app_id="x", callee_limit=0, callee_offset=-1, include_callees="yes")
    assert sorted(error["field"] for error in body["errors"]) == [
        "TaskId",
        "callee_limit",
        "callee_offset",
        "include_callees",
        "sdk_app_id",
    ]


def test_unknown_parameters_are_ignored(invoke: Invoke) -> None:
    assert _direct(invoke, SdkAppId=1400000000, TaskId=3, Action="DeleteEverything")["task_id"] == 3


@pytest.mark.parametrize(
    ("text", "included"), [("true", True), ("FALSE", False), ("1", True), ("0", False)]
)
def test_include_callees_from_a_query_string(invoke: Invoke, text: str, included: bool) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3", include_callees=text))
    assert bool(http_body(response)["callees"]) is included


@pytest.mark.parametrize("limit", [1, 10_000])
def test_callee_limit_bounds_are_accepted(invoke: Invoke, limit: int) -> None:
    assert (
        _direct(invoke, SdkAppId=1400000000, TaskId=7, callee_limit=limit)["callee_page"][
            "returned"
        ]
        == limit
    )


@pytest.mark.parametrize("limit", [0, 10_001])
def test_callee_limit_outside_one_to_ten_thousand_is_refused(invoke: Invoke, limit: int) -> None:
    assert (
        _direct(invoke, SdkAppId=1400000000, TaskId=7, callee_limit=limit)["errors"][0]["field"]
        == "callee_limit"
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"SdkAppId": 1400000000, "TaskId": ', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"text"', "must be a JSON object"),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    invoke: Invoke, body: str, detail: str
) -> None:
    event = function_url_get()
    event.update(httpMethod="POST", body=body)
    response = invoke(event)
    assert response["statusCode"] == 400
    assert detail in http_body(response)["detail"]


def test_a_body_over_64_kib_is_413(invoke: Invoke, ccc: CccBackend) -> None:
    event = function_url_get()
    event.update(
        httpMethod="POST",
        body=json.dumps({"SdkAppId": 1400000000, "TaskId": 3, "pad": "x" * 65_536}),
    )
    response = invoke(event)
    assert response["statusCode"] == 413
    assert ccc.calls == []


def test_a_body_of_exactly_64_kib_is_read(invoke: Invoke) -> None:
    head = json.dumps({"SdkAppId": 1400000000, "TaskId": 3, "pad": ""})
    body = head[:-2] + "x" * (65_536 - len(head)) + '"}'
    event = function_url_get()
    event.update(httpMethod="POST", body=body)
    assert len(body.encode()) == 65_536
    assert invoke(event)["statusCode"] == 200


def test_a_body_nesting_deeper_than_32_levels_is_refused(invoke: Invoke, ccc: CccBackend) -> None:
    event = function_url_get()
    event.update(
        httpMethod="POST",
        body='{"SdkAppId": 1400000000, "TaskId": 3, "x": ' + "[" * 40 + "]" * 40 + "}",
    )
    response = invoke(event)
    assert response["statusCode"] == 400
    assert "nests deeper than 32" in http_body(response)["detail"]
    assert ccc.calls == []


def test_a_body_nesting_to_the_limit_is_read(invoke: Invoke) -> None:
    event = function_url_get()
    event.update(
        httpMethod="POST",
        body='{"SdkAppId": 1400000000, "TaskId": 3, "x": ' + "[" * 31 + "]" * 31 + "}",
    )
    assert invoke(event)["statusCode"] == 200


def test_a_pathologically_deep_body_is_a_400_not_a_crash(invoke: Invoke) -> None:
    event = function_url_get()
    event.update(httpMethod="POST", body="[" * 30_000 + "]" * 30_000)
    assert invoke(event)["statusCode"] in (400, 413)


def test_a_query_string_over_8_kib_is_refused(invoke: Invoke, ccc: CccBackend) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3", pad="x" * 9_000))
    assert response["statusCode"] == 400
    assert "longer than 8192" in http_body(response)["detail"]
    assert ccc.calls == []


def test_more_than_100_query_parameters_are_refused(invoke: Invoke) -> None:
    query = {f"p{i}": "1" for i in range(101)}
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3", **query))
    assert "more than 100 parameters" in http_body(response)["detail"]


@pytest.mark.parametrize(
    "body",
    [
        '{"SdkAppId": 1400000000, "TaskId": 3, "TaskId": 4}',
        '{"SdkAppId": 1400000000, "task_id": 3, "task_id": "4"}',
        # Python counts true equal to 1: json.loads kept the last one, so this order was a 200
        # and the other a 400. Either order is a conflict now.
        '{"SdkAppId": 1400000000, "TaskId": true, "TaskId": 1}',
        '{"SdkAppId": 1400000000, "TaskId": 1, "TaskId": true}',
        '{"SdkAppId": 1400000000, "TaskId": 3, "IncludeCallees": 1, "IncludeCallees": true}',
    ],
)
def test_a_name_repeated_with_another_value_in_one_body_is_refused(
    invoke: Invoke, ccc: CccBackend, body: str
) -> None:
    event = function_url_get()
    event.update(httpMethod="POST", body=body)
    response = invoke(event)
    assert response["statusCode"] == 400
    assert (
        http_body(response)["errors"][0]["message"] == "given more than once with different values"
    )
    assert ccc.calls == []


def test_a_name_repeated_with_the_same_value_in_one_body_is_accepted(invoke: Invoke) -> None:
    event = function_url_get()
    event.update(httpMethod="POST", body='{"SdkAppId": 1400000000, "TaskId": 3, "TaskId": 3}')
    assert invoke(event)["statusCode"] == 200


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_in_a_body_are_refused_as_json(invoke: Invoke, constant: str) -> None:
    event = function_url_get()
    event.update(
        httpMethod="POST", body=f'{{"SdkAppId": 1400000000, "TaskId": 3, "x": {constant}}}'
    )
    response = invoke(event)
    assert response["statusCode"] == 400
    assert http_body(response)["detail"] == "The body is not valid JSON."


# One conflict rule, whichever two sources meet: values are compared as read, so 3 (JSON), "3"
# and "03" (text) are one value; 3 and 4 are two.
SOURCES = ["body", "queryString", "queryStringParameters", "pathParameters"]
SOURCE_PAIRS = [(a, b) for i, a in enumerate(SOURCES) for b in SOURCES[i:]]


def _apigw_event(task_ids: dict[str, list[str]]) -> dict[str, Any]:
    """An apigw event giving TaskId in each named source (several values: a repeated key)."""
    event: dict[str, Any] = {
        "httpMethod": "POST",
        "path": "/",
        "headers": {},
        "requestContext": {"httpMethod": "POST", "requestId": "conflict-rule"},
        "queryString": {"SdkAppId": "1400000000"},
    }
    for source, values in task_ids.items():
        if source == "body":
            [value] = values
            event["body"] = json.dumps({"TaskId": int(value)})
        else:
            event.setdefault(source, {})["TaskId"] = values if len(values) > 1 else values[0]
    return event


def _two_values(first: str, second: str, sources: tuple[str, str]) -> dict[str, list[str]]:
    if sources[0] == sources[1]:
        return {sources[0]: [first, second]}
    return {sources[0]: [first], sources[1]: [second]}


@pytest.mark.parametrize("sources", [p for p in SOURCE_PAIRS if p != ("body", "body")])
def test_one_number_spelt_two_ways_in_any_two_sources_is_one_value(
    invoke: Invoke, sources: tuple[str, str]
) -> None:
    response = invoke(_apigw_event(_two_values("3", "03", sources)))
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3


@pytest.mark.parametrize("sources", [p for p in SOURCE_PAIRS if p != ("body", "body")])
def test_two_numbers_in_any_two_sources_are_a_conflict(
    invoke: Invoke, ccc: CccBackend, sources: tuple[str, str]
) -> None:
    response = invoke(_apigw_event(_two_values("3", "4", sources)))
    assert response["statusCode"] == 400
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": "given more than once with different values"}
    ]
    assert ccc.calls == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be at least 1"),
        (-3, "must be at least 1"),
        (MAX + 1, f"must be at most {MAX}"),
        ("03", "has a leading zero" + AS_ID),
        (" 3", "has spaces around the digits" + AS_ID),
        ("+3", "has a sign" + AS_ID),
        ("3.0", "has a decimal point or an exponent" + AS_ID),
        ("3E2", "has a decimal point or an exponent" + AS_ID),
        ("1e5", "has a decimal point or an exponent" + AS_ID),  # an exponent in either case
        ("-3", "has a sign" + AS_ID),
        ("", "is blank" + AS_ID),
        ("three", "is not written with the digits 0-9" + AS_ID),
        ("3x", "is not written with the digits 0-9" + AS_ID),  # a digit, and a letter no number has
        ("0X10", "is not written with the digits 0-9" + AS_ID),  # hexadecimal
        ("XIV", "is not written with the digits 0-9" + AS_ID),  # a Roman numeral
        ("e", "is not written with the digits 0-9" + AS_ID),  # a number's letter, and no digit
        ("0", "must be at least 1"),
        (str(MAX + 1), f"must be at most {MAX}"),
        ("9" * 5000, f"must be at most {MAX}"),
        (3.5, "must be a whole number, without a fraction"),
        (True, "must be a whole number, not true or false"),
        (None, "must be a whole number, not null"),
        ([3], "must be a whole number"),
    ],
)
def test_a_refused_json_task_id_says_what_was_wrong(
    invoke: Invoke, value: Any, message: str
) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=value)
    assert body["errors"] == [{"field": "TaskId", "message": message}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is blank; give a whole number"),
        (" ", "is blank; give a whole number"),
        ("+3", "must be a whole number written without a sign"),
        ("-3", "must be a whole number written without a sign"),
        ("0", "must be at least 1"),
        (" 3", "must be a whole number written without spaces"),
        ("3.0", "must be a whole number written without a decimal point or an exponent"),
        ("3e2", "must be a whole number written without a decimal point or an exponent"),
        ("abc", "must be a whole number written with the digits 0-9"),
        ("٣", "must be a whole number written with the digits 0-9"),
        (True, "has no value; give a whole number"),
    ],
)
def test_a_refused_query_task_id_says_what_was_wrong(
    invoke: Invoke, text: str | bool, message: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=text))
    assert http_body(response)["errors"] == [{"field": "TaskId", "message": message}]


def test_a_refused_include_callees_says_what_to_send(invoke: Invoke) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=3, include_callees="yes")
    assert body["errors"] == [{"field": "include_callees", "message": "must be true or false"}]


# Ids as JSON strings (issue 27): low-code tools template strings, infra's own timer_tasks
# writes sdk_app_id as one, and ids past 2^53 are exact in JavaScript only as strings.
def test_ids_as_canonical_digit_strings_are_read_in_a_body(invoke: Invoke) -> None:
    event = function_url_get()
    event.update(httpMethod="POST", body='{"SdkAppId": "1400000000", "TaskId": "3"}')
    response = invoke(event)
    assert response["statusCode"] == 200
    assert (http_body(response)["sdk_app_id"], http_body(response)["task_id"]) == (1400000000, 3)


def test_ids_as_canonical_digit_strings_are_read_in_a_direct_event(invoke: Invoke) -> None:
    body = _direct(invoke, SdkAppId="1400000000", TaskId="3")
    assert (body["sdk_app_id"], body["task_id"]) == (1400000000, 3)


def test_ids_as_canonical_digit_strings_are_read_in_a_timer_message(invoke: Invoke) -> None:
    # what infra's timer_tasks writes: sdk_app_id as a string
    message = json.dumps([{"sdk_app_id": "1400000000", "task_id": 3}])
    [result] = invoke({"Type": "Timer", "Message": message})["results"]
    assert (result["sdk_app_id"], result["task_id"]) == (1400000000, 3)


def test_an_id_past_2_to_the_53_as_a_string_reaches_ccc_exactly(
    invoke: Invoke, ccc: CccBackend
) -> None:
    _direct(invoke, SdkAppId="1400000000", TaskId=str(2**53 + 1))
    [call] = ccc.calls_to("DescribeAutoCalloutTask")
    assert call.params["TaskId"] == 2**53 + 1


@pytest.mark.parametrize(
    "body",
    [
        '{"SdkAppId": 1400000000, "TaskId": "3", "TaskId": 3}',
        '{"SdkAppId": 1400000000, "TaskId": "3", "task_id": 3.0}',
    ],
)
def test_a_digit_string_and_its_number_are_one_value(invoke: Invoke, body: str) -> None:
    event = function_url_get(TaskId="03")
    event.update(httpMethod="POST", body=body)
    response = invoke(event)
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3


def test_other_numbers_as_strings_in_json_are_refused_saying_to_send_a_number(
    invoke: Invoke, ccc: CccBackend
) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=3, CalleeLimit="5")
    assert body["errors"] == [
        {"field": "CalleeLimit", "message": "send CalleeLimit as a JSON number, not a string"}
    ]
    assert ccc.calls == []


# --- every spelling the contract publishes, through every event that carries parameters -------
#
# The names come from the published document (docs/openapi.json: the query parameters, each
# saying which other name it is "also read as", and the JSON body's properties), not from the
# function's own table, so that a copy-paste slip in that table (CalleeLimit read as the offset,
# a name misspelt) turns a test red instead of moving the document along with it.

PUBLISHED = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
_QUERY_PARAMETERS = PUBLISHED["components"]["parameters"]
_ALSO_READ_AS = re.compile(r"Also read as `(\w+)`")
# Each published name -> the concept it names, Tencent's spelling standing for the concept.
PUBLISHED_SPELLINGS: dict[str, str] = {
    **{name: name for name in _QUERY_PARAMETERS},
    **{
        match[1]: name
        for name, parameter in _QUERY_PARAMETERS.items()
        for match in [_ALSO_READ_AS.search(parameter["description"])]
        if match
    },
    **{name: name for name in PUBLISHED["components"]["schemas"]["TaskRequestBody"]["properties"]},
}
# What one parameter, alone, is set to (a value none of the others would give), and how the
# answer shows that it was read as that parameter and no other.
PROBE: dict[str, tuple[Any, Callable[[dict[str, Any]], Any], Any]] = {
    "SdkAppId": (
        1400000001,
        lambda task: (task["sdk_app_id"], task["name"]),
        (1400000001, "other application"),
    ),
    "TaskId": (4, lambda task: task["task_id"], 4),
    "IncludeCallees": (False, lambda task: task["callees"], []),
    "CalleeOffset": (1, lambda task: task["callee_page"]["offset"], 1),
    "CalleeLimit": (
        2,
        lambda task: (task["callee_page"]["limit"], task["callee_page"]["returned"]),
        (2, 2),
    ),
}
# The others are about TASK (SdkAppId 1400000001 holds task 1 only); their snake_case names.
SNAKE = {"SdkAppId": "sdk_app_id", "TaskId": "task_id"}


def test_the_published_spellings_are_the_ones_the_tests_probe() -> None:
    assert PUBLISHED_SPELLINGS == {
        "SdkAppId": "SdkAppId",
        "sdk_app_id": "SdkAppId",
        "TaskId": "TaskId",
        "task_id": "TaskId",
        "IncludeCallees": "IncludeCallees",
        "include_callees": "IncludeCallees",
        "CalleeOffset": "CalleeOffset",
        "callee_offset": "CalleeOffset",
        "CalleeLimit": "CalleeLimit",
        "callee_limit": "CalleeLimit",
    }


def _parameters(name: str) -> dict[str, Any]:
    """The task's ids in the spelling family of ``name``, and ``name`` set to its probe value."""
    concept = PUBLISHED_SPELLINGS[name]
    snake = name != concept
    given = {SNAKE[key] if snake else key: value for key, value in TASK.items()}
    if concept == "SdkAppId":
        given[SNAKE["TaskId"] if snake else "TaskId"] = 1
    given[name] = PROBE[concept][0]
    return given


def _as_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _http(method: str, apigw: bool, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"httpMethod": method, "path": "/", "headers": {}, **fields}
    if apigw:
        event["requestContext"] = {"httpMethod": method, "requestId": "spelling-probe"}
    return event


# Every place an event carries parameters, as each trigger delivers it.
CARRIERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "function_url query": lambda p: _http(
        "GET", False, queryString={k: _as_text(v) for k, v in p.items()}
    ),
    "function_url query text": lambda p: _http(
        "GET", False, queryString="&".join(f"{k}={_as_text(v)}" for k, v in p.items())
    ),
    "function_url json body": lambda p: _http("POST", False, body=json.dumps(p)),
    "apigw query": lambda p: _http("GET", True, queryString={k: _as_text(v) for k, v in p.items()}),
    "apigw queryStringParameters": lambda p: _http(
        "GET", True, queryStringParameters={k: _as_text(v) for k, v in p.items()}
    ),
    "apigw path parameters": lambda p: _http(
        "GET", True, pathParameters={k: _as_text(v) for k, v in p.items()}
    ),
    "apigw base64 body": lambda p: _http(
        "POST",
        True,
        body=base64.b64encode(json.dumps(p).encode()).decode(),
        isBase64Encoded=True,
    ),
    "timer message": lambda p: {"Type": "Timer", "Message": json.dumps(p)},
    "timer message list": lambda p: {"Type": "Timer", "Message": json.dumps([p])},
    "direct": dict,
}


def _task(response: dict[str, Any]) -> dict[str, Any]:
    if "statusCode" in response:
        assert response["statusCode"] == 200, response["body"]
        task: dict[str, Any] = http_body(response)
    elif "results" in response:
        [task] = response["results"]
    else:
        task = response
    assert "status" not in task, task
    return task


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("name", PUBLISHED_SPELLINGS)
def test_every_published_spelling_is_read_as_its_parameter_from_every_event(
    invoke: Invoke, name: str, carrier: str
) -> None:
    _, shown, expected = PROBE[PUBLISHED_SPELLINGS[name]]
    task = _task(invoke(CARRIERS[carrier](_parameters(name))))
    assert shown(task) == expected


@pytest.mark.parametrize("name", PUBLISHED_SPELLINGS)
def test_every_published_spelling_is_read_in_a_watch_s_tasks(invoke: Invoke, name: str) -> None:
    # A watch asks for the summary alone unless a task says otherwise (in either spelling): so
    # each task here asks for its callees, and the IncludeCallees probe is true, not false.
    concept = PUBLISHED_SPELLINGS[name]
    given = _parameters(name)
    if concept == "IncludeCallees":
        given[name] = True
    else:
        given["IncludeCallees" if name == concept else "include_callees"] = True
    message = {"tasks": [given], "watch": {"name": "spellings", "targets": []}}

    task = _task(invoke({"Type": "Timer", "Message": json.dumps(message)}))

    if concept == "IncludeCallees":
        assert task["callees"]
    else:
        _, shown, expected = PROBE[concept]
        assert shown(task) == expected


@pytest.mark.parametrize("digits", [20, 21, 400])
def test_zero_padded_query_numbers_are_read_whatever_their_length(
    invoke: Invoke, digits: int
) -> None:
    # 21 digits were once left as text, and refused as "written without spaces".
    task_id = "3".rjust(digits, "0")
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=task_id))
    assert response["statusCode"] == 200
    assert http_body(response)["task_id"] == 3


@pytest.mark.parametrize("task_id", ["9223372036854775808", "1" * 21, "1" * 400])
def test_query_numbers_past_the_range_say_so_whatever_their_length(
    invoke: Invoke, task_id: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=task_id))
    assert response["statusCode"] == 400
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": f"must be at most {2**63 - 1}"}
    ]


def test_a_refusal_says_for_each_field_what_is_wrong(invoke: Invoke) -> None:
    body = invoke({"SdkAppId": 0, "include_callees": "maybe"})
    assert sorted(body["errors"], key=lambda error: error["field"]) == [
        {"field": "SdkAppId", "message": "must be at least 1"},
        {"field": "TaskId", "message": "required; send it as TaskId or task_id"},
        {"field": "include_callees", "message": "must be true or false"},
    ]


@pytest.mark.parametrize(("parameters", "status"), [(100, 200), (101, 400)])
def test_a_query_string_may_carry_100_parameters(
    invoke: Invoke, parameters: int, status: int
) -> None:
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    query.update({f"p{n}": "x" for n in range(parameters - 2)})
    assert invoke(function_url_get(**query))["statusCode"] == status


@pytest.mark.parametrize(("repeats", "status"), [(100, 200), (101, 400)])
def test_a_query_parameter_may_be_repeated_100_times(
    invoke: Invoke, repeats: int, status: int
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=["3"] * repeats))
    assert response["statusCode"] == status
    if status == 400:
        assert http_body(response)["detail"] == (
            "A query parameter is repeated more than 100 times."
        )


@pytest.mark.parametrize(("size", "status"), [(8192, 200), (8193, 400)])
def test_the_query_string_limit_counts_every_parameter(
    invoke: Invoke, size: int, status: int
) -> None:
    # Nine parameters, none long alone: together exactly at or one over 8 KiB.
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    used = sum(len(name) + len(value) for name, value in query.items())
    filler = size - used
    for n in range(9):
        name = f"f{n}"
        share = filler // (9 - n)
        query[name] = "x" * (share - len(name))
        filler -= share
    assert invoke(function_url_get(**query))["statusCode"] == status


def test_a_name_repeated_in_a_body_is_named_in_the_refusal(invoke: Invoke) -> None:
    event = function_url_get()
    event["httpMethod"] = "POST"
    event["body"] = '{"SdkAppId": 1400000000, "TaskId": 3, "TaskId": 4}'
    body = http_body(invoke(event))
    assert body["detail"] == "The body gives a parameter several different values."
    assert body["errors"] == [
        {"field": "TaskId", "message": "given more than once with different values"}
    ]


@pytest.mark.parametrize(("levels", "status"), [(32, 200), (33, 400)])
def test_a_body_may_nest_32_levels(invoke: Invoke, levels: int, status: int) -> None:
    event = function_url_get()
    body = {**TASK, "pad": nested(levels)}  # the body object itself is a level
    event.update(httpMethod="POST", body=json.dumps(body))
    assert invoke(event)["statusCode"] == status


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+3", "must be a whole number written without a sign"),
        ("X3", "must be a whole number written with the digits 0-9"),
        ("3E2", "must be a whole number written without a decimal point or an exponent"),
    ],
)
def test_a_query_number_refusal_says_what_is_wrong_with_it(
    invoke: Invoke, text: str, message: str
) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=text))
    assert http_body(response)["errors"] == [{"field": "TaskId", "message": message}]


@pytest.mark.parametrize("given", ["SdkAppid", "sdkappid", "SDK_APP_ID"])
def test_a_missing_id_names_the_near_spelling_that_was_not_taken(
    invoke: Invoke, given: str
) -> None:
    # Names are matched exactly: one that differs only in case or underscores is not read, and
    # the refusal says it was seen rather than only that SdkAppId is missing
    response = invoke(function_url_get(**{given: "1400000000", "TaskId": "3"}))
    assert http_body(response)["errors"] == [
        {
            "field": "SdkAppId",
            "message": "required; send it as SdkAppId or sdk_app_id "
            f"({given!r} was given: names are case-sensitive)",
        }
    ]


@pytest.mark.parametrize("length", [40, 41, 5000])
def test_a_near_spelling_is_quoted_up_to_40_characters(invoke: Invoke, length: int) -> None:
    given = "SDK_APP_ID".ljust(length, "_")  # underscores aside, SdkAppId: a near miss
    response = invoke(function_url_get(**{given: "1400000000", "TaskId": "3"}))
    [error] = http_body(response)["errors"]
    assert error["message"].endswith(f"({given[:40]!r} was given: names are case-sensitive)")


@pytest.mark.parametrize(("first", "second"), [("yes", "no"), ("yes", "YES"), ("on", "")])
def test_two_different_words_for_a_boolean_are_a_conflict_not_one_refusal(
    invoke: Invoke, ccc: CccBackend, first: str, second: str
) -> None:
    # Text that is not true/false/1/0 is kept as sent, so two such texts are compared as sent.
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    response = invoke(function_url_get(**query, IncludeCallees=first, include_callees=second))
    assert response["statusCode"] == 400
    body = http_body(response)
    assert body["errors"] == [{"field": "include_callees", "message": CONFLICT}]
    assert isinstance(body["detail"], str)  # RFC 9457: text, not null
    assert body["detail"]
    assert ccc.calls == []


@pytest.mark.parametrize("text", ["yes", "TRUE ", "2"])
def test_a_word_that_is_not_a_boolean_is_refused_as_such(invoke: Invoke, text: str) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3", IncludeCallees=text))
    body = http_body(response)
    assert body["errors"] == [{"field": "IncludeCallees", "message": "must be true or false"}]
    assert isinstance(body["detail"], str)  # RFC 9457: text, not null
    assert body["detail"]


@pytest.mark.parametrize(
    "task_id", ["9223372036854775808", "9.3e18", "1e25", "1e30", "1e999999999"]
)
def test_a_whole_json_number_past_the_largest_id_is_refused_as_too_large(
    invoke: Invoke, ccc: CccBackend, task_id: str
) -> None:
    response = invoke(_body(f'{{"SdkAppId": 1400000000, "TaskId": {task_id}}}'))
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": "must be at most 9223372036854775807"}
    ]
    assert ccc.calls == []


@pytest.mark.parametrize(
    "pair", ['"TaskId": 15e23, "task_id": 25e23', f'"TaskId": {"1" * 25}, "task_id": {"2" * 25}']
)
def test_two_numbers_of_up_to_25_digits_are_compared_exactly(invoke: Invoke, pair: str) -> None:
    response = invoke(_body(f'{{"SdkAppId": 1400000000, {pair}}}'))
    assert http_body(response)["errors"] == [{"field": "task_id", "message": CONFLICT}]


TOO_LARGE = [{"field": "TaskId", "message": "must be at most 9223372036854775807"}]


@pytest.mark.parametrize(
    ("body", "query"),
    [
        (f'"TaskId": {"1" * 26}', {"TaskId": "1" * 26}),  # one number, in the body and the URL
        (f'"TaskId": {"1" * 26}, "task_id": "{"1" * 26}"', {}),  # a number and its digits
        (f'"TaskId": 1.1e25, "task_id": "11{"0" * 24}"', {}),
        (f'"TaskId": {"1" * 26}, "task_id": {"2" * 26}', {}),  # two numbers past 25 digits
        (f'"TaskId": {"1" * 26}, "task_id": 1.1e25', {}),
        (f'"TaskId": {"9" * 5000}', {}),  # past what Python's int() reads from text
    ],
)
def test_a_number_past_25_digits_is_too_large_however_and_wherever_it_is_written(
    invoke: Invoke, ccc: CccBackend, body: str, query: dict[str, str]
) -> None:
    # The same cut-off for JSON integers, JSON numbers with an exponent, digit strings and the
    # query string: past it, one value however written, refused once as too large.
    event = _body(f'{{"SdkAppId": 1400000000, {body}}}')
    event["queryString"] = query
    assert http_body(invoke(event))["errors"] == TOO_LARGE
    assert ccc.calls == []


@pytest.mark.parametrize(
    ("digits", "errors"),
    [
        (25, [{"field": "TaskId", "message": CONFLICT}]),
        (26, [{"field": "TaskId", "message": "must be at most 9223372036854775807"}]),
    ],
)
def test_query_numbers_are_compared_exactly_up_to_25_digits_and_past_them_are_only_too_large(
    invoke: Invoke, ccc: CccBackend, digits: int, errors: list[dict[str, str]]
) -> None:
    # The query string's twin of the two tests around it: two different numbers of 25 digits
    # are two values; of 26, each is read as "too large" (int() of a long run is never made).
    task_ids = ["1" * digits, "2" * digits]
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId=task_ids))
    assert http_body(response)["errors"] == errors
    assert ccc.calls == []


def test_past_25_digits_every_number_is_only_too_large(invoke: Invoke) -> None:
    # Not expanded to its digits (1e999999999 would never end): read as out of range, so two
    # such numbers for one name are refused once, as too large, not as two different values.
    response = invoke(_body('{"SdkAppId": 1400000000, "TaskId": 2e26, "task_id": 3e26}'))
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": "must be at most 9223372036854775807"}
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"TaskId": int("1" * 26), "task_id": "1" * 26},  # a number and its digits
        {"TaskId": int("1" * 26), "task_id": int("2" * 26)},  # two numbers past 25 digits
        {"TaskId": int("1" * 26), "task_id": 1.1e25},  # past 25 digits as an int and a float
        {"TaskId": 10**25, "task_id": 2e25},
    ],
)
def test_a_direct_number_past_25_digits_is_too_large_as_in_json_text(
    invoke: Invoke, ccc: CccBackend, params: dict[str, Any]
) -> None:
    # A direct invocation hands Python ints and floats, not JSON text: the same cut-off, so a
    # number past 25 digits is one value however it is given, refused once as too large.
    body = _direct(invoke, SdkAppId=1400000000, **params)
    assert body["errors"] == TOO_LARGE
    assert ccc.calls == []


@pytest.mark.parametrize("task_id", [f"-{'1' * 26}", "-1.1e25", f"-{'9' * 5000}", "-2e26"])
def test_a_negative_number_past_25_digits_is_too_small(invoke: Invoke, task_id: str) -> None:
    response = invoke(_body(f'{{"SdkAppId": 1400000000, "TaskId": {task_id}}}'))
    assert http_body(response)["errors"] == [{"field": "TaskId", "message": "must be at least 1"}]


@pytest.mark.parametrize("task_id", [-(10**25), -int("9" * 30), -1.1e25])
def test_a_direct_negative_number_past_25_digits_is_too_small(
    invoke: Invoke, task_id: float
) -> None:
    body = _direct(invoke, SdkAppId=1400000000, TaskId=task_id)
    assert body["errors"] == [{"field": "TaskId", "message": "must be at least 1"}]


def test_parameters_after_an_unknown_one_are_still_read(invoke: Invoke) -> None:
    body = invoke(
        {"Action": "DescribeAutoCalloutTask", 7: "x", "SdkAppId": 1400000000, "TaskId": 3}
    )
    assert body["task_id"] == 3


def test_a_base64_body_of_exactly_64_kib_is_read(invoke: Invoke) -> None:
    encoded = base64.b64encode(_body_of(65_536).encode()).decode()
    assert len(encoded) == MAX_BASE64
    assert invoke(post_event(encoded, base64_encoded=True))["statusCode"] == 200


def test_a_base64_body_longer_than_64_kib_encoded_is_refused_before_decoding(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # Not Base64 at all, but too long to be 64 KiB of anything: refused for its size unread.
    response = invoke(post_event("!" * (MAX_BASE64 + 1), base64_encoded=True))
    assert response["statusCode"] == 413
    assert ccc.calls == []


@pytest.mark.parametrize(("size", "status"), [(65_536, 200), (65_537, 413)])
def test_a_text_body_is_measured_in_utf8_bytes_not_characters(
    invoke: Invoke, ccc: CccBackend, size: int, status: int
) -> None:
    body = _body_of(size, pad="é")  # two bytes a character: about 33 000 characters
    assert len(body) < 40_000
    assert invoke(post_event(body))["statusCode"] == status


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


def test_a_query_string_exactly_at_its_limit_as_sent_is_read_and_one_more_is_refused(
    invoke: Invoke,
) -> None:
    # Empty pieces between "&" count as sent and vanish once parsed: only the raw limit applies
    lookup = "SdkAppId=1400000000&TaskId=3"
    limit = events.MAX_RAW_QUERY_CHARACTERS
    event = function_url_get()
    event["queryString"] = lookup + "&" * (limit - len(lookup))
    assert invoke(event)["statusCode"] == 200
    event["queryString"] += "&"
    response = invoke(event)
    assert response["statusCode"] == 400
    assert f"longer than {limit} characters as sent" in http_body(response)["detail"]
