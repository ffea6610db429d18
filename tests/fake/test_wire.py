"""The fake's wire protocol: requests signed by hand, straight into ``handle``.

The SDK always sends the same well-formed POST, so what Tencent answers to anything else (a
missing header, a GET, another Content-Type, a scope for another service, a clock at the
limit) is pinned here, and how each injected fault goes out on the wire. Requests
are signed by an independent TC3 implementation below, not by the fake's.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import pytest

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCredentials
from autocallout.fake_ccc.models import CallRecord, bundled_seed_path
from autocallout.fake_ccc.wire import Reply, Request, handle

NOW = 1_700_000_000  # 2023-11-14T22:13:20Z
TASK_BODY = b'{"SdkAppId": 1400000000, "TaskId": 3}'
HOST = "ccc.tencentcloudapi.com"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _signed(
    body: bytes = TASK_BODY,
    *,
    method: str = "POST",
    path: str = "/",
    query: str = "",
    host: str = HOST,
    service: str = "ccc",
    content_type: str = "application/json",
    timestamp: int = NOW,
    date: str | None = None,
    signed_headers: str = "content-type;host",
    credentials: FakeCredentials = DEFAULT_CREDENTIALS,
    drop: Iterable[str] = (),
    **extra: str,
) -> Request:
    """A request signed the way Tencent's documentation says, with ``drop`` headers left out."""
    date = date or datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
    values = {"content-type": content_type, "host": host}
    canonical_headers = "".join(f"{n}:{values[n].lower()}\n" for n in signed_headers.split(";"))
    canonical = f"{method}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\n{_sha256(body)}"
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256(canonical.encode())}"
    key = _hmac(
        _hmac(_hmac(("TC3" + credentials.secret_key).encode(), date), service), "tc3_request"
    )
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": "DescribeAutoCalloutTask",
        "X-TC-Version": "2020-02-10",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Token": credentials.token or "",
        "Authorization": f"TC3-HMAC-SHA256 Credential={credentials.secret_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}",
        **extra,
    }
    for name in drop:
        del headers[name]
    return Request(method, path, query, headers, body)


# Task 3 alone: the whole seed (one task has 10 000 callees) would be most of each test's time.
_TASK_3 = [
    entry
    for entry in json.loads(bundled_seed_path().read_text(encoding="utf-8"))
    if (entry["SdkAppId"], entry["TaskId"]) == (1400000000, 3)
]


@pytest.fixture
def backend() -> CccBackend:
    backend = CccBackend.seeded(copy.deepcopy(_TASK_3))
    backend.clock = lambda: float(NOW)
    return backend


def _response(reply: Reply) -> dict[str, Any]:
    response: dict[str, Any] = json.loads(reply.body)["Response"]
    return response


def _code(reply: Reply) -> str | None:
    """The error code of the answer (None: no error); an error always says what went wrong."""
    assert reply.status == 200
    error = _response(reply).get("Error")
    if error is None:
        return None
    assert isinstance(error["Message"], str)
    assert error["Message"]
    return str(error["Code"])


def test_a_well_formed_request_is_answered(backend: CccBackend) -> None:
    reply = handle(backend, _signed())
    assert reply.status == 200
    assert reply.headers == {"Content-Type": "application/json"}
    assert _response(reply)["Name"] == "任务1"


@pytest.mark.parametrize(
    ("drop", "code"),
    [
        ("X-TC-Action", "MissingParameter"),
        ("X-TC-Version", "MissingParameter"),
        ("X-TC-Timestamp", "MissingParameter"),
        ("X-TC-Token", "AuthFailure.TokenFailure"),
        ("Authorization", "AuthFailure.InvalidAuthorization"),
    ],
)
def test_a_missing_header_is_named_by_its_code(backend: CccBackend, drop: str, code: str) -> None:
    assert _code(handle(backend, _signed(drop=[drop]))) == code


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"X-TC-Timestamp": "soon"}, "MissingParameter"),
        ({"X-TC-Timestamp": "1700000000²"}, "MissingParameter"),  # int() would raise
        ({"X-TC-Version": "2017-03-12"}, "NoSuchVersion"),
        ({"X-TC-Action": "DescribeNothing"}, "InvalidAction"),
    ],
)
def test_a_bad_header_value_is_refused(
    backend: CccBackend, headers: dict[str, str], code: str
) -> None:
    assert _code(handle(backend, _signed(**headers))) == code


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        (
            FakeCredentials("AKIDNOBODY", DEFAULT_CREDENTIALS.secret_key),
            "AuthFailure.SecretIdNotFound",
        ),
        (
            FakeCredentials(
                DEFAULT_CREDENTIALS.secret_id, "not-the-key", DEFAULT_CREDENTIALS.token
            ),
            "AuthFailure.SignatureFailure",
        ),
    ],
)
def test_a_stranger_or_a_wrong_key_is_refused(
    backend: CccBackend, credentials: FakeCredentials, code: str
) -> None:
    assert _code(handle(backend, _signed(credentials=credentials))) == code


