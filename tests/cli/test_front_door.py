"""``autocallout serve --auth``: the local front door lets through what is signed with its key,
and refuses the rest with a 401 problem before the function runs (SPEC "Transport")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import subprocess
import time
from collections.abc import Iterator
from email.utils import formatdate
from urllib.parse import urlsplit

import pytest
import requests

from autocallout.fake_ccc import signature
from autocallout.front_door_auth import (
    LOCAL_API_KEY,
    LOCAL_CAM_KEY,
    ApiKeyDoor,
    CamDoor,
    KeyPair,
    Request,
)
from tests.cli.commands import AUTOCALLOUT, clean_environment, run, serving
from tests.contract.signing import Tc3Auth
from tests.seeded import TASK

NOW = 1_795_000_000.0


def _signed(door_key: KeyPair = LOCAL_CAM_KEY, at: float = NOW, body: bytes = b"{}") -> Request:
    """A POST signed as a requests client would sign it, at the time ``at``."""
    prepared = requests.Request("POST", "http://127.0.0.1:8080/?x=1", data=body).prepare()
    Tc3Auth(door_key, clock=lambda: at)(prepared)
    return Request("POST", "/", "x=1", dict(prepared.headers), body)


@pytest.mark.usefixtures("machine_time_zone")
def test_a_request_signed_with_the_local_cam_key_passes() -> None:
    assert CamDoor(clock=lambda: NOW).refusal(_signed()) is None


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (_signed()._replace(headers={}), "missing"),
        (_signed(at=NOW - 301), "seconds"),
        (_signed(KeyPair(LOCAL_CAM_KEY.key_id, "another secret")), "does not match"),
        (_signed(KeyPair("AKIDsomeoneElse", LOCAL_CAM_KEY.secret)), "SecretId"),
        (_signed()._replace(body=b'{"TaskId": 4}'), "does not match"),
        (_signed()._replace(query="x=2"), "does not match"),
        (_signed()._replace(method="GET"), "does not match"),
    ],
    ids=["unsigned", "stale", "wrong-secret", "unknown-id", "body", "query", "method"],
)
def test_the_cam_door_refuses_what_the_key_did_not_sign(request_: Request, reason: str) -> None:
    refusal = CamDoor(clock=lambda: NOW).refusal(request_)
    assert refusal is not None
    assert reason in refusal


def _signed_consistently(
    service: str = "scf", date: str = "", signed_headers: tuple[str, ...] = ("host",)
) -> Request:
    """A GET whose signature matches its own Authorization, whatever scope and headers it names:
    only the door's own rules can refuse it."""
    timestamp = int(NOW)
    date = date or signature.credential_date(timestamp)
    headers = {"Host": "127.0.0.1:8080", "X-TC-Timestamp": str(timestamp)}
    canonical = signature.canonical_request("GET", "/", "", headers, signed_headers, b"")
    to_sign = signature.string_to_sign(
        timestamp, date, service, signature.sha256_hex(canonical.encode())
    )
    signed = signature.signature(LOCAL_CAM_KEY.secret, date, service, to_sign)
    headers["Authorization"] = (
        f"TC3-HMAC-SHA256 Credential={LOCAL_CAM_KEY.key_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed_headers)}, Signature={signed}"
    )
    return Request("GET", "/", "", headers, b"")


def test_a_consistently_signed_request_passes() -> None:
    # the cases below differ from this one in one thing each
    assert CamDoor(clock=lambda: NOW).refusal(_signed_consistently()) is None


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (_signed_consistently(service="cvm"), "credential scope"),
        (_signed_consistently(date="2020-01-01"), "credential scope"),
        (_signed_consistently(signed_headers=("x-tc-timestamp",)), "host"),
    ],
    ids=["other-service", "other-date", "host-unsigned"],
)
def test_the_cam_door_refuses_a_signature_outside_its_scope(request_: Request, reason: str) -> None:
    refusal = CamDoor(clock=lambda: NOW).refusal(request_)
    assert refusal is not None
    assert reason in refusal


@pytest.mark.parametrize(
    "timestamp",
    ["9" * 400, "9" * 5000, "0" * 5000 + "1"],
    ids=["past-float", "past-int-text-limit", "zeros-past-int-text-limit"],
)
def test_the_cam_door_refuses_a_timestamp_of_too_many_digits(timestamp: str) -> None:
    # 400 nines overflow the float subtraction, 5000 digits (zeros too) int()'s 4300-digit limit
    request = _signed()
    headers = {**request.headers, "X-TC-Timestamp": timestamp}
    refusal = CamDoor(clock=lambda: NOW).refusal(request._replace(headers=headers))
    assert refusal is not None
    assert "X-TC-Timestamp" in refusal


