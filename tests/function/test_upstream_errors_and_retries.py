"""Upstream errors and retries (callout_task.upstream): how CCC's answers and error codes become
problems, called directly (the caller's detail tells the causes apart, the log keeps why, only
CCC's codes are shown, never its words), which failures are retried, with what backoff, and what
the answer is when every attempt fails. The end-to-end row of each code is test_error_table's;
faults against the deadline are test_deadline's."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from callout_task import handler, problems, tencent_call
from callout_task.config import Settings
from callout_task.deadline import Deadline
from callout_task.invocation import CallReport, Invocation
from callout_task.rate_limit import MIN_ATTEMPT_SECONDS, TokenBucket
from callout_task.sdk_transport import AttemptFailed
from callout_task.tencent_call import problem_from_upstream, response_of, with_retries

from autocallout.fake_ccc import CccBackend
from tests.function import rude_upstream
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

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


def test_a_refusal_without_ccc_s_words_names_its_code_and_logs_none() -> None:
    answer = b'{"Response": {"RequestId": "r-1", "Error": {"Code": "InvalidParameter"}}}'

    problem = _problem_for(answer)

    assert (problem.status, problem.upstream_message) == (400, None)
    assert "InvalidParameter" in problem.detail


def test_an_answer_after_a_failed_attempt_clears_the_failure_s_code() -> None:
    report = CallReport()
    report.upstream_code = "RequestLimitExceeded"  # what the attempt before left for the log

    response_of(b'{"Response": {"RequestId": "r-2", "TaskId": 3}}', report)

    assert (report.upstream_code, report.upstream_request_id) == (None, "r-2")


def test_a_request_id_that_is_not_text_is_not_reported() -> None:
    report = CallReport()

    assert response_of(b'{"Response": {"RequestId": 12, "TaskId": 3}}', report)["TaskId"] == 3
    assert report.upstream_request_id is None


def test_lone_surrogates_become_replacement_characters_inside_lists_too() -> None:
    answer = rb'{"Response": {"Callees": ["\ud800138", {"\udc00": ["x\ud83d"]}]}}'

    response = response_of(answer, CallReport())

    assert response["Callees"] == ["\ufffd138", {"\ufffd": ["x\ufffd"]}]


# --- with_retries: an attempt function stands in for CCC; the clock is the real one. ---


class _Script:
    """Attempts that fail as told (a code, or a code and seconds spent first), then succeed."""

    def __init__(self, *failures: str | tuple[str, float]) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if not self.failures:
            return "answer"
        failure = self.failures.pop(0)
        code, spent = failure if isinstance(failure, tuple) else (failure, 0.0)
        if spent:
            _REAL_SLEEP(spent)
        raise AttemptFailed(code, f"{code} #{self.calls}", f"req-{self.calls}")


_REAL_SLEEP = time.sleep


def _invocation(seconds_left: float, attempts: int = 3) -> Invocation:
    now = time.monotonic()
    return Invocation(
        Settings(retry_max_attempts=attempts),
        TokenBucket(0, 1),  # no local limit: the attempts are what is counted
        Deadline(now + seconds_left),
        "direct",
        "our-request",
        None,
        now,
        False,
    )


class _Pauses:
    """The backoff pauses of each run (pause, time left when it began), recorded, not slept."""

    def __init__(self) -> None:
        self.runs: list[list[tuple[float, float]]] = []
        self._left: Callable[[], float] = lambda: 0.0

    def sleep(self, seconds: float) -> None:
        self.runs[-1].append((seconds, self._left()))

    def run(self, script: _Script, invocation: Invocation, report: CallReport) -> str:
        self.runs.append([])
        self._left = invocation.deadline.remaining
        return with_retries(script, invocation, report, "CCC")


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Pauses]:
    """Backoff without the waiting, its draws from a fixed seed."""
    recorder = _Pauses()
    state = random.getstate()
    random.seed(18)
    monkeypatch.setattr(time, "sleep", recorder.sleep)
    yield recorder
    random.setstate(state)


def _stopped_at(seconds_left: float, monkeypatch: pytest.MonkeyPatch) -> Invocation:
    """An invocation with exactly ``seconds_left`` left, for as long as the test runs: the
    deadline's clock stopped at 0 (the edges of the time rules, which a running clock passes
    before they can be checked)."""
    monkeypatch.setattr("callout_task.deadline.time", SimpleNamespace(monotonic=lambda: 0.0))
    limits = (Settings(retry_max_attempts=3), TokenBucket(0, 1), Deadline(seconds_left))
    return Invocation(*limits, "direct", "our-request", None, 0.0, False)


def test_an_attempt_is_made_with_exactly_the_least_time_an_attempt_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    invocation = _stopped_at(MIN_ATTEMPT_SECONDS, monkeypatch)
    script = _Script()

    assert with_retries(script, invocation, CallReport(), "CCC") == "answer"
    assert script.calls == 1


def test_a_retry_is_made_when_its_pause_leaves_exactly_the_least_time_an_attempt_needs(
    pauses: _Pauses, monkeypatch: pytest.MonkeyPatch
) -> None:
    pause = 0.125  # drawn: the time left less it is MIN_ATTEMPT_SECONDS to the last bit
    monkeypatch.setattr(random, "uniform", lambda low, high: pause)
    invocation = _stopped_at(MIN_ATTEMPT_SECONDS + pause, monkeypatch)
    assert invocation.deadline.remaining() - pause == MIN_ATTEMPT_SECONDS
    script = _Script("InternalError")

    assert pauses.run(script, invocation, CallReport()) == "answer"
    assert (script.calls, pauses.runs) == (2, [[(pause, MIN_ATTEMPT_SECONDS + pause)]])


def test_passing_failures_are_retried_and_reported_until_the_answer(
    pauses: _Pauses,
) -> None:
    report = CallReport()
    script = _Script("InternalError.DBError", "RequestLimitExceeded")

    assert pauses.run(script, _invocation(2.0), report) == "answer"
    assert (script.calls, report.attempts) == (3, 3)
    assert report.codes == ["InternalError.DBError", "RequestLimitExceeded"]
    assert report.upstream_request_id == "req-2"  # the success's own is set by response_of


def test_a_failure_without_a_request_id_keeps_the_one_seen_before(
    pauses: _Pauses,
) -> None:
    report = CallReport()

    def attempt() -> str:
        if report.attempts == 1:
            raise AttemptFailed("InternalError", "oops", "req-1")
        raise AttemptFailed("ClientNetworkError", "reset")

    with pytest.raises(problems.Problem) as failed:
        pauses.run(attempt, _invocation(2.0), report)  # type: ignore[arg-type]

    assert report.upstream_request_id == "req-1"
    assert failed.value.status == 502
    assert (report.upstream_code, report.codes[0]) == ("ClientNetworkError", "InternalError")


@pytest.mark.parametrize(
    ("code", "status"), [("ResourceNotFound.TaskNotExist", 404), ("FailedOperation", 502)]
)
def test_a_failure_that_will_not_pass_ends_the_attempts_at_once(
    pauses: _Pauses, code: str, status: int
) -> None:
    report = CallReport()
    script = _Script(code)

    with pytest.raises(problems.Problem) as failed:
        pauses.run(script, _invocation(2.0), report)

    assert (script.calls, report.attempts, pauses.runs) == (1, 1, [[]])
    assert (failed.value.status, failed.value.upstream_code) == (status, code)
    assert failed.value.upstream_request_id == "req-1"
    assert failed.value.upstream_message == f"{code} #1"
    assert (report.upstream_code, report.codes) == (code, [code])


@pytest.mark.parametrize(
    ("code", "status"),
    [("RequestLimitExceeded", 429), ("InternalError", 502), ("ClientNetworkError", 502)],
)
def test_when_every_attempt_fails_the_last_failure_is_the_answer(
    pauses: _Pauses, code: str, status: int
) -> None:
    report = CallReport()
    script = _Script(code, code, code, code)

    with pytest.raises(problems.Problem) as failed:
        pauses.run(script, _invocation(2.0), report)

    assert (script.calls, report.attempts) == (3, 3)
    problem = failed.value
    assert (problem.status, problem.upstream_code) == (status, code)
    assert (problem.upstream_request_id, problem.upstream_message) == ("req-3", f"{code} #3")


def test_network_failures_ended_by_the_deadline_are_a_504(
    pauses: _Pauses,
) -> None:
    # Two attempts, the second spending the time the third would need.
    report = CallReport()
    script = _Script("ClientNetworkError", ("ClientNetworkError", 0.32))

    with pytest.raises(problems.Problem) as failed:
        pauses.run(script, _invocation(0.4), report)

    assert report.attempts == 2
    problem = failed.value
    assert (problem.status, problem.upstream_code) == (504, None)
    assert (problem.upstream_request_id, problem.upstream_message) == (
        "req-2",
        "ClientNetworkError #2",
    )


def test_throttling_ended_by_the_deadline_stays_cccs_answer(
    pauses: _Pauses,
) -> None:
    report = CallReport()
    script = _Script("RequestLimitExceeded", ("RequestLimitExceeded", 0.32))

    with pytest.raises(problems.Problem) as failed:
        pauses.run(script, _invocation(0.4), report)

    assert report.attempts == 2
    assert (failed.value.status, failed.value.retry_after) == (429, 1)


def test_no_time_for_an_attempt_is_a_504_naming_the_service_not_called(
    pauses: _Pauses,
) -> None:
    report = CallReport()
    script = _Script()

    with pytest.raises(problems.Problem) as failed:
        with_retries(script, _invocation(MIN_ATTEMPT_SECONDS / 2), report, "STS")

    assert (script.calls, report.attempts) == (0, 0)
    assert failed.value.status == 504
    assert "STS" in failed.value.detail


def test_backoff_is_exponential_with_full_jitter_and_leaves_an_attempt_its_time(
    pauses: _Pauses,
) -> None:
    ceilings = {1: 0.2, 2: 0.4, 3: 0.8, 4: 1.0, 5: 1.0}  # 0.1 s doubling, capped at 1 s
    for _ in range(40):
        with pytest.raises(problems.Problem):
            pauses.run(_Script(*["InternalError"] * 6), _invocation(2.0, attempts=6), CallReport())
    for seconds_left in (0.25, 0.3, 0.35):  # pauses that would leave too little are not taken
        for _ in range(10):
            with pytest.raises(problems.Problem):
                pauses.run(_Script(*["InternalError"] * 6), _invocation(seconds_left), CallReport())

    drawn: dict[int, list[float]] = {}
    for run in pauses.runs:
        for number, (pause, left) in enumerate(run, start=1):
            assert 0 <= pause <= ceilings[number]
            assert left - pause >= MIN_ATTEMPT_SECONDS
            drawn.setdefault(number, []).append(pause)
    assert set(drawn) == set(ceilings)
    for number, ceiling in ceilings.items():  # the whole range is drawn from, not a part of it
        assert max(drawn[number]) > 0.75 * ceiling, (number, max(drawn[number]))


def test_an_upstream_s_long_error_code_message_and_request_id_are_cut_where_they_enter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An 8 MB message and a 2 MB code would become an answer and a log line that size.
    code = "InvalidParameter." + "X" * 2_000_000
    body = json.dumps(
        {"Response": {"Error": {"Code": code, "Message": "m" * 8_000_000}, "RequestId": "r" * 999}}
    ).encode()
    with rude_upstream.RudeUpstream(rude_upstream.answer(body)) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        result = handler.main_handler({"SdkAppId": 1400000000, "TaskId": 3}, {})
    out = capsys.readouterr().out

    assert result["status"] == 400  # still read as the InvalidParameter family
    assert result["upstream_code"] == code[: tencent_call.MAX_CODE_CHARS - 1] + "…"
    assert result["detail"] == "m" * (tencent_call.MAX_MESSAGE_CHARS - 1) + "…"
    assert len(result["upstream_request_id"]) == tencent_call.MAX_CODE_CHARS
    assert len(json.dumps(result)) < 4 * tencent_call.MAX_MESSAGE_CHARS
    assert all(len(line) < 8 * tencent_call.MAX_MESSAGE_CHARS for line in out.splitlines())


def test_an_upstream_s_error_code_message_and_request_id_at_their_limits_are_kept_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = "InvalidParameter." + "X" * (tencent_call.MAX_CODE_CHARS - len("InvalidParameter."))
    message = "m" * tencent_call.MAX_MESSAGE_CHARS
    request_id = "r" * tencent_call.MAX_CODE_CHARS
    body = json.dumps(
        {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
    ).encode()
    with rude_upstream.RudeUpstream(rude_upstream.answer(body)) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        result = handler.main_handler({"SdkAppId": 1400000000, "TaskId": 3}, {})

    assert (result["upstream_code"], result["detail"]) == (code, message)
    assert result["upstream_request_id"] == request_id


@pytest.mark.parametrize(
    "body", [b'{"Response": {"RequestId": "r-1", ', b"<html>busy</html>"], ids=["cut", "not JSON"]
)
def test_an_answer_that_is_not_ccc_s_json_is_a_502_whose_log_line_says_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    # Found as it arrives (not JSON from its first byte) or at its end (cut inside its JSON).
    with rude_upstream.RudeUpstream(rude_upstream.answer(body)) as server:
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        result = handler.main_handler({"SdkAppId": 1400000000, "TaskId": 3}, {})
    [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]

    assert (result["status"], "upstream_code" in result) == (502, False)
    assert (line["upstream_code"], line["attempts"]) == ("BadBody", 1)
    assert line["detail"].startswith(result["detail"])
    assert "not JSON" in line["detail"].removeprefix(result["detail"])  # what was wrong


def test_the_upstream_wording_of_throttling_is_not_passed_on(
    invoke: Invoke, ccc: CccBackend
) -> None:
    wording = "Your request frequency has reached the limit of uin 100000000001."
    ccc.faults.error("RequestLimitExceeded", message=wording, times=None)

    body = invoke(dict(TASK))

    assert (body["status"], body["upstream_code"]) == (429, "RequestLimitExceeded")
    assert "frequency" not in json.dumps(body)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("UnauthorizedOperation", 403),
        ("AuthFailure.UnauthorizedOperation", 403),
        ("ResourceNotFound", 404),
    ],
)
def test_403_and_404_answers_carry_no_upstream_text_which_goes_to_the_log(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str], code: str, status: int
) -> None:
    cam_words = "uin 100012345678 role ccc-reader may not read qcs::ccc::uin/100012345678:x"
    ccc.faults.error(code, message=cam_words)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    [line] = log_lines(capsys.readouterr().out)

    assert response["statusCode"] == status
    assert "100012345678" not in response["body"]
    assert "ccc-reader" not in response["body"]
    assert cam_words in line["detail"]
