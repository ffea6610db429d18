"""Every log line has one schema, whatever the trigger or the outcome: the fields of LOG_FIELDS,
flat, null where they do not apply. What an operator needs to read stays readable; what must
not leak is masked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from callout_task.logs import LOG_FIELDS, mask

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke, function_url_get
from tests.seeded import TASK

CONTEXT = {"time_limit_in_ms": 3000, "request_id": "scf-ctx-0001"}


def _every_kind_of_invocation(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.throttle(times=1)
    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"), CONTEXT)
    invoke(dict(TASK), CONTEXT)
    invoke({"Type": "Timer", "Message": json.dumps([TASK, {"TaskId": "x"}])}, CONTEXT)
    invoke({"Type": "Timer", "Message": json.dumps(TASK)}, CONTEXT)
    invoke({"Type": "Timer", "Message": ""}, CONTEXT)
    apigw = function_url_get(SdkAppId="1400000000", TaskId="404")
    apigw["requestContext"] = {"requestId": "gw-0001"}
    invoke(apigw, CONTEXT)
    invoke({**function_url_get(), "httpMethod": "OPTIONS"}, CONTEXT)
    invoke({**function_url_get(), "httpMethod": "DELETE"}, CONTEXT)


def test_every_line_carries_exactly_the_fields_of_log_fields(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    _every_kind_of_invocation(invoke, ccc)
    lines = log_lines(capsys.readouterr().out)

    assert len(lines) >= 9
    assert all(list(line) == list(LOG_FIELDS) for line in lines)


def test_a_misconfigured_instance_and_an_unexpected_error_log_in_the_same_schema(
    invoke: Invoke,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RATE_LIMIT_QPS", "fast")
    invoke(dict(TASK), CONTEXT)
    monkeypatch.delenv("RATE_LIMIT_QPS")

    def explode(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("callout_task.upstream.normalise_digested", explode)
    invoke(dict(TASK), CONTEXT)
    lines = log_lines(capsys.readouterr().out)

    assert {line["level"] for line in lines} == {"ERROR", "INFO"}
    assert all(list(line) == list(LOG_FIELDS) for line in lines)


def test_a_timer_run_logs_each_task_flat_like_any_other_invocation(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke({"Type": "Timer", "Message": json.dumps([TASK, {**TASK, "TaskId": 6}])}, CONTEXT)
    lines = [line for line in log_lines(capsys.readouterr().out) if line["message"] == "invocation"]

    assert [(line["sdk_app_id"], line["task_id"], line["status"]) for line in lines] == [
        (1400000000, 3, 200),
        (1400000000, 6, 200),
    ]
    assert {(line["trigger"], line["scf_request_id"]) for line in lines} == {
        ("timer", "scf-ctx-0001")
    }


def test_scf_s_own_request_id_is_logged_beside_the_gateway_s(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    event["requestContext"] = {"requestId": "gw-0001"}
    response = invoke(event, CONTEXT)
    [line] = log_lines(capsys.readouterr().out)

    assert response["headers"]["X-Request-Id"] == "gw-0001"
    assert (line["request_id"], line["scf_request_id"]) == ("gw-0001", "scf-ctx-0001")


def test_identifiers_stay_readable_where_phone_numbers_are_masked(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error(
        "ResourceNotFound",
        message="SdkAppId 1400000000 does not exist; callee 13800138000; "
        "resource qcs::ccc:ap-guangzhou:uin/100012345678:sdkappid/1400000000",
    )
    invoke(dict(TASK))
    [line] = log_lines(capsys.readouterr().out)

    assert "SdkAppId 1400000000 does not exist" in line["detail"]
    assert "uin/100012345678:sdkappid/1400000000" in line["detail"]
    assert "13800138000" not in line["detail"]
    assert "callee *******8000" in line["detail"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("TaskId 12345678 of SdkAppId 1400000000", "TaskId 12345678 of SdkAppId 1400000000"),
        ("SecretId AKID" + "x1Y2" * 4, "SecretId AKID[masked]"),
        ("token " + "aB3dE6" * 10, "token [masked]"),
        ("id b04aae45-1234-4cde-9abc-1234567890ab", "id b04aae45-1234-4cde-9abc-1234567890ab"),
        ("read timeout=2.8512349973", "read timeout=2.8512349973"),
    ],
)
def test_masking_cuts_secrets_and_keeps_identifiers(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        # byte counts and limits were masked as phone numbers: "Content-Length ****0072 > ****4432"
        "Content-Length 10000072 > 8388608",
        "more than 33554432 bytes",
        "(TaskId: must be at most 9223372036854775807)",
        "must be at least 10000000",
        "the script answered a wait of 99999999999999 µs, more than the 100000 µs",
    ],
)
def test_sizes_and_limits_are_not_masked_as_phone_numbers(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("callee 13800138000", "callee *******8000"),
        ("13800138000 at most once", "*******8000 at most once"),
        ("callee 13800138000; limit 64 bytes", "callee *******8000; limit 64 bytes"),
        ("callees 13800138000 > none", "callees *******8000 > none"),
        # a comparison sign is a quantity's label only between two numbers
        ("invalid callee <13800138000>", "invalid callee <*******8000>"),
        ("callee > 13800138000", "callee > *******8000"),
        ("callee<=13800138000", "callee<=*******8000"),
        ("13800138000bytes", "13800138000bytes"),  # a word, not a number: never masked
    ],
)
def test_phone_numbers_next_to_quantities_are_still_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_a_refused_limit_is_logged_readably(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(function_url_get(SdkAppId="1400000000", TaskId=str(2**63)))
    [line] = log_lines(capsys.readouterr().out)
    assert line["detail"].endswith(f"(TaskId: must be at most {2**63 - 1})")


def test_a_refused_request_s_line_says_which_field_and_why(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(function_url_get(SdkAppId="1400000000", TaskId="-3"))
    [line] = log_lines(capsys.readouterr().out)

    assert line["status"] == 400
    assert line["detail"].endswith("(TaskId: must be a whole number written without a sign)")


def test_a_request_without_an_id_gets_a_random_version_4_uuid() -> None:
    import uuid

    from callout_task.handler import _new_request_id

    ids = [_new_request_id() for _ in range(64)]
    assert len(set(ids)) == 64
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)
    # The other 122 bits are random: each of the 30 hex digits that are not the version's or
    # the variant's takes many values over 64 ids, and no two of them always agree (a bit
    # pattern forced into a digit, or one byte copied into another, would lose randomness).
    digits = [[text.replace("-", "")[i] for text in ids] for i in range(32) if i not in (12, 16)]
    assert all(len(set(column)) >= 9 for column in digits)
    assert all(a != b for n, a in enumerate(digits) for b in digits[n + 1 :])


# Characters that end a line for JavaScript (U+2028, U+2029) or for Python's str.splitlines (C1's
# NEL, U+0085), and C1 controls a terminal acts on (CSI, U+009B): each a \u escape in a log line.
LINE_BREAKERS = "\u2028\u2029\x85\x9b\x80\x9f"


def test_line_and_c1_characters_are_escaped_in_every_field_of_a_log_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from callout_task import logs

    text = "a" + "".join(f"{c}b" for c in LINE_BREAKERS)
    logs.emit(
        "ERROR",
        f"message {text}",
        detail=f"detail {text}",
        upstream_code=text,
        upstream_request_id=text,
        request_id=text,
        traceback=text,
    )
    out = capsys.readouterr().out

    assert not set(out) & set(LINE_BREAKERS), out
    [line] = log_lines(out)
    assert line["detail"] == f"detail {text}"
    assert (line["upstream_code"], line["request_id"], line["traceback"]) == (text, text, text)


def test_an_scf_request_id_with_line_breakers_stays_one_log_line(
    invoke: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"), {"request_id": "scf\u2028\x85x"})
    out = capsys.readouterr().out

    [line] = [json.loads(text) for text in out.splitlines()]
    assert line["scf_request_id"] == "scf\u2028\x85x"
