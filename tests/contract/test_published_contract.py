"""The published contract is valid, current, served, and complete (SPEC "Transport", "Errors")."""

from __future__ import annotations

import json
import re
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
from tests.contract.documents import OPENAPI_30_DOCUMENT, OPENAPI_DOCUMENT, TASK_SCHEMA, load_json
from tests.function.answers import http_body
from tests.function.scenarios import Invoke
from tests.paths import REPO

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


def _problem_schema(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _pinned_status(schema: dict[str, Any]) -> int:
    status = schema["allOf"][1]["properties"]["status"]
    assert status["minimum"] == status["maximum"]
    return int(status["minimum"])


def test_every_problem_status_has_a_documented_response() -> None:
    document = load_json(OPENAPI_DOCUMENT)
    responses = document["components"]["responses"]
    statuses = {
        _pinned_status(_problem_schema(document, response)) for response in responses.values()
    }
    # 405 answers the methods the document does not list: no operation has it, so it is said in
    # the description rather than kept as a response component nothing refers to
    assert statuses == PROBLEM_STATUSES - {405}
    assert statuses | {405} == {cls.status for cls in openapi._subclasses(problems.Problem)}
    assert "Retry-After" in responses["Problem429"]["headers"]
    assert "answered 405 (`Allow: GET, POST, OPTIONS`)" in document["info"]["description"]


def test_no_problem_schema_pins_a_member_with_const() -> None:
    # openapi-python-client cannot merge the base's `status: integer` with `const: 400` and
    # drops every such response from the client it generates
    document = load_json(OPENAPI_DOCUMENT)
    for response in document["components"]["responses"].values():
        assert "const" not in json.dumps(_problem_schema(document, response))


def test_every_problem_type_the_code_can_raise_is_listed_under_its_status() -> None:
    document = load_json(OPENAPI_DOCUMENT)
    responses = document["components"]["responses"]
    for cls in openapi._subclasses(problems.Problem):
        if cls.status == problems.MethodNotAllowed.status:
            continue  # on no operation (see above)
        schema = _problem_schema(document, responses[f"Problem{cls.status}"])
        listed = schema["allOf"][1]["properties"]
        assert problems.PROBLEM_TYPE_PREFIX + cls.slug in listed["type"]["enum"], cls
        assert cls.title in listed["title"]["enum"], cls


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_lookup_answer_status_is_documented(method: str) -> None:
    operation = load_json(OPENAPI_DOCUMENT)["paths"]["/"][method]
    # 405 is the answer to the methods the document does not list, so it hangs off no operation
    assert {int(status) for status in operation["responses"]} == (PROBLEM_STATUSES - {405}) | {200}


def test_the_readme_leads_each_parameter_with_the_documents_spelling() -> None:
    # The README's table once led with snake_case for three of them while the documents and
    # docs/integrations.md used Tencent's: a reader met two spellings of one API
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`[^|]+`) \| (?:required|default)", readme, flags=re.MULTILINE)
    published = openapi.published_names()
    assert rows == [f"`{published[field]}` / `{field}`" for field in published]


def test_one_parameter_per_concept_is_published_in_tencents_spelling() -> None:
    document = load_json(OPENAPI_DOCUMENT)
    parameters = document["components"]["parameters"]
    query = {
        parameters[ref["$ref"].rsplit("/", 1)[1]]["name"]
        for ref in document["paths"]["/"]["get"]["parameters"]
    }
    body = set(document["components"]["schemas"]["TaskRequestBody"]["properties"])
    tencent = {name for name in SPELLINGS if name[0].isupper()}
    assert query == body == tencent
    assert len(tencent) == len(set(SPELLINGS.values()))  # one name per concept
    required = {p["name"] for p in parameters.values() if p["required"]}
    assert required == {"SdkAppId", "TaskId"}