def _near_misses(name: str) -> list[str]:
    """Names that resemble ``name`` without being it: each would pass a prefix or suffix match,
    a match ignoring case, or one of the name inside the other."""
    variants = [name + "x", name[:-1], "x" + name, name[1:], name.upper(), name.lower(), name * 2]
    return [variant for variant in variants if variant != name]


@pytest.mark.parametrize("secret_id", _near_misses(LOCAL_CAM_KEY.key_id))
def test_the_cam_door_refuses_a_secret_id_that_only_resembles_its_own(secret_id: str) -> None:
    # signed with the door's own secret: only the SecretId's comparison can refuse it
    refusal = CamDoor(clock=lambda: NOW).refusal(_signed(KeyPair(secret_id, LOCAL_CAM_KEY.secret)))
    assert refusal is not None
    assert "SecretId" in refusal


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        *((_signed_consistently(service=s), "credential scope") for s in ("scfx", "xscf", "sc")),
        *(
            (_signed_consistently(signed_headers=(name,)), "host")
            for name in ("x-host", "hosts", "host-x", "ho")
        ),
        *(
            (_signed_consistently(date=d), "credential scope")
            for d in (signature.credential_date(int(NOW) + days * 86_400) for days in (-1, 1, 365))
        ),
    ],
)
def test_the_cam_door_refuses_a_scope_or_header_that_only_resembles_its_own(
    request_: Request, reason: str
) -> None:
    refusal = CamDoor(clock=lambda: NOW).refusal(request_)
    assert refusal is not None
    assert reason in refusal


def _gateway_headers(key: KeyPair = LOCAL_API_KEY, at: float = NOW) -> dict[str, str]:
    date = formatdate(at, usegmt=True)
    signed = hmac.new(
        key.secret.encode(), f"x-date: {date}\nsource: tests".encode(), hashlib.sha1
    ).digest()
    return {
        "X-Date": date,
        "Source": "tests",
        "Authorization": f'hmac id="{key.key_id}", algorithm="hmac-sha1", '
        f'headers="x-date source", signature="{base64.b64encode(signed).decode()}"',
    }


def test_the_cam_door_reads_a_zero_padded_timestamp_as_its_number() -> None:
    # the digit limit above counts what the number spells, not the zeros in front of it
    request = _signed()
    headers = {**request.headers, "X-TC-Timestamp": "0" * 20 + request.headers["X-TC-Timestamp"]}
    assert CamDoor(clock=lambda: NOW).refusal(request._replace(headers=headers)) is None


def _gateway_headers_listing(listed: str, algorithm: str = "hmac-sha1") -> dict[str, str]:
    """Signed correctly over the headers it lists, with the algorithm it names (or SHA-1)."""
    headers = {"X-Date": formatdate(NOW, usegmt=True), "Source": "tests"}
    lines = "\n".join(f"{name}: {headers[name.title()]}" for name in listed.split())
    digest = hashlib.sha256 if algorithm == "hmac-sha256" else hashlib.sha1
    signed = base64.b64encode(
        hmac.new(LOCAL_API_KEY.secret.encode(), lines.encode(), digest).digest()
    )
    headers["Authorization"] = (
        f'hmac id="{LOCAL_API_KEY.key_id}", algorithm="{algorithm}", headers="{listed}", '
        f'signature="{signed.decode()}"'
    )
    return headers


@pytest.mark.parametrize(
    "x_date",
    [formatdate(NOW), time.asctime(time.gmtime(NOW))],
    ids=["minus-0000", "asctime"],
)
@pytest.mark.usefixtures("machine_time_zone")
def test_an_x_date_without_a_zone_is_gmt_whatever_the_machine_s_zone(x_date: str) -> None:
    # HTTP dates are GMT (RFC 9110): "-0000" and asctime's zone-less form mean GMT, not local time
    headers = {"X-Date": x_date, "Source": "tests"}
    to_sign = f"x-date: {x_date}\nsource: tests"
    signed = hmac.new(LOCAL_API_KEY.secret.encode(), to_sign.encode(), hashlib.sha1).digest()
    headers["Authorization"] = (
        f'hmac id="{LOCAL_API_KEY.key_id}", algorithm="hmac-sha1", headers="x-date source", '
        f'signature="{base64.b64encode(signed).decode()}"'
    )
    assert ApiKeyDoor(clock=lambda: NOW).refusal(_gateway_request(headers)) is None


