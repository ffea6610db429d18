"""The real SDK against a rude upstream on real loopback sockets: whatever the network does, the
invocation answers by its deadline, with the right status, and logs what happened.

Every invocation gets a 1 s limit (SCF's context); the function keeps 0.1 s to answer, so no
invocation may take longer than the limit itself plus MARGIN_SECONDS (scheduling on a shared
machine). The slow faults last LONG_SECONDS (5 s): a function bounded per read, not per call,
would take that long.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from callout_task import handler

from tests.function.answers import http_body, log_lines
from tests.function.rude_upstream import (
    RudeUpstream,
    Step,
    answer,
    bad_chunk,
    cut_mid_body,
    endless_body,
    error_body,
    redirect,
    silent,
    task_body,
    trickle_body,
    trickle_headers,
    unanswered_connect,
)
from tests.function.scenarios import function_url_get
from tests.seeded import TASK

LIMIT_MS = 1000
MARGIN_SECONDS = 0.1


def _invoke(
    endpoint: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    event: Any = None,
) -> tuple[Any, float, dict[str, Any]]:
    """The answer, the seconds it took, and its ``invocation`` log line."""
    monkeypatch.setenv("CCC_ENDPOINT", endpoint)
    started = time.monotonic()
    result = handler.main_handler(
        dict(TASK) if event is None else event, {"time_limit_in_ms": LIMIT_MS}
    )
    took = time.monotonic() - started
    lines = log_lines(capsys.readouterr().out)
    [line] = [line for line in lines if line["message"] == "invocation"]
    return result, took, line


@pytest.mark.parametrize(
    "step",
    [silent(), trickle_headers(), trickle_body(), endless_body(interval=0.01)],
    ids=["no answer", "headers a byte at a time", "body a byte at a time", "endless body"],
)
def test_an_upstream_that_holds_the_answer_back_ends_at_the_deadline_with_a_504(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, step: Step
) -> None:
    with RudeUpstream(step) as server:
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS
    assert result["status"] == 504
    assert (line["status"], line["attempts"], line["upstream_code"]) == (504, 1, "DeadlineReached")
    assert server.requests == 1


def test_a_kept_alive_connection_that_trickles_on_the_next_invocation_ends_at_its_deadline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One warm instance, two invocations: the second reuses the first's connection, which
    # connects no more, so only the request it sends can put it under the second's watch.
    with RudeUpstream(answer(task_body()), trickle_body()) as server:
        first, _, _ = _invoke(server.url, capsys, monkeypatch)
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert first["name"] == "rude"
    assert (server.requests, server.connections) == (2, 1)
    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS
    assert result["status"] == 504
    assert (line["status"], line["attempts"], line["upstream_code"]) == (504, 1, "DeadlineReached")


def test_an_attempt_s_watch_ends_with_it_and_spares_the_next_invocation_s_connection(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first invocation is answered at once, long before its deadline; the second, on the
    # same kept-alive connection and with more time, is answered after the first's deadline.
    slow = LIMIT_MS / 1000 + 0.3
    with RudeUpstream(answer(task_body()), answer(task_body(), delay=slow)) as server:
        first, _, _ = _invoke(server.url, capsys, monkeypatch)
        monkeypatch.setenv("CCC_ENDPOINT", server.url)
        second = handler.main_handler(dict(TASK), {"time_limit_in_ms": 3 * LIMIT_MS})
        [line] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]

    assert first["name"] == second["name"] == "rude"
    # One attempt on the one connection: the first attempt's watch did not shut it at its time
    assert (line["status"], line["attempts"]) == (200, 1)
    assert (server.requests, server.connections) == (2, 1)


def test_a_connect_never_answered_ends_at_the_deadline_with_a_504(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with unanswered_connect() as url:
        result, took, line = _invoke(url, capsys, monkeypatch)

    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS
    assert (result["status"], line["status"], line["attempts"]) == (504, 504, 1)


def test_an_sts_call_that_trickles_ends_at_the_deadline_with_a_504(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # CCC_ENDPOINT on loopback is the local fake, which STS calls go to as well.
    monkeypatch.setenv("CCC_ROLE_ARN", "qcs::cam::uin/100000000001:roleName/ccc-reader")
    with RudeUpstream(trickle_body()) as server:
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS
    assert result["status"] == 504
    assert result["detail"] == "STS did not answer before the invocation's deadline."
    assert (line["attempts"], line["upstream_code"]) == (1, "DeadlineReached")


def test_a_body_without_end_is_cut_at_the_size_limit_with_a_502(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with RudeUpstream(endless_body()) as server:
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS
    assert result["status"] == 502
    assert (line["attempts"], line["upstream_code"]) == (1, "BodyTooLarge")


CUTS = [cut_mid_body(), cut_mid_body(reset=True), bad_chunk()]
CUT_IDS = ["closed mid-body", "reset mid-body", "malformed chunk"]


@pytest.mark.parametrize("cut", CUTS, ids=CUT_IDS)
def test_a_body_cut_off_once_is_retried_like_a_network_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cut: Step
) -> None:
    with RudeUpstream(cut, answer(task_body())) as server:
        result, _, line = _invoke(server.url, capsys, monkeypatch)

    assert result["name"] == "rude"
    assert (line["status"], line["attempts"]) == (200, 2)
    assert server.requests == 2


@pytest.mark.parametrize("cut", CUTS, ids=CUT_IDS)
def test_a_body_cut_off_every_time_is_a_502_after_every_attempt(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cut: Step
) -> None:
    with RudeUpstream(cut) as server:
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert result["status"] == 502
    assert result["detail"] == "CCC could not be reached."
    assert (line["status"], line["attempts"], line["upstream_code"]) == (
        502,
        3,
        "ClientNetworkError",
    )
    assert server.requests == 3
    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_and_the_signed_request_stays_with_ccc(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    # Followed, the request would carry the session token (X-TC-Token; only Authorization is
    # dropped) to another host, in cleartext over http, on calls no rate-limit token paid for.
    elsewhere = RudeUpstream(answer(task_body()))
    with elsewhere, RudeUpstream(redirect(elsewhere.url + "/", status)) as server:
        result, took, line = _invoke(server.url, capsys, monkeypatch)

    assert elsewhere.requests == 0
    assert (result["status"], result["detail"]) == (502, "CCC answered with an HTTP error.")
    assert (line["status"], line["attempts"], line["upstream_code"]) == (
        502,
        3,
        "ServerNetworkError",
    )
    assert line["detail"].endswith(f"(upstream: HTTP {status})")
    assert server.requests == 3  # one call per attempt, each with its token
    assert took <= LIMIT_MS / 1000 + MARGIN_SECONDS


def test_a_lone_surrogate_in_ccc_text_is_answered_as_valid_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = task_body(Name="\ud800x", Description="ok \udfff")
    with RudeUpstream(answer(body)) as server:
        response, _, line = _invoke(
            server.url, capsys, monkeypatch, function_url_get(SdkAppId="1400000000", TaskId="3")
        )

    assert (response["statusCode"], line["status"]) == (200, 200)
    task = http_body(response)
    assert (task["name"], task["description"]) == ("\ufffdx", "ok \ufffd")


def test_a_lone_surrogate_in_a_kept_ccc_message_is_answered_as_valid_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = error_body("InvalidParameterValue", "bad name \udc80")
    with RudeUpstream(answer(body)) as server:
        response, _, line = _invoke(
            server.url, capsys, monkeypatch, function_url_get(SdkAppId="1400000000", TaskId="3")
        )

    assert (response["statusCode"], line["status"]) == (400, 400)
    assert http_body(response)["detail"] == "bad name \ufffd"
    json.dumps(line)  # the log line is valid too
