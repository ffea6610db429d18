"""The fake's TC3-HMAC-SHA256 verifier reproduces Tencent's official worked examples exactly."""

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
