"""The fake's TC3-HMAC-SHA256 helpers: they reproduce Tencent's official worked examples exactly,
and where those examples do not reach (the machine's time zone, the path, a signed header the
request lacks, spaces in an Authorization) they still do what Tencent's description says."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from autocallout.fake_ccc import signature
from tests.paths import TEST_DATA

VECTORS = json.loads((TEST_DATA / "tc3-test-vectors.json").read_text(encoding="utf-8"))
COMMON = VECTORS["common"]
CASES = ["current_cn_doc_213_30654", "older_intl_doc"]


def _canonical(case: dict[str, str]) -> str:
    headers = {
        "Content-Type": COMMON["content_type"],
        "Host": COMMON["host"],
        "X-TC-Action": COMMON["action"],
    }
    signed = tuple(case["signed_headers"].split(";"))
    return signature.canonical_request("POST", "/", "", headers, signed, COMMON["payload"].encode())


def test_payload_hash_matches_the_documented_one() -> None:
    assert signature.sha256_hex(COMMON["payload"].encode()) == COMMON["hashed_payload"]


@pytest.mark.parametrize("name", CASES)
def test_canonical_request_hash_matches_the_documented_one(name: str) -> None:
    canonical = _canonical(VECTORS[name])
    assert signature.sha256_hex(canonical.encode()) == VECTORS[name]["hashed_canonical_request"]


@pytest.mark.parametrize("name", CASES)
def test_signature_matches_the_documented_one(name: str) -> None:
    case = VECTORS[name]
    to_sign = signature.string_to_sign(
        COMMON["timestamp"], COMMON["date"], COMMON["service"], case["hashed_canonical_request"]
    )
    assert (
        signature.signature(case["secret_key"], COMMON["date"], COMMON["service"], to_sign)
        == (case["signature"])
    )


def test_intermediate_signing_keys_match_the_documented_ones() -> None:
    case = VECTORS["current_cn_doc_213_30654"]

    def step(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    secret_date = step(("TC3" + case["secret_key"]).encode(), COMMON["date"])
    secret_service = step(secret_date, COMMON["service"])
    assert secret_date.hex() == case["secret_date"]
    assert secret_service.hex() == case["secret_service"]
    assert (
        signature.signing_key(case["secret_key"], COMMON["date"], COMMON["service"]).hex()
        == (case["secret_signing"])
    )


@pytest.mark.usefixtures("machine_time_zone")
def test_the_credential_date_is_the_utc_day_of_the_timestamp() -> None:
    assert signature.credential_date(COMMON["timestamp"]) == COMMON["date"]


def test_a_tc3_authorization_header_is_parsed_into_its_parts() -> None:
    value = (
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, Signature=" + "a" * 64
    )
    parsed = signature.parse_authorization(value)
    assert parsed is not None
    assert (parsed.secret_id, parsed.date, parsed.service) == ("AKIDEXAMPLE", "2019-02-25", "cvm")
    assert parsed.signed_headers == ("content-type", "host")


@pytest.mark.parametrize(
    "value",
    ["", "Basic abc", "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/cvm/tc3_request, Signature=abc"],
)
def test_anything_else_is_not_an_authorization(value: str) -> None:
    assert signature.parse_authorization(value) is None


@pytest.mark.usefixtures("machine_time_zone")
def test_dates_and_times_are_utc_whatever_the_local_zone() -> None:
    # 2023-11-14T22:13:20Z is already the 15th in Beijing.
    assert signature.credential_date(1_700_000_000) == "2023-11-14"
    assert signature.iso_utc(1_700_000_000) == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(("path", "line"), [("", "/"), ("/", "/"), ("/v1/tasks", "/v1/tasks")])
def test_the_canonical_path_is_the_request_path_or_a_slash(path: str, line: str) -> None:
    canonical = signature.canonical_request("POST", path, "", {}, (), b"")
    assert canonical.split("\n")[1] == line


def test_a_signed_header_the_request_lacks_is_signed_as_empty() -> None:
    headers = {"Host": "ccc.tencentcloudapi.com"}
    canonical = signature.canonical_request("POST", "/", "", headers, ("host", "x-tc-action"), b"")
    assert "host:ccc.tencentcloudapi.com\nx-tc-action:\n" in canonical


@pytest.mark.parametrize("separator", [", ", ","])
def test_an_authorization_is_parsed_with_or_without_spaces_after_its_commas(separator: str) -> None:
    value = separator.join(
        (
            "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/cvm/tc3_request",
            "SignedHeaders=content-type;host;x-tc-action",
            "Signature=" + "0123456789abcdef" * 4,
        )
    )
    assert signature.parse_authorization(f"  {value} ") == signature.Authorization(
        "AKIDEXAMPLE",
        "2019-02-25",
        "cvm",
        ("content-type", "host", "x-tc-action"),
        "0123456789abcdef" * 4,
    )
