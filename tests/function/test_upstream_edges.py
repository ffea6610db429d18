"""How CCC's answers and error codes become problems (callout_task.upstream), called directly:
the caller's detail tells the causes apart, the log keeps why, and only CCC's codes are shown."""

from __future__ import annotations

import pytest
from callout_task import problems
from callout_task.invocation import CallReport
from callout_task.sdk_transport import AttemptFailed
from callout_task.upstream import problem_from_upstream, response_of

# One code per cause in SPEC "Errors" (and the function's own failures); each is its own story.
ONE_CODE_PER_CAUSE = {
    "ResourceNotFound.TaskNotExist": 404,
    "UnauthorizedOperation": 403,
    "RequestLimitExceeded": 429,
    "AuthFailure.SignatureFailure": 502,
    "ServiceUnavailable": 503,
    "InternalError.DBError": 502,
    "DeadlineReached": 504,
    "BodyTooLarge": 502,
    "BadBody": 502,
    "ClientNetworkError": 502,
    "ServerNetworkError": 502,
}
FUNCTION_CODES = {"DeadlineReached", "BodyTooLarge", "BadBody"}  # failures CCC did not name


def test_every_cause_gets_a_detail_of_its_own() -> None:
    details = {
        code: problem_from_upstream(code, "CCC's own words", "req-1").detail
        for code in ONE_CODE_PER_CAUSE
    }

    assert len(set(details.values())) == len(details), details
    assert "CCC's own words" not in details.values()  # only the InvalidParameter family's
    # The limit the caller ran into, as the number it is.
    assert " 32 MiB " in details["BodyTooLarge"]
    # A 503 is the one failure a caller may wait out; a 502 is not to be read as one.
    assert "unavailable" in details["ServiceUnavailable"]
    assert "unavailable" not in details["InternalError.DBError"]


@pytest.mark.parametrize(("code", "status"), ONE_CODE_PER_CAUSE.items())
def test_only_ccc_codes_are_shown_and_only_throttling_says_when_to_retry(
    code: str, status: int
) -> None:
    problem = problem_from_upstream(code, "", "req-1")
    body = problem.body("our-request")

    assert body["status"] == status
    assert body.get("upstream_code") == (None if code in FUNCTION_CODES else code)
    assert body["upstream_request_id"] == "req-1"
    assert problem.retry_after == (1 if status == 429 else None)
    assert ("retry_after" in body) is (status == 429)


def _problem_for(answer: bytes) -> problems.Problem:
    """What an attempt whose answer is ``answer`` ends as."""
    report = CallReport()
    with pytest.raises(AttemptFailed) as failed:
        response_of(answer, report)
    failure = failed.value
    return problem_from_upstream(failure.code, failure.message, failure.request_id)


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>502 Bad Gateway</html>",
        b'["Response"]',  # JSON, but no object
        b'{"Response": "ok"}',
        b'{"Result": {"RequestId": "r"}}',
    ],
)
def test_an_answer_that_is_not_cccs_json_is_a_bad_body_with_why_in_the_log(
    answer: bytes,
) -> None:
    problem = _problem_for(answer)
    generic = problem_from_upstream("SomethingNobodyDocumented", "", None)

    assert (problem.status, problem.upstream_code) == (502, None)
    assert problem.detail != generic.detail
    # The log line says what was wrong with the answer (problem.upstream_message is logged).
    assert problem.upstream_message
    assert problem.upstream_message != problem.detail


@pytest.mark.parametrize(
    "error",
    [b"{}", b'{"Code": ""}', b'{"Code": 5, "Message": 7}', b'{"Code": null}'],
)
def test_an_error_without_a_code_is_unknownerror_not_a_crash(error: bytes) -> None:
    answer = b'{"Response": {"RequestId": "r-1", "Error": ' + error + b"}}"

    problem = _problem_for(answer)

    assert (problem.status, problem.upstream_code) == (502, "UnknownError")
    assert problem.upstream_request_id == "r-1"


def test_a_request_id_that_is_not_text_is_not_reported() -> None:
    report = CallReport()

    assert response_of(b'{"Response": {"RequestId": 12, "TaskId": 3}}', report)["TaskId"] == 3
    assert report.upstream_request_id is None


def test_lone_surrogates_become_replacement_characters_inside_lists_too() -> None:
    answer = rb'{"Response": {"Callees": ["\ud800138", {"\udc00": ["x\ud83d"]}]}}'

    response = response_of(answer, CallReport())

    assert response["Callees"] == ["\ufffd138", {"\ufffd": ["x\ufffd"]}]