def test_the_body_schema_requires_both_ids_in_the_published_spelling() -> None:
    body = load_json(OPENAPI_DOCUMENT)["components"]["schemas"]["TaskRequestBody"]
    validator = Draft202012Validator(body)
    assert validator.is_valid({"SdkAppId": 1400000000, "TaskId": 3, "other": "ignored"})
    assert validator.is_valid({"SdkAppId": 1400000000, "TaskId": 3.0})  # JSON Schema's integer
    assert not validator.is_valid({"SdkAppId": 1400000000})
    assert not validator.is_valid({"SdkAppId": 1400000000, "TaskId": 3.5})


def test_the_3_0_rendition_is_a_valid_openapi_3_0_document_of_the_same_api() -> None:
    document = load_json(OPENAPI_30_DOCUMENT)
    validate(document)  # openapi-spec-validator picks the 3.0 schema from `openapi`
    assert document["openapi"] == "3.0.3"
    original = load_json(OPENAPI_DOCUMENT)
    assert document["paths"].keys() == original["paths"].keys()
    assert document["components"]["schemas"].keys() == original["components"]["schemas"].keys()
    text = json.dumps(document)
    for construct in ('"const"', '"examples"', '{"type": "null"}', "jsonSchemaDialect"):
        assert construct not in text, construct


def test_the_3_0_rendition_marks_nullable_members_nullable() -> None:
    task = load_json(OPENAPI_30_DOCUMENT)["components"]["schemas"]["Task"]["properties"]
    assert task["not_after"]["nullable"] is True
    assert task["not_after"]["type"] == "string"
    assert task["callee_summary"] == {"$ref": "#/components/schemas/CalleeSummary"}


@pytest.mark.parametrize("mode", ["cam", "api-key"])
def test_a_local_door_serves_only_its_own_security_and_its_401(mode: str) -> None:
    served = openapi.for_front_door(openapi.build_document(), mode)
    validate(served)
    (scheme,) = served["security"]
    assert set(scheme) == {openapi._DOOR_SCHEMES[mode]}
    paths = served["paths"]
    for operation in (paths["/"]["get"], paths["/"]["post"], paths["/openapi.json"]["get"]):
        assert "401" in operation["responses"]
    assert "401" not in paths["/"]["options"]["responses"]  # the preflight is not signed


def test_a_door_without_auth_serves_a_document_without_security() -> None:
    served = openapi.for_front_door(openapi.build_document(), "none")
    validate(served)
    assert served["security"] == []
    assert "401" not in served["paths"]["/"]["get"]["responses"]


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


@pytest.mark.parametrize("maximum", [1, 9, 10, 99, 100, 12345, contract.MAX_ID])
def test_the_id_pattern_matches_the_canonical_digits_of_1_to_its_maximum_and_nothing_else(
    maximum: int,
) -> None:
    pattern = re.compile(contract.decimal_pattern(maximum))
    top = len(str(maximum))
    # every number around each power of ten and around the maximum, and the maximum's
    # neighbours digit by digit
    near = {n for p in range(top + 2) for n in range(10**p - 3, 10**p + 3)}
    near |= {maximum + d for d in range(-3, 4)} | {maximum - 10**p for p in range(top)}
    for number in sorted(n for n in near if n >= 0):
        assert bool(pattern.fullmatch(str(number))) == (1 <= number <= maximum), number
    for text in ("", "03", " 3", "3 ", "+3", "-3", "3.0", "3e0", "0x3", "٣"):
        assert pattern.fullmatch(text) is None, text


def test_the_body_takes_each_id_as_a_number_or_the_string_of_its_digits() -> None:
    body = load_json(OPENAPI_DOCUMENT)["components"]["schemas"]["TaskRequestBody"]
    validator = Draft202012Validator(body)
    base = {"SdkAppId": 1400000000, "TaskId": 3}
    for good in (3, "3", str(contract.MAX_ID), 3.0):
        assert validator.is_valid({**base, "TaskId": good}), good
    for bad in ("03", " 3", "0", 0, str(contract.MAX_ID + 1), True, "3.0"):
        assert not validator.is_valid({**base, "TaskId": bad}), bad