def _gateway_request(headers: dict[str, str]) -> Request:
    return Request("GET", "/", "SdkAppId=1400000000&TaskId=3", headers, b"")


@pytest.mark.usefixtures("machine_time_zone")
def test_a_request_with_the_local_api_key_passes() -> None:
    assert ApiKeyDoor(clock=lambda: NOW).refusal(_gateway_request(_gateway_headers())) is None


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "Authorization"),
        (_gateway_headers(at=NOW - 901), "minutes"),
        (_gateway_headers(KeyPair(LOCAL_API_KEY.key_id, "another secret")), "does not match"),
        (_gateway_headers(KeyPair("someone-else", LOCAL_API_KEY.secret)), "key id"),
        ({**_gateway_headers(), "Source": "tampered"}, "does not match"),
        ({**_gateway_headers(), "X-Date": "yesterday"}, "X-Date"),
        # signed without the date, it would open the door forever
        (_gateway_headers_listing("source"), "x-date"),
        (_gateway_headers_listing("x-date source", "hmac-md5"), "algorithm"),
        (
            {**_gateway_headers(), "Authorization": _gateway_headers()["Authorization"] + ", junk"},
            "Authorization",
        ),
        # numbers past a C int or long: parsedate_to_datetime raises OverflowError on them
        ({**_gateway_headers(), "X-Date": "Tue, 24 Nov 2026 08:00:00 +9" + "9" * 21}, "X-Date"),
        ({**_gateway_headers(), "X-Date": "1 Jan 99999999999999999999 00:00:00 GMT"}, "X-Date"),
    ],
    ids=[
        "unsigned",
        "stale",
        "wrong-secret",
        "unknown-id",
        "tampered",
        "bad-date",
        "date-unsigned",
        "other-algorithm",
        "trailing-junk",
        "huge-zone",
        "huge-year",
    ],
)
def test_the_api_key_door_refuses_what_the_key_did_not_sign(
    headers: dict[str, str], reason: str
) -> None:
    refusal = ApiKeyDoor(clock=lambda: NOW).refusal(_gateway_request(headers))
    assert refusal is not None
    assert reason in refusal


@pytest.mark.parametrize("key_id", _near_misses(LOCAL_API_KEY.key_id))
def test_the_api_key_door_refuses_a_key_id_that_only_resembles_its_own(key_id: str) -> None:
    # signed with the door's own secret: only the key id's comparison can refuse it
    headers = _gateway_headers(KeyPair(key_id, LOCAL_API_KEY.secret))
    refusal = ApiKeyDoor(clock=lambda: NOW).refusal(_gateway_request(headers))
    assert refusal is not None
    assert "key id" in refusal


@pytest.mark.parametrize("listed", ["x-dates source", "x-date-x source", "xx-date source", "date"])
def test_the_api_key_door_refuses_a_signature_over_a_header_that_only_resembles_x_date(
    listed: str,
) -> None:
    # signed consistently over the headers it lists: without x-date it would open the door forever
    headers = {"X-Date": formatdate(NOW, usegmt=True), "Source": "tests"}
    lowered = {name.lower(): value for name, value in headers.items()}
    lines = "\n".join(f"{name}: {lowered.get(name, '')}" for name in listed.split())
    signed = hmac.new(LOCAL_API_KEY.secret.encode(), lines.encode(), hashlib.sha1).digest()
    headers["Authorization"] = (
        f'hmac id="{LOCAL_API_KEY.key_id}", algorithm="hmac-sha1", headers="{listed}", '
        f'signature="{base64.b64encode(signed).decode()}"'
    )
    refusal = ApiKeyDoor(clock=lambda: NOW).refusal(_gateway_request(headers))
    assert refusal is not None
    assert "x-date" in refusal


@pytest.fixture(scope="module")
def cam_served() -> Iterator[str]:
    with serving("--fake", "--auth", "cam") as (url, _):
        yield url


def test_serve_behind_the_cam_door_answers_a_signed_request(cam_served: str) -> None:
    answer = requests.post(f"{cam_served}/", json=TASK, auth=Tc3Auth(), timeout=10)
    assert answer.status_code == 200
    assert answer.json()["task_id"] == 3


