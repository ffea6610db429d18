"""How gather reads query-string text and words a refusal (issue 18's survivors in
callout_task.request), seen in the problem the caller gets."""

from __future__ import annotations

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.conftest import Invoke, function_url_get, http_body

CONFLICT = "given more than once with different values"


@pytest.mark.parametrize(("first", "second"), [("yes", "no"), ("yes", "YES"), ("on", "")])
def test_two_different_words_for_a_boolean_are_a_conflict_not_one_refusal(
    invoke: Invoke, ccc: CccBackend, first: str, second: str
) -> None:
    # Text that is not true/false/1/0 is kept as sent, so two such texts are compared as sent.
    query = {"SdkAppId": "1400000000", "TaskId": "3"}
    response = invoke(function_url_get(**query, IncludeCallees=first, include_callees=second))
    assert response["statusCode"] == 400
    assert http_body(response)["errors"] == [{"field": "include_callees", "message": CONFLICT}]
    assert ccc.calls == []


@pytest.mark.parametrize("text", ["yes", "TRUE ", "2"])
def test_a_word_that_is_not_a_boolean_is_refused_as_such(invoke: Invoke, text: str) -> None:
    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3", IncludeCallees=text))
    assert http_body(response)["errors"] == [
        {"field": "IncludeCallees", "message": "must be true or false"}
    ]
