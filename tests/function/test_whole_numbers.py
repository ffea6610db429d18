"""A JSON number without a fraction is the integer it spells (``3.0`` is 3), exactly.

JSON Schema's ``integer`` is any number whose fractional part is zero, so the published document
(docs/openapi.json) calls ``3.0`` a valid TaskId: the function takes it, or schema-valid requests
would be refused. A number is taken only when the function can know it exactly: JSON text is read
as decimals, and a float handed over already parsed (a direct invocation) only below 2^53.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body
from tests.function.scenarios import Invoke


def _post(body: str) -> dict[str, Any]:
    return {
        "httpMethod": "POST",
        "path": "/",
        "headers": {"content-type": "application/json"},
        "queryString": {},
        "body": body,
    }


@pytest.mark.parametrize("task_id", ["3.0", "3.000", "3E0", "0.3e1", "30e-1"])
def test_a_whole_json_number_in_a_body_is_the_integer(
    invoke: Invoke, ccc: CccBackend, task_id: str
) -> None:
    response = invoke(_post(f'{{"SdkAppId": 1400000000.0, "TaskId": {task_id}}}'))
    assert response["statusCode"] == 200
    assert ccc.calls[0].params == {"SdkAppId": 1400000000, "TaskId": 3}


@pytest.mark.parametrize("offset", ["0e30", "0E999999999", "-0.0", "0.000e-5"])
def test_zero_with_any_exponent_is_zero(invoke: Invoke, ccc: CccBackend, offset: str) -> None:
    # JSON Schema's integer (minimum 0) takes 0e30; its exponent says nothing about its size
    response = invoke(_post(f'{{"SdkAppId": 1400000000, "TaskId": 3, "CalleeOffset": {offset}}}'))
    assert response["statusCode"] == 200
    assert http_body(response)["callee_page"]["offset"] == 0


def test_a_whole_number_beyond_float_precision_is_kept_exact(
    invoke: Invoke, ccc: CccBackend
) -> None:
    # 2^53 + 1 has no float of its own: read as a float it would become 2^53
    invoke(_post('{"SdkAppId": 1400000000, "TaskId": 9007199254740993.0}'))
    assert ccc.calls[0].params["TaskId"] == 9007199254740993


@pytest.mark.parametrize("task_id", ["3.5", "1e-1", "9.3e18", "1e999999999"])
def test_a_json_number_with_a_fraction_or_out_of_range_is_refused(
    invoke: Invoke, ccc: CccBackend, task_id: str
) -> None:
    started = time.monotonic()
    response = invoke(_post(f'{{"SdkAppId": 1400000000, "TaskId": {task_id}}}'))
    assert response["statusCode"] == 400
    assert [error["field"] for error in http_body(response)["errors"]] == ["TaskId"]
    assert ccc.calls == []
    assert time.monotonic() - started < 5  # 1e999999999 is never expanded to its digits


def test_a_whole_float_in_a_direct_event_is_the_integer(invoke: Invoke, ccc: CccBackend) -> None:
    answer = invoke({"SdkAppId": 1400000000.0, "TaskId": 3.0, "callee_limit": 2.0})
    assert answer["task_id"] == 3
    assert answer["callee_page"]["limit"] == 2


def test_a_float_too_large_to_be_exact_is_refused_in_a_direct_event(invoke: Invoke) -> None:
    answer = invoke({"SdkAppId": 1400000000, "TaskId": float(2**53)})
    assert answer["status"] == 400
    assert answer["errors"][0]["field"] == "TaskId"
    # it is whole: the refusal says why it is refused all the same, not "without a fraction"
    assert "2^53" in answer["errors"][0]["message"]


def test_3_and_3_0_for_one_name_are_one_value(invoke: Invoke, ccc: CccBackend) -> None:
    body = json.dumps({"SdkAppId": 1400000000, "TaskId": 3})[:-1] + ', "task_id": 3.0}'
    assert invoke(_post(body))["statusCode"] == 200


def test_a_whole_number_is_not_a_boolean(invoke: Invoke) -> None:
    response = invoke(_post('{"SdkAppId": 1400000000, "TaskId": 3, "IncludeCallees": 1.0}'))
    assert [error["field"] for error in http_body(response)["errors"]] == ["IncludeCallees"]
