"""Property-based fuzzing of main_handler: whatever arrives, a well-formed answer of its trigger's
shape comes back, nothing is raised, and client garbage never gets a 5xx.

Examples per run: 5 properties x 500 = 2 500 (FUZZ_EXAMPLES overrides the 500).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from callout_task import handler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autocallout.fake_ccc import mock_ccc

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
names = st.sampled_from(
    [
        "SdkAppId",
        "TaskId",
        "sdk_app_id",
        "task_id",
        "include_callees",
        "callee_offset",
        "callee_limit",
        "IncludeCallees",
    ]
) | st.text(max_size=12)
ids = st.sampled_from([1400000000, 1400000001, 3, 7, 0, -1, 2**63 - 1, 2**63]) | st.integers()
query_values = (
    st.text(max_size=12)
    | st.from_regex(r"\A[0-9]{1,20}\Z")
    | st.just(True)
    | st.lists(st.text(max_size=8) | st.from_regex(r"\A[0-9]{1,4}\Z"), max_size=3)
)
task_like = st.dictionaries(names, ids | json_scalars | json_values, max_size=6)
bodies = st.none() | st.text(max_size=80) | task_like.map(json.dumps) | json_values.map(json.dumps)
methods = st.sampled_from(["GET", "POST", "OPTIONS", "PUT", "DELETE", "", "get"]) | st.text(
    max_size=6
)
headers = (
    st.dictionaries(st.text(min_size=1, max_size=15), st.text(max_size=30), max_size=5)
    | json_values
)


@st.composite
def http_events(draw: st.DrawFn, gateway: bool) -> dict[str, Any]:
    event: dict[str, Any] = {
        "httpMethod": draw(methods),
        "headers": draw(headers),
        "path": draw(
            st.sampled_from(["/", "/release/task", "/openapi.json"]) | st.text(max_size=10)
        ),
        "queryString": draw(st.dictionaries(names, query_values, max_size=5) | json_values),
    }
    body = draw(bodies)
    if body is not None:
        if draw(st.booleans()):
            event["body"] = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = body
            event["isBase64Encoded"] = draw(st.sampled_from([False, None, "true", 1]))
    if gateway:
        event["requestContext"] = draw(
            st.fixed_dictionaries({"requestId": st.text(max_size=10) | st.none()}) | json_values
        )
        event["pathParameters"] = draw(
            st.dictionaries(names, query_values, max_size=2) | json_values
        )
        event["queryStringParameters"] = draw(st.dictionaries(names, query_values, max_size=2))
    return event


timer_events = st.fixed_dictionaries(
    {
        "Type": st.sampled_from(["Timer", "timer", "TIMER"]),
        "Message": (
            st.text(max_size=40)
            | task_like.map(json.dumps)
            | st.lists(task_like, max_size=4).map(json.dumps)
            | json_values.map(json.dumps)
        ),
    },
    optional={"TriggerName": st.text(max_size=10), "Time": st.text(max_size=10)},
)


@pytest.fixture(scope="module", autouse=True)
def fake_ccc() -> Iterator[None]:
    with mock_ccc():
        yield


@pytest.fixture(autouse=True)
def no_local_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "0")


def _answer(event: Any) -> Any:
    return handler.main_handler(event, {"time_limit_in_ms": 3000})


def _check_http(answer: Any) -> int:
    assert set(answer) == {"isBase64Encoded", "statusCode", "headers", "body"}
    assert answer["isBase64Encoded"] is False
    assert isinstance(answer["statusCode"], int)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer["headers"].items())
    assert answer["headers"]["X-Request-Id"]
    status: int = answer["statusCode"]
    if status != 204:
        body = json.loads(answer["body"])
        assert isinstance(body, dict)
        if status >= 400:
            assert body["status"] == status
            assert "Traceback" not in answer["body"]
    return status


def _check_body(body: Any) -> int:
    assert isinstance(body, dict)
    json.dumps(body)
    if "type" in body:  # a problem
        assert {"type", "title", "status", "detail", "request_id"} <= set(body)
        return int(body["status"])
    assert isinstance(body["task_id"], int)
    return 200


@FUZZ
@given(event=http_events(gateway=False))
def test_function_url_events_always_get_a_well_formed_non_5xx_answer(event: dict[str, Any]) -> None:
    assert _check_http(_answer(event)) < 500


@FUZZ
@given(event=http_events(gateway=True))
def test_api_gateway_events_always_get_a_well_formed_non_5xx_answer(event: dict[str, Any]) -> None:
    assert _check_http(_answer(event)) < 500


@FUZZ
@given(event=timer_events)
def test_timer_events_always_get_one_result_per_task_or_one_problem(event: dict[str, Any]) -> None:
    answer = _answer(event)
    assert set(answer) == {"results"}
    assert answer["results"]
    assert all(_check_body(result) < 500 for result in answer["results"])


@FUZZ
@given(event=task_like)
def test_direct_invocations_always_get_a_task_or_a_problem(event: dict[str, Any]) -> None:
    assert _check_body(_answer(event)) < 500


@FUZZ
@given(event=json_values)
def test_any_json_at_all_gets_a_well_formed_answer(event: Any) -> None:
    answer = _answer(event)
    if isinstance(answer, dict) and "statusCode" in answer:
        assert _check_http(answer) < 500
    elif isinstance(answer, dict) and "results" in answer:
        assert all(_check_body(result) < 500 for result in answer["results"])
    else:
        assert _check_body(answer) < 500
