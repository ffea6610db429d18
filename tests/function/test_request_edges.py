"""How gather reads query-string text and words a refusal (issue 18's survivors in
callout_task.request), seen in the problem the caller gets."""

from __future__ import annotations

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body
from tests.function.scenarios import Invoke, function_url_get

CONFLICT = "given more than once with different values"


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


def _body(text: str) -> dict[str, object]:
    event = function_url_get()
    event.update(httpMethod="POST", body=text)
    return event


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


def test_two_numbers_of_up_to_25_digits_are_compared_exactly(invoke: Invoke) -> None:
    response = invoke(_body('{"SdkAppId": 1400000000, "TaskId": 15e24, "task_id": 25e24}'))
    assert http_body(response)["errors"] == [{"field": "task_id", "message": CONFLICT}]


def test_past_25_digits_every_number_is_only_too_large(invoke: Invoke) -> None:
    # Not expanded to its digits (1e999999999 would never end): read as out of range, so two
    # such numbers for one name are refused once, as too large, not as two different values.
    response = invoke(_body('{"SdkAppId": 1400000000, "TaskId": 2e26, "task_id": 3e26}'))
    assert http_body(response)["errors"] == [
        {"field": "TaskId", "message": "must be at most 9223372036854775807"}
    ]


def test_parameters_after_an_unknown_one_are_still_read(invoke: Invoke) -> None:
    body = invoke(
        {"Action": "DescribeAutoCalloutTask", 7: "x", "SdkAppId": 1400000000, "TaskId": 3}
    )
    assert body["task_id"] == 3
