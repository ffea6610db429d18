"""The fake's TC3 helpers where Tencent's worked examples do not reach: time zones, paths, gaps."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from autocallout.fake_ccc import signature


@pytest.fixture
def eight_hours_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time is UTC+8 (Beijing's), as on many developers' machines."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("eight_hours_east")
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
