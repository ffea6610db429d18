"""Every ready-made event in events/ gives the answer its name promises, against the seed data."""

from __future__ import annotations

import pytest

from tests.function.scenarios import Invoke, load_event
from tests.paths import EVENTS

EXPECTED = {
    "apigw-get-task.json": 200,
    "apigw-get-repeated-and-flag-query.json": 200,
    "apigw-post-json-body.json": 200,
    "apigw-post-base64-body.json": 200,
    "function-url-get-task.json": 200,
    "function-url-post-task.json": 200,
    "function-url-get-big-task-page.json": 200,
    "function-url-options-preflight.json": 204,
    "timer-one-task.json": 200,
    "timer-two-tasks.json": 200,
    "direct-invoke.json": 200,
    "direct-invoke-snake-case.json": 200,
    "bad-task-id.json": 400,
    "bad-json-body.json": 400,
    "bad-missing-task-id.json": 400,
    "bad-conflicting-values.json": 400,
    "bad-method-delete.json": 405,
    "timer-empty-message.json": 400,
    "unknown-task.json": 404,
}


def test_every_sample_event_is_listed_here() -> None:
    assert sorted(path.name for path in EVENTS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize(("name", "status"), sorted(EXPECTED.items()))
def test_a_sample_event_gets_the_status_its_name_promises(
    invoke: Invoke, name: str, status: int
) -> None:
    answer = invoke(load_event(name))
    if "statusCode" in answer:
        got = answer["statusCode"]
    elif "results" in answer:
        got = max(result.get("status", 200) for result in answer["results"])
    else:
        got = answer.get("status", 200)
    assert got == status