_ID = DEFAULT_CREDENTIALS.secret_id
_TOKEN = DEFAULT_CREDENTIALS.token or ""


def _near_misses(text: str) -> list[str]:
    """Texts that resemble ``text`` without being it: each would pass a prefix or suffix match,
    a match ignoring case, or one of the text inside the other."""
    variants = [text + "x", text[:-1], "x" + text, text[1:], text.upper(), text.lower(), text * 2]
    return [variant for variant in variants if variant != text]


@pytest.mark.parametrize("secret_id", _near_misses(_ID))
def test_a_secret_id_that_only_resembles_a_known_one_is_not_found(
    backend: CccBackend, secret_id: str
) -> None:
    # signed with the right key and token: only the SecretId's lookup can refuse it
    credentials = FakeCredentials(secret_id, DEFAULT_CREDENTIALS.secret_key, _TOKEN)
    assert _code(handle(backend, _signed(credentials=credentials))) == (
        "AuthFailure.SecretIdNotFound"
    )


@pytest.mark.parametrize("token", [*_near_misses(_TOKEN), ""])
def test_a_session_token_that_only_resembles_the_key_s_is_refused(
    backend: CccBackend, token: str
) -> None:
    assert _code(handle(backend, _signed(**{"X-TC-Token": token}))) == "AuthFailure.TokenFailure"


@pytest.mark.parametrize(
    "signed_headers", ["content-type;x-host", "content-type;hosts", "content-types;host", "host-x"]
)
def test_signed_headers_that_only_resemble_content_type_and_host_are_refused(
    backend: CccBackend, signed_headers: str
) -> None:
    request = _signed()
    authorization = request.headers["Authorization"].replace(
        "SignedHeaders=content-type;host", f"SignedHeaders={signed_headers}"
    )
    headers = {**request.headers, "Authorization": authorization}
    resigned = Request(request.method, request.path, request.query, headers, request.body)
    assert _code(handle(backend, resigned)) == ("AuthFailure.InvalidAuthorization")


@pytest.mark.parametrize("service", ["cccx", "cc", "xccc", "ccc2"])
def test_a_scope_that_only_resembles_the_host_s_service_is_refused(
    backend: CccBackend, service: str
) -> None:
    assert _code(handle(backend, _signed(service=service))) == "AuthFailure.SignatureFailure"


def test_the_signature_covers_the_path_the_request_went_to(backend: CccBackend) -> None:
    assert _code(handle(backend, _signed(path="/v1/"))) is None
    moved = _signed(path="/v1/")
    moved = Request(moved.method, "/", moved.query, moved.headers, moved.body)
    assert _code(handle(backend, moved)) == "AuthFailure.SignatureFailure"


def test_a_method_other_than_get_or_post_is_an_invalid_parameter(backend: CccBackend) -> None:
    assert _code(handle(backend, _signed(method="PUT"))) == "InvalidParameter"


@pytest.mark.parametrize(
    ("query", "name_or_code"),
    [
        ("SdkAppId=1400000000&TaskId=3", "任务1"),
        ("SdkAppId=1400000000&TaskId=", "InvalidParameterValue"),  # blank, not missing
        ("SdkAppId=1400000000&TaskId=abc", "InvalidParameterValue"),
        ("SdkAppId=1400000000&TaskId=%D9%A3", "InvalidParameterValue"),  # an Arabic-Indic 3
        ("SdkAppId=1400000000", "MissingParameter"),
    ],
)
def test_a_get_reads_whole_numbers_from_its_query_string(
    backend: CccBackend, query: str, name_or_code: str
) -> None:
    request = _signed(
        b"", method="GET", query=query, content_type="application/x-www-form-urlencoded"
    )
    reply = handle(backend, request)
    assert (_code(reply) or _response(reply)["Name"]) == name_or_code