def test_serve_behind_the_cam_door_refuses_an_unsigned_one_with_a_401_problem(
    cam_served: str,
) -> None:
    answer = requests.post(f"{cam_served}/", json=TASK, timeout=10)
    assert answer.status_code == 401
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.headers["WWW-Authenticate"] == "TC3-HMAC-SHA256"
    problem = answer.json()
    assert problem["type"] == "urn:autocallout:problem:unauthenticated"
    assert problem["request_id"] == answer.headers["X-Request-Id"]


def test_serve_behind_the_cam_door_answers_preflights_unsigned(cam_served: str) -> None:
    assert requests.options(f"{cam_served}/", timeout=10).status_code == 204


@pytest.mark.parametrize("method", ["options", "Options", "OPTIONSX", "OPTION", "XOPTIONS"])
def test_serve_behind_the_cam_door_passes_only_options_itself_unsigned(
    cam_served: str, method: str
) -> None:
    # only a preflight passes unsigned: a method that resembles OPTIONS is checked like any other
    # http.client sends the method as written (requests would upper-case it)
    connection = http.client.HTTPConnection(urlsplit(cam_served).netloc, timeout=10)
    try:
        connection.request(method, "/?SdkAppId=1400000000&TaskId=3")
        assert connection.getresponse().status == 401
    finally:
        connection.close()


def test_serve_behind_the_cam_door_serves_a_document_requiring_cam(cam_served: str) -> None:
    document = requests.get(f"{cam_served}/openapi.json", auth=Tc3Auth(), timeout=10).json()
    assert document["security"] == [{"functionUrlCam": []}]


def test_serve_behind_the_api_key_door_checks_the_key() -> None:
    with serving("--fake", "--auth", "api-key", "--shape", "apigw") as (url, _):
        query = "?SdkAppId=1400000000&TaskId=3"
        signed = requests.get(
            f"{url}/{query}", headers=_gateway_headers(at=time.time()), timeout=10
        )
        unsigned = requests.get(f"{url}/{query}", timeout=10)
    assert signed.status_code == 200
    assert unsigned.status_code == 401


def test_serve_prints_the_local_key_pair_of_its_door() -> None:
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0", "--fake", "--auth", "cam"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_environment(),
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    printed = "".join(lines)
    assert LOCAL_CAM_KEY.key_id in printed
    assert LOCAL_CAM_KEY.secret in printed


@pytest.mark.parametrize(
    ("arguments", "names", "recipe"),
    [
        (
            ["--auth", "cam"],
            ("FUNCTION_URL", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
            '"CAM-signed request" recipe',
        ),
        (
            ["--auth", "api-key", "--shape", "apigw"],
            ("GATEWAY_URL", "KEY_ID", "KEY_SECRET"),
            "API key recipe",
        ),
    ],
    ids=["cam", "api-key"],
)
def test_serve_behind_a_door_suggests_a_signed_call_not_an_unsigned_curl(
    arguments: list[str], names: tuple[str, ...], recipe: str
) -> None:
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0", "--fake", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=clean_environment(),
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:  # the banner: up to the key's secret and the "try" advice
            lines.append(line)
            if all(any(mark in seen for seen in lines) for mark in ("secret:", "(Ctrl-C stops)")):
                break
    finally:
        process.terminate()
        process.wait(timeout=10)
    url = lines[0].split(" on ", 1)[1].split(",", 1)[0]
    printed = "".join(lines)
    assert "curl '" not in printed
    assert "an unsigned curl gets 401" in printed
    assert f"export {names[0]}={url} {names[1]}=" in printed
    assert recipe in printed


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--auth", "api-key"], "--auth api-key is the legacy API Gateway's key check: add "),
        (["--auth", "cam", "--shape", "apigw"], "--auth cam is the Function URL's CAM check"),
    ],
    ids=["api-key on a function URL", "cam on the legacy gateway"],
)
def test_a_door_the_front_door_does_not_have_is_refused(
    arguments: list[str], complaint: str
) -> None:
    result = run("serve", "--port", "0", *arguments)
    assert result.returncode == 2
    assert result.stderr.startswith(f"autocallout serve: error: {complaint}")
    assert result.stderr.count("\n") == 1


def test_serve_without_auth_serves_a_document_without_security() -> None:
    with serving("--fake") as (url, _):
        document = json.loads(requests.get(f"{url}/openapi.json", timeout=10).content)
    assert document["security"] == []
