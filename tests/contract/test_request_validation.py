"""The function validates requests with the request model's own rules, compiled without pydantic.

callout_task/request_schema.py is TaskRequestModel's pydantic-core schema (generated; the
staleness test in test_published_contract.py covers it): here the model and the function's
validator are shown to accept and refuse the same inputs, with the same errors.
"""

from __future__ import annotations

from typing import Any

import pytest
from callout_task import request
from callout_task.problems import InvalidRequest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as ModelValidationError

from autocallout.contract import TaskRequestModel

values = (
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.integers(-3, 3)
    | st.sampled_from([2**63 - 1, 2**63, 10_000, 10_001, 1400000000])
    | st.lists(st.integers(0, 3), max_size=2)
)
params = st.dictionaries(
    st.sampled_from(
        ["sdk_app_id", "task_id", "include_callees", "callee_offset", "callee_limit", "other"]
    ),
    values,
    max_size=6,
)


def _model(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    try:
        return TaskRequestModel.model_validate(data).model_dump(), []
    except ModelValidationError as error:
        return None, sorted((str(e["loc"][0]), e["type"]) for e in error.errors())


def _function(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    try:
        return dict(request._VALIDATOR.validate_python(data)), []
    except request.ValidationError as error:
        return None, sorted((str(e["loc"][0]), e["type"]) for e in error.errors())


@settings(max_examples=400, deadline=None)
@given(data=params)
def test_the_function_and_the_model_agree_on_every_input(data: dict[str, Any]) -> None:
    assert _function(data) == _model(data)


def test_the_compiled_schema_refuses_what_the_model_refuses() -> None:
    data = {"sdk_app_id": True, "task_id": "3", "callee_limit": 0}
    assert (
        _function(data)[1]
        == _model(data)[1]
        == [
            ("callee_limit", "greater_than_equal"),
            ("sdk_app_id", "int_type"),
            ("task_id", "int_type"),
        ]
    )


def test_gather_gives_a_request_with_the_models_defaults() -> None:
    got = request.gather([request.Source({"SdkAppId": 1400000000, "TaskId": 3})])
    assert got == request.TaskRequest(1400000000, 3, True, 0, 1000)
    assert TaskRequestModel(sdk_app_id=1400000000, task_id=3).model_dump() == got._asdict()


def test_a_refused_request_names_the_field_as_spelled() -> None:
    with pytest.raises(InvalidRequest) as caught:
        request.gather([request.Source({"SdkAppId": 1400000000, "task_id": 0})])
    assert caught.value.errors == [{"field": "task_id", "message": "must be at least 1"}]
