"""The published contract is valid, current, served, and complete (SPEC "Transport", "Errors")."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from callout_task import problems
from callout_task.api_document import DOCUMENT as SHIPPED_DOCUMENT
from callout_task.normalise import CALLEE_STATES, TASK_STATES, UNKNOWN
from callout_task.request import SPELLINGS
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from autocallout import contract, openapi
from tests.contract.conftest import OPENAPI_DOCUMENT, TASK_SCHEMA, load_json
from tests.function.conftest import Invoke, http_body

PROBLEM_STATUSES = {400, 403, 404, 405, 413, 429, 500, 502, 503, 504}


def test_the_committed_document_is_a_valid_openapi_3_1_document() -> None:
    document = load_json(OPENAPI_DOCUMENT)
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"].startswith("3.1.")


def test_the_committed_files_are_what_the_code_generates() -> None:
    stale = [str(path) for path in openapi.stale_files()]
    assert stale == [], "regenerate with: python -m autocallout.openapi"


def test_the_check_option_fails_on_a_stale_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a generator that would write a different document
    document = openapi.build_document()
    monkeypatch.setattr(openapi, "build_document", lambda: {**document, "openapi": "3.1.1"})
    # When it checks the committed files / Then it says they are stale
    assert openapi.main(["--check"]) == 1


def test_the_shipped_copy_is_the_document_without_indentation() -> None:
    # The function ships the same document, minus the whitespace that only people need
    shipped = SHIPPED_DOCUMENT.read_text(encoding="utf-8")
    document = load_json(OPENAPI_DOCUMENT)
    assert shipped == json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert len(shipped.encode()) < 0.7 * len(OPENAPI_DOCUMENT.read_bytes())


def test_the_function_serves_the_shipped_document_at_openapi_json(invoke: Invoke) -> None:
    # Given a Function URL request for the document (no parameters, so no CCC call)
    event = {"httpMethod": "GET", "path": "/openapi.json", "headers": {}, "queryString": {}}
    # When the function answers
    answer = invoke(event)
    # Then it is the generated document, as JSON
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"].startswith("application/json")
    assert http_body(answer) == openapi.build_document()


def test_every_problem_status_has_a_documented_response() -> None:
    responses = load_json(OPENAPI_DOCUMENT)["components"]["responses"]
    statuses = {
        response["content"]["application/problem+json"]["schema"]["allOf"][1]["properties"][
            "status"
        ]["const"]
        for response in responses.values()
    }
    assert statuses == PROBLEM_STATUSES
    assert statuses == {cls.status for cls in openapi._subclasses(problems.Problem)}
    assert "Retry-After" in responses["Problem429"]["headers"]
    assert "Allow" in responses["Problem405"]["headers"]


def test_every_problem_type_the_code_can_raise_is_listed_under_its_status() -> None:
    responses = load_json(OPENAPI_DOCUMENT)["components"]["responses"]
    for cls in openapi._subclasses(problems.Problem):
        schema = responses[f"Problem{cls.status}"]["content"]["application/problem+json"]["schema"]
        listed = schema["allOf"][1]["properties"]
        assert problems.PROBLEM_TYPE_PREFIX + cls.slug in listed["type"]["enum"], cls
        assert cls.title in listed["title"]["enum"], cls


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_lookup_answer_status_is_documented(method: str) -> None:
    operation = load_json(OPENAPI_DOCUMENT)["paths"]["/"][method]
    # 405 is the answer to the methods the document does not list, so it hangs off no operation
    assert {int(status) for status in operation["responses"]} == (PROBLEM_STATUSES - {405}) | {200}


def test_both_spellings_of_every_parameter_are_documented_in_query_and_body() -> None:
    document = load_json(OPENAPI_DOCUMENT)
    query = {
        document["components"]["parameters"][ref["$ref"].rsplit("/", 1)[1]]["name"]
        for ref in document["paths"]["/"]["get"]["parameters"]
    }
    body = set(document["components"]["schemas"]["TaskRequestBody"]["properties"])
    assert query == set(SPELLINGS)
    assert body == set(SPELLINGS)


def test_the_body_schema_requires_one_spelling_of_each_required_parameter() -> None:
    body = load_json(OPENAPI_DOCUMENT)["components"]["schemas"]["TaskRequestBody"]
    validator = Draft202012Validator(body)
    assert validator.is_valid({"SdkAppId": 1400000000, "task_id": 3})
    assert validator.is_valid({"sdk_app_id": 1400000000, "TaskId": 3, "other": "ignored"})
    assert not validator.is_valid({"SdkAppId": 1400000000})
    assert not validator.is_valid({"TaskId": 3, "task_id": 3})


def test_the_task_schema_is_a_valid_json_schema_of_the_task() -> None:
    schema = load_json(TASK_SCHEMA)
    Draft202012Validator.check_schema(schema)
    assert schema["$ref"] == "#/$defs/Task"
    assert set(schema["$defs"]["Task"]["required"]) == set(contract.Task.model_fields)
    assert {"Problem", "TimerResults", "DirectAnswer"} <= set(schema["$defs"])


def _literal_values(annotation: Any) -> set[str]:
    return set(typing.get_args(annotation))


def test_the_states_in_the_contract_are_the_ones_normalise_produces() -> None:
    assert _literal_values(contract.TaskState) == {*TASK_STATES.values(), UNKNOWN}
    assert _literal_values(contract.CalleeState) == {*CALLEE_STATES.values(), UNKNOWN}
    assert set(contract.CalleeSummary.model_fields) == {"total", *CALLEE_STATES.values(), UNKNOWN}