@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        ("application/json; charset=utf-8", TASK_BODY, None),
        ("Application/JSON", TASK_BODY, None),
        ("text/plain", TASK_BODY, "InvalidParameter"),
        ("application/x-www-form-urlencoded", TASK_BODY, "InvalidParameter"),
        ("application/json", b"", "MissingParameter"),  # an empty body is no parameters
        ("application/json", b'{"SdkAppId": 1400000000,', "InvalidParameter"),
        ("application/json", b"\xff\xfe\xff", "InvalidParameter"),
        ("application/json", b"[1400000000, 3]", "InvalidParameter"),
    ],
)
def test_a_post_body_must_be_a_json_object(
    backend: CccBackend, content_type: str, body: bytes, code: str | None
) -> None:
    assert _code(handle(backend, _signed(body, content_type=content_type))) == code


@pytest.mark.parametrize("signed_headers", ["content-type", "host"])
def test_a_signature_must_cover_content_type_and_host(
    backend: CccBackend, signed_headers: str
) -> None:
    request = _signed(signed_headers=signed_headers)
    assert _code(handle(backend, request)) == "AuthFailure.InvalidAuthorization"


@pytest.mark.parametrize(
    ("skew", "code"), [(300, None), (-300, None), (301, "AuthFailure.SignatureExpire")]
)
def test_the_clock_may_be_off_by_five_minutes_to_the_second(
    backend: CccBackend, skew: int, code: str | None
) -> None:
    assert _code(handle(backend, _signed(timestamp=NOW - skew))) == code


@pytest.mark.parametrize(
    ("host", "service", "date", "code"),
    [
        ("ccc.ap-guangzhou.tencentcloudapi.com", "ccc", None, None),
        ("127.0.0.1:9000", "ccc", None, None),  # the server mode's host names no service
        (HOST, "sts", None, "AuthFailure.SignatureFailure"),  # signed for STS, sent to CCC
        ("sts.tencentcloudapi.com", "ccc", None, "AuthFailure.SignatureFailure"),
        ("127.0.0.1:9000", "cvm", None, "AuthFailure.SignatureFailure"),  # no such service here
        (HOST, "ccc", "2023-11-13", "AuthFailure.SignatureFailure"),  # yesterday's key
    ],
)
def test_the_credential_scope_must_match_the_host_and_the_timestamp(
    backend: CccBackend, host: str, service: str, date: str | None, code: str | None
) -> None:
    assert _code(handle(backend, _signed(host=host, service=service, date=date))) == code


@pytest.mark.parametrize(("lifetime", "code"), [(1, None), (0, "AuthFailure.TokenFailure")])
def test_temporary_credentials_stop_working_the_second_they_expire(
    backend: CccBackend, lifetime: int, code: str | None
) -> None:
    temporary = backend.add_credentials(
        FakeCredentials("AKIDTEMPORARY", "temporary-key", "temporary-token", NOW + lifetime)
    )
    assert _code(handle(backend, _signed(credentials=temporary))) == code


def test_every_request_is_logged_with_who_asked_what_and_the_answer(backend: CccBackend) -> None:
    answered = handle(backend, _signed())
    refused = handle(backend, _signed(b'{"SdkAppId": 1400000000, "TaskId": 999}'))
    unsigned = handle(backend, _signed(drop=["Authorization"]))

    ids = [_response(reply)["RequestId"] for reply in (answered, refused, unsigned)]
    secret_id = DEFAULT_CREDENTIALS.secret_id
    action = "DescribeAutoCalloutTask"
    assert backend.calls == [
        CallRecord(action, {"SdkAppId": 1400000000, "TaskId": 3}, secret_id, None, ids[0], NOW),
        CallRecord(
            action,
            {"SdkAppId": 1400000000, "TaskId": 999},
            secret_id,
            "ResourceNotFound",
            ids[1],
            NOW,
        ),
        CallRecord(action, {}, None, "AuthFailure.InvalidAuthorization", ids[2], NOW),
    ]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("kind", "options", "logged"),
    [
        ("error", {"code": "InternalError.DBError"}, "InternalError.DBError"),
        ("status", {"status": 503}, "fault:status"),
        ("truncated", {}, "fault:truncated"),
        ("not_json", {}, "fault:not_json"),
        ("reset", {}, "fault:reset"),
        ("latency", {"delay": 0.25}, "fault:latency"),
    ],
)
def test_a_fault_is_logged_by_its_kind(
    backend: CccBackend, kind: Any, options: dict[str, Any], logged: str
) -> None:
    backend.faults.inject(kind, **options)
    handle(backend, _signed())
    call = backend.calls[-1]
    assert (call.error_code, call.secret_id, call.params, call.at) == (
        logged,
        DEFAULT_CREDENTIALS.secret_id,
        {"SdkAppId": 1400000000, "TaskId": 3},
        NOW,
    )


