"""Logs: every line has one schema, whatever the trigger or the outcome (the fields of LOG_FIELDS,
flat, null where they do not apply), one line per invocation; one line as ``logs.emit`` writes
it. What an operator needs to read stays readable (ids, sizes, limits); what must not leak is
masked or cut (phone numbers, secrets, tokens, CCC's own words)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

import pytest
from callout_task import logs
from callout_task.logs import LOG_FIELDS, mask

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.logging_paths import CONTEXT as PATH_CONTEXT
from tests.function.logging_paths import SCENARIOS
from tests.function.scenarios import SCF_CREDENTIALS, Invoke, function_url_get
from tests.seeded import ROLE, TASK

CONTEXT = {"time_limit_in_ms": 3000, "request_id": "scf-ctx-0001"}


PHONE = "13800138000"


MASKED = "*******8000"


def _explode(*args: object) -> object:
    raise RuntimeError("a bug")


def _emitted(capsys: pytest.CaptureFixture[str], **fields: Any) -> tuple[str, dict[str, Any]]:
    logs.emit("INFO", "test line", **fields)
    [raw] = capsys.readouterr().out.splitlines()
    line = json.loads(raw)
    assert list(line) == list(logs.LOG_FIELDS)
    return raw, line


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


# A watch target's URL carries its key (WeCom's and DingTalk's query, Feishu's path), a Standard
# Webhooks secret is short enough to pass for a word, and a URL may carry a password: none of
# them has the shape of a token, so each is masked by where it stands.
HOOK_KEY = "693a91f6-7a2b-4bc4-97a0-0ec2f1a5aaa0"
ACCESS_TOKEN = "24b014b6fa4151c3e6dd0a8e4f3232042eb1a20db0a8329f9a930a5ab5cb1fe3"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            f"posting to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={HOOK_KEY} failed",
            "posting to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[masked] failed",
        ),
        (
            f"https://oapi.dingtalk.com/robot/send?access_token={ACCESS_TOKEN}&timestamp=1"
            "&sign=k3x%2BQ%3D",
            "https://oapi.dingtalk.com/robot/send?access_token=[masked]&timestamp=1&sign=[masked]",
        ),
        (
            f"url https://open.feishu.cn/open-apis/bot/v2/hook/{HOOK_KEY}, code 19021",
            "url https://open.feishu.cn/open-apis/bot/v2/hook/[masked], code 19021",
        ),
        ("secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw.", "secret whsec_[masked]."),
        ("secret whsec_Mf/Q9r+GKYqrTwjUPD8ILPZ=", "secret whsec_[masked]"),
        ("redis://:s3cret-pw@10.0.0.5:6379/0", "redis://:[masked]@10.0.0.5:6379/0"),
        (
            "https://reader:Zq9-hunter2@ccc.internal.example:8443",
            "https://reader:[masked]@ccc.internal.example:8443",
        ),
        # what stays: a URL without credentials, and the masked form the watch logs
        ("https://hooks.example.com/…", "https://hooks.example.com/…"),
        ("GET /?SdkAppId=1400000000&TaskId=3", "GET /?SdkAppId=1400000000&TaskId=3"),
    ],
)
def test_signed_urls_and_webhook_secrets_are_masked_in_any_text(text: str, masked: str) -> None:
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


@pytest.mark.parametrize(("detail", "before"), [("what happened", "what happened "), (None, " ")])
def test_a_field_outside_the_schema_is_kept_out_and_named_in_the_detail(
    capsys: pytest.CaptureFixture[str], detail: str | None, before: str
) -> None:
    _, line = _emitted(capsys, status=200, detail=detail, bogus=1, other="x")

    assert line["status"] == 200
    assert line["detail"].startswith(f"{before}(")
    assert "['bogus', 'other']" in line["detail"]


@pytest.mark.usefixtures("machine_time_zone")
def test_the_time_is_unix_seconds_to_the_millisecond(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(5):
        before = time.time()
        _, line = _emitted(capsys)
        after = time.time()
        assert before - 0.0005 <= line["time"] <= after + 0.0005
        assert line["time"] * 1000 == pytest.approx(round(line["time"] * 1000), abs=1e-3)


def test_ids_stay_as_given_where_the_same_digits_elsewhere_are_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, line = _emitted(
        capsys,
        request_id=PHONE,
        scf_request_id=f"scf-{PHONE}",
        upstream_request_id=PHONE,
        detail=f"callee {PHONE}",
    )

    assert (line["request_id"], line["scf_request_id"]) == (PHONE, f"scf-{PHONE}")
    assert line["upstream_request_id"] == PHONE
    assert line["detail"] == f"callee {MASKED}"


def test_structured_values_are_masked_all_the_way_down_and_ids_in_them_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    detail = {"request_id": PHONE, "callee": PHONE, "callees": [PHONE, {"phone": PHONE}]}

    _, line = _emitted(capsys, detail=detail)

    assert line["detail"] == {
        "request_id": PHONE,
        "callee": MASKED,
        "callees": [MASKED, {"phone": MASKED}],
    }


@pytest.mark.parametrize("text", ["plain", "lone \ud800 surrogate"])
def test_a_value_json_has_no_type_for_is_written_as_its_text_on_a_compact_line(
    capsys: pytest.CaptureFixture[str], text: str
) -> None:
    raw, line = _emitted(capsys, detail=text, traceback=PurePosixPath("/var/user/index.py"))

    assert line["traceback"] == "/var/user/index.py"
    assert line["detail"] == text
    if text == "plain":  # pydantic-core's encoder: no spaces between tokens
        assert raw.startswith('{"level":"INFO","message":"test line","time":')


def test_one_structured_line_per_invocation(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.throttle(times=1)
    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    [line] = [
        line for line in log_lines(capsys.readouterr().out) if line["message"] == "invocation"
    ]

    assert line["trigger"] == "function_url"
    assert (line["sdk_app_id"], line["task_id"], line["status"]) == (1400000000, 3, 200)
    assert line["attempts"] == 2
    assert line["upstream_request_id"] == ccc.calls[-1].request_id
    assert isinstance(line["latency_ms"], float)
    assert line["request_id"]


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_no_secret_or_token_in_any_log_line_or_answer_and_no_callee_number_in_any_log_line(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    level: str,
) -> None:
    monkeypatch.setenv("LOG_LEVEL", level)
    ccc.faults.error("InvalidParameterValue", message="callee 13800130001 is malformed")
    answers = [
        invoke(function_url_get(SdkAppId="1400000000", TaskId="3")),
        invoke({"SdkAppId": 1400000000, "TaskId": 7}),
        invoke({"Type": "timer", "Message": json.dumps([TASK, {"TaskId": "x"}])}),
        invoke({"SdkAppId": 1400000000, "TaskId": 404}),
    ]
    logged = capsys.readouterr().out
    answered = json.dumps(answers, ensure_ascii=False)

    for secret in SCF_CREDENTIALS.values():
        assert secret not in logged
        assert secret not in answered
    assert "13800130001" not in logged
    assert "*******0001" in logged


def test_a_decimal_in_a_log_line_is_not_masked_as_a_phone_number() -> None:
    from callout_task.logs import mask

    assert mask("read timeout=2.8512349973") == "read timeout=2.8512349973"
    assert mask("callee 13800138000 and +8613800138000") == "callee *******8000 and **********8000"


def test_long_tokens_are_cut_from_log_lines_but_digests_stay(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    token = "AbCdEf0123456789AbCdEf0123456789AbCdEf0123"
    ccc.faults.error("InvalidParameterValue", message=f"digest {digest} token {token}")
    invoke(dict(TASK))
    logged = capsys.readouterr().out
    assert digest in logged
    assert token not in logged
    assert "token [masked]" in logged


def test_callee_numbers_are_masked_in_the_log_line_of_a_timer_with_several_tasks(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    ccc.faults.error("InvalidParameterValue", message="callee 13800130001 is malformed", times=None)

    results = invoke({"Type": "timer", "Message": json.dumps([TASK, TASK])})["results"]
    logged = capsys.readouterr().out

    assert [result["status"] for result in results] == [400, 400]
    assert "13800130001" not in logged
    assert logged.count("*******0001") >= 2  # each task's detail was logged, masked


@pytest.mark.parametrize("fault", ["role refused", "credentials rejected", "no credentials", "bug"])
def test_every_error_line_of_a_lookup_names_its_invocation(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    # The operator finds an ERROR line from the caller's X-Request-Id or SCF's request id.
    if fault == "role refused":
        monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
        ccc.roles.add(ROLE)
        ccc.faults.error("InvalidParameter", action="AssumeRole")
    elif fault == "credentials rejected":
        ccc.faults.error("AuthFailure.SecretIdNotFound")
    elif fault == "no credentials":
        for name in SCF_CREDENTIALS:
            monkeypatch.delenv(name)
    else:
        monkeypatch.setattr("callout_task.upstream.normalise_digested", _explode)

    invoke(function_url_get(SdkAppId="1400000000", TaskId="3"), {"request_id": "scf-ctx-0009"})

    [error] = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert (error["scf_request_id"], error["trigger"]) == ("scf-ctx-0009", "function_url")
    assert error["request_id"] == "scf-ctx-0009"  # no X-Request-Id came: SCF's id answers


def test_an_upstream_s_code_and_message_are_masked_and_escaped_in_their_own_fields(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given CCC's error whose code and message both quote a phone number, a SecretId and a token,
    # with characters that would split the line
    secret_id, token = "AKID" + "x1Y2" * 4, "aB3dE6" * 10
    hostile = f"13800138000 {secret_id} {token} \u2028\x85"
    ccc.faults.error(f"FailedOperation.Callee {hostile}", message=f"refused: {hostile}")
    invoke(dict(TASK), CONTEXT)
    out = capsys.readouterr().out

    # Then the line is one line, and neither field writes any of it as given
    [line] = [json.loads(text) for text in out.splitlines()]
    assert line["status"] == 502
    for field in ("upstream_code", "detail"):
        assert "*******8000 AKID[masked] [masked]" in line[field]
        assert not [piece for piece in ("13800138000", secret_id, token) if piece in line[field]]
    assert not {"\u2028", "\x85"} & set(out)


# --- every field of a line, not only the detail ---------------------------------------------
#
# What must never be written as given, whichever field it reaches: a phone number, a SecretId, a
# token or key, and characters that split a line or drive a terminal. The ids are the one
# exception, written as given (tracing needs them exact) but still escaped.
SECRET_ID = "AKID" + "x1Y2" * 4
TOKEN = "aB3dE6" * 10
ROBOT_KEY = "24b014b6fa4151c3e6dd0a8e4f3232042eb1a20db0a8329f9a930a5ab5cb1fe3"
ROBOT = "https://oapi.dingtalk.com/robot/send?access_token="
HOSTILE = (
    f"callee {PHONE}; SecretId {SECRET_ID}; token {TOKEN}; url {ROBOT}{ROBOT_KEY}; "
    f"{LINE_BREAKERS} end"
)
NEVER_WRITTEN = (PHONE, SECRET_ID, TOKEN, ROBOT_KEY, *LINE_BREAKERS)
# Written as given: the ids an operator traces a request by (not taken from logs.py, so that a
# field slipped into its list of identifiers turns the table red).
AS_GIVEN = {"request_id", "scf_request_id", "upstream_request_id"}
SET_BY_EMIT = {"level", "time"}


def _line_with(field: str, value: Any, capsys: pytest.CaptureFixture[str]) -> tuple[str, Any]:
    if field == "message":
        logs.emit("ERROR", value)
    else:
        logs.emit("ERROR", "test line", **{field: value})
    [raw] = capsys.readouterr().out.splitlines()
    return raw, json.loads(raw)[field]


# A lone surrogate (text from upstream that is not valid Unicode) sends the line through the
# fallback encoder: the same masking and escaping there.
@pytest.mark.parametrize("tail", ["", " \ud800"], ids=["encoder", "fallback-encoder"])
@pytest.mark.parametrize("field", [name for name in logs.LOG_FIELDS if name not in SET_BY_EMIT])
def test_every_text_field_of_a_line_is_masked_and_escaped(
    capsys: pytest.CaptureFixture[str], field: str, tail: str
) -> None:
    raw, written = _line_with(field, HOSTILE + tail, capsys)

    assert not set(raw) & set(LINE_BREAKERS), raw
    if field in AS_GIVEN:
        assert written == HOSTILE + tail
    else:
        assert not [piece for piece in NEVER_WRITTEN if piece in raw], raw
        assert written == (
            f"callee {MASKED}; SecretId AKID[masked]; token [masked]; url {ROBOT}[masked]; "
            f"{LINE_BREAKERS} end{tail}"
        )


@pytest.mark.parametrize(
    "field", [name for name in logs.LOG_FIELDS if name not in SET_BY_EMIT | AS_GIVEN | {"message"}]
)
def test_every_field_s_structured_value_is_masked_all_the_way_down(
    capsys: pytest.CaptureFixture[str], field: str
) -> None:
    raw, written = _line_with(
        field, {"note": HOSTILE, "items": [HOSTILE, {"deep": HOSTILE}]}, capsys
    )

    assert not [piece for piece in NEVER_WRITTEN if piece in raw], raw
    assert written["items"][1]["deep"] == written["note"] == written["items"][0] != HOSTILE


# What reaches a field not as text is written as text all the same (a tuple as a list, a key of
# a mapping as a key, any other object through its str(): an exception passed as the detail
# instead of its message): masked like text wherever it stands.
@pytest.mark.parametrize(
    "field", [name for name in logs.LOG_FIELDS if name not in SET_BY_EMIT | AS_GIVEN | {"message"}]
)
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda text: (text,), id="tuple"),
        pytest.param(lambda text: {text: 1}, id="key"),
        pytest.param(lambda text: {"nested": {text: [text]}}, id="nested-key"),
        pytest.param(ValueError, id="exception"),
        pytest.param(lambda text: [frozenset({text})], id="frozenset"),
    ],
)
def test_a_value_that_is_not_text_is_masked_as_the_text_it_is_written_as(
    capsys: pytest.CaptureFixture[str], field: str, shape: Callable[[str], Any]
) -> None:
    raw, _ = _line_with(field, shape(HOSTILE), capsys)

    assert not set(raw) & set(LINE_BREAKERS), raw
    assert not [piece for piece in NEVER_WRITTEN if piece in raw], raw
    assert MASKED in raw  # the text is written, masked, not dropped


# Every path writes through logs.emit only: one masked JSON line each, nothing beside them on
# stdout (the tests' log_lines() would skip a stray print) and nothing on stderr (SCF ships both
# to CLS, and a traceback printed there is written unmasked).
@pytest.mark.parametrize("path", list(SCENARIOS))
def test_every_path_writes_json_lines_of_the_schema_and_nothing_else(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    path: str,
) -> None:
    SCENARIOS[path](lambda event: invoke(event, PATH_CONTEXT), ccc, monkeypatch)

    written = capsys.readouterr()
    assert written.err == ""
    lines = written.out.splitlines()
    assert lines, "no line written"
    assert [list(json.loads(line)) for line in lines] == [list(LOG_FIELDS)] * len(lines)
