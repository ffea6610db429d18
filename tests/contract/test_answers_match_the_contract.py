"""What the function really answers fits the published contract, key by key (SPEC "Output")."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from callout_task import problems
from callout_task.normalise import normalise
from callout_task.request import TaskRequest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from autocallout import contract, openapi
from tests.contract.documents import TASK_SCHEMA, load_json
from tests.function.scenarios import Invoke, load_event
from tests.paths import EVENTS

# Anything JSON can carry, for the upstream fields whose type CCC might get wrong.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
# Any Unix seconds: years 1 to 9999 (years before 1000 too: they must still get four digits)
# and those datetime cannot render at all.
timestamps = st.integers(min_value=-62_135_596_800, max_value=253_402_300_799) | st.integers()
callees = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "Callee": st.text(max_size=12) | json_values,
            "State": st.integers(-1, 6) | json_values,
            "Sessions": st.lists(st.text(max_size=8) | json_values, max_size=3) | json_values,
        },
    )
    | json_values,
    max_size=6,
)
upstream_responses = st.fixed_dictionaries(
    {},
    optional={
        "Name": st.text(max_size=8) | json_values,
        "Description": st.text(max_size=8) | json_values,
        "State": st.integers(-1, 7) | json_values,
        "NotBefore": timestamps | json_values,
        "NotAfter": timestamps | json_values,
        "IvrId": st.integers() | json_values,
        "MaxRingTimeoutSecond": st.integers() | json_values,
        "Callers": st.lists(st.text(max_size=12) | json_values, max_size=3) | json_values,
        "Callees": callees,
        "RequestId": st.uuids().map(str) | json_values,
        "SomethingNew": json_values,
    },
)
requests = st.builds(
    TaskRequest,
    sdk_app_id=st.integers(1, 2**63 - 1),
    task_id=st.integers(1, 2**63 - 1),
    include_callees=st.booleans(),
    callee_offset=st.integers(0, 8),
    callee_limit=st.integers(1, 4),
)


def task_schema_validator(definition: str | None = None) -> Draft202012Validator:
    """A validator of the published docs/task.schema.json, at its root or at one of its $defs."""
    schema = load_json(TASK_SCHEMA)
    if definition is not None:
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema)


@settings(max_examples=200, deadline=None)
@given(response=upstream_responses, request=requests)
def test_every_key_of_a_normalised_task_is_declared_by_the_contract(
    response: dict[str, Any], request: TaskRequest
) -> None:
    # Given whatever CCC answers / When it is normalised
    task = normalise(response, request)
    # Then the strict, closed model reads it (a new or renamed key fails here)
    contract.Task.model_validate(task)
    # and so does the published JSON Schema
    task_schema_validator().validate(task)


def _problem_classes() -> list[type[problems.Problem]]:
    return list(openapi._subclasses(problems.Problem))


@pytest.mark.parametrize("cls", _problem_classes(), ids=lambda cls: cls.__name__)
def test_every_problem_renders_a_body_the_contract_declares(cls: type[problems.Problem]) -> None:
    # Given a problem with every optional member set
    problem = cls(
        "What went wrong.",
        errors=[{"field": "TaskId", "message": "Input should be a valid integer"}],
        upstream_code="FailedOperation",
        upstream_request_id="c6fb2aee-f0f1-4800-a857-a7c32b634b6d",
        retry_after=1,
        upstream_message="logged only",
    )
    # When it is rendered
    body = problem.body("request-1")
    # Then the model and the schema both read it, and the body has no member they do not know
    assert contract.Problem.model_validate(body).status == cls.status
    task_schema_validator("Problem").validate(body)
    assert set(body) <= set(contract.Problem.model_fields)


def test_the_problem_body_members_are_the_ones_the_contract_declares() -> None:
    # Problem.__init__'s keywords are what a body can carry (upstream_message is never rendered)
    keywords = set(inspect.signature(problems.Problem.__init__).parameters) - {"self", "detail"}
    base = {"type", "title", "status", "detail", "request_id"}
    assert set(contract.Problem.model_fields) == base | keywords - {"upstream_message"}


def _body_and_definition(answer: Any) -> tuple[Any, str]:
    """What an answer carries, and the $defs entry of task.schema.json it must match."""
    if isinstance(answer, dict) and "statusCode" in answer:
        body = json.loads(answer["body"]) if answer["body"] else None
        return body, "Task" if answer["statusCode"] == 200 else "Problem"
    if isinstance(answer, dict) and set(answer) == {"results"}:
        return answer, "TimerResults"
    return answer, "DirectAnswer"


@pytest.mark.parametrize("name", sorted(path.name for path in EVENTS.glob("*.json")))
def test_every_sample_event_is_answered_within_the_task_schema(invoke: Invoke, name: str) -> None:
    # Given a sample event / When the function answers it (against the fake CCC)
    answer = invoke(load_event(name))
    body, definition = _body_and_definition(answer)
    if answer.get("statusCode") == 204:
        assert body is None  # a preflight: no body at all
        return
    # Then the answer validates against the published schema
    errors = [error.message for error in task_schema_validator(definition).iter_errors(body)]
    assert errors == [], f"{name}: {errors}"