def _html(reply: Reply) -> bool:
    content_type = {name.lower(): value for name, value in reply.headers.items()}["content-type"]
    return content_type == "text/html" and reply.body.startswith(b"<html>")


def test_a_status_fault_answers_that_status_with_an_html_page(backend: CccBackend) -> None:
    backend.faults.inject("status", status=503)
    reply = handle(backend, _signed())
    assert reply.status == 503
    assert _html(reply)
    assert b"503" in reply.body
    assert not reply.reset


def test_a_not_json_fault_answers_200_with_an_html_page(backend: CccBackend) -> None:
    backend.faults.inject("not_json")
    reply = handle(backend, _signed())
    assert reply.status == 200
    assert _html(reply)


def test_a_truncated_answer_is_the_first_half_of_the_real_one(backend: CccBackend) -> None:
    whole = handle(backend, _signed()).body
    backend.faults.inject("truncated", delay=0.5)
    reply = handle(backend, _signed())
    assert reply.body == whole[: len(whole) // 2]
    assert (reply.status, reply.delay) == (200, 0.5)


def test_a_fault_meant_for_an_action_waits_for_that_action(backend: CccBackend) -> None:
    backend.faults.inject("reset", action="AssumeRole")
    backend.faults.inject("reset", action="DescribeAutoCalloutTask")
    assert handle(backend, _signed()).reset
    assert not handle(backend, _signed()).reset
    assert [fault.action for fault in backend.faults.pending()] == ["AssumeRole"]


def test_a_reset_fault_drops_the_connection(backend: CccBackend) -> None:
    backend.faults.inject("reset")
    assert handle(backend, _signed()).reset


def test_latency_delays_the_real_answer(backend: CccBackend) -> None:
    backend.faults.inject("latency", delay=0.25)
    reply = handle(backend, _signed())
    assert reply.delay == 0.25
    assert _response(reply)["Name"] == "任务1"
    assert _response(reply)["RequestId"] == backend.calls[-1].request_id


def test_latency_also_delays_an_error_and_nothing_else_is_delayed(backend: CccBackend) -> None:
    backend.faults.inject("latency", delay=0.25)
    unknown_task = b'{"SdkAppId": 1400000000, "TaskId": 999}'
    delayed = handle(backend, _signed(unknown_task))
    prompt = handle(backend, _signed(unknown_task))
    assert (_code(delayed), delayed.delay) == ("ResourceNotFound", 0.25)
    assert (_code(prompt), prompt.delay) == ("ResourceNotFound", 0.0)
    assert handle(backend, _signed()).delay == 0.0


def test_an_error_fault_answers_its_code_and_message_in_utf8(backend: CccBackend) -> None:
    backend.faults.error("FailedOperation", "任务暂时不可用")
    reply = handle(backend, _signed())
    assert _response(reply) == {
        "Error": {"Code": "FailedOperation", "Message": "任务暂时不可用"},
        "RequestId": backend.calls[-1].request_id,
    }
    assert "任务暂时不可用".encode() in reply.body  # as Tencent sends it: UTF-8, not \\u escapes


def test_a_task_with_no_fields_is_answered_with_its_request_id_only(backend: CccBackend) -> None:
    backend.put_task({"SdkAppId": 1400000000, "TaskId": 77})
    reply = handle(backend, _signed(b'{"SdkAppId": 1400000000, "TaskId": 77}'))
    assert json.loads(reply.body) == {"Response": {"RequestId": backend.calls[-1].request_id}}
