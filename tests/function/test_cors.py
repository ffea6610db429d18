"""CORS (CORS_ALLOW_ORIGINS, callout_task.http): the preflight and what it echoes, the headers of an
ordinary answer for an allowed origin, the wildcard, and none for an origin not allowed or a
request that sent no Origin."""

from __future__ import annotations

from typing import Any

import pytest

from autocallout.fake_ccc import CccBackend
from tests.function.scenarios import Invoke, function_url_get, load_event


def _preflight(headers: dict[str, str]) -> dict[str, Any]:
    return {"httpMethod": "OPTIONS", "path": "/", "headers": headers, "queryString": {}}


def _get(**headers: str) -> dict[str, object]:
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    event["headers"].update(headers)
    return event


@pytest.mark.parametrize("configured", ["*", "https://ops.example.com, *"])
def test_a_wildcard_allows_any_origin_without_naming_it(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", configured)
    response = invoke(_get(origin="https://elsewhere.example.org"))
    assert response["statusCode"] == 200
    assert response["headers"] == {
        "Content-Type": "application/json; charset=utf-8",
        "X-Request-Id": response["headers"]["X-Request-Id"],
        "Cache-Control": "no-store",
        "Access-Control-Allow-Origin": "*",
    }


@pytest.mark.parametrize("configured", ["*", "https://ops.example.com"])
def test_a_request_without_an_origin_gets_no_cors_headers(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, configured: str
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", configured)
    response = invoke(_get())
    assert response["statusCode"] == 200
    assert not [name for name in response["headers"] if name.lower().startswith("access-control")]
    assert "Vary" not in response["headers"]


def test_a_preflight_without_requested_headers_allows_the_usual_ones(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    response = invoke(_preflight({"origin": "https://ops.example.com"}))

    request_id = response["headers"]["X-Request-Id"]
    assert response["headers"] == {
        "X-Request-Id": request_id,
        "Cache-Control": "no-store",
        "Allow": "GET, POST, OPTIONS",
        "Access-Control-Allow-Origin": "https://ops.example.com",
        "Vary": "Origin",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Authorization",
        "Access-Control-Max-Age": "600",
    }
    assert len(request_id) == 36


def test_a_preflight_echoes_the_requested_header_names_only(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    headers = {
        "origin": "https://ops.example.com",
        "access-control-request-headers": "Content-Type, X-Trace-Id, bad\r\nheader",
    }
    response = invoke(_preflight(headers))
    assert response["headers"]["Access-Control-Allow-Headers"] == (
        "Content-Type, X-Trace-Id, bad, header"
    )


def test_a_preflight_echoes_at_most_32_header_names_each_once(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 000 requested headers were once echoed whole: 148 888 characters.
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    asked = ", ".join(["Content-Type", "content-type"] + [f"X-H{n}" for n in range(20_000)])
    headers = {"origin": "https://ops.example.com", "access-control-request-headers": asked}
    response = invoke(_preflight(headers))
    echoed = response["headers"]["Access-Control-Allow-Headers"].split(", ")
    assert echoed == ["Content-Type"] + [f"X-H{n}" for n in range(31)]


def test_a_preflight_without_cors_only_says_what_is_allowed(invoke: Invoke) -> None:
    response = invoke(_preflight({"origin": "https://ops.example.com"}))
    assert response["statusCode"] == 204
    assert response["headers"]["Allow"] == "GET, POST, OPTIONS"
    assert not any(name.startswith("Access-Control") for name in response["headers"])


def test_options_answers_a_cors_preflight(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    response = invoke(load_event("function-url-options-preflight.json"))

    assert response["statusCode"] == 204
    assert response["body"] == ""
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://ops.example.com"
    assert response["headers"]["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response["headers"]["Access-Control-Allow-Headers"] == "content-type"
    assert ccc.calls == []


def test_no_cors_headers_for_an_origin_not_configured(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://ops.example.com")
    event = function_url_get(SdkAppId="1400000000", TaskId="3")
    event["headers"]["origin"] = "https://evil.example.net"
    assert "Access-Control-Allow-Origin" not in invoke(event)["headers"]


# Origins that resemble the configured one without being it: each would pass a prefix, suffix or
# substring match, a match ignoring the scheme, port or case, or one against the configured
# text as a whole. Browsers send an origin as scheme://host[:port], lower-cased, with no path.
CONFIGURED_ORIGINS = "https://app.example.com, https://ops.example.com"
NEAR_MISS_ORIGINS = [
    "https://ops.example.com.evil.net",  # starts with the allowed one
    "https://ops.example.comx",
    "https://evil-ops.example.com",  # ends with it
    "https://evil.ops.example.com",  # a subdomain of it
    "https://ops.example.co",  # a prefix of it
    "https://ops.example",
    "ops.example.com",  # inside it
    "example.com",
    "http://ops.example.com",  # another scheme
    "https://ops.example.com:8443",  # another port
    "https://OPS.example.com",  # not how a browser writes it
    "https://ops.example.com.",  # a trailing dot: another origin to a browser
    "https://ops.example.com/",
    "https://user@ops.example.com",
    "https://app.example.com, https://ops.example.com",  # the configured text itself
    "https://app.example.com,https://ops.example.com",
    "null",
    "*",
]


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
@pytest.mark.parametrize("origin", NEAR_MISS_ORIGINS)
def test_an_origin_that_only_resembles_a_configured_one_gets_no_cors_headers(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, origin: str, method: str
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", CONFIGURED_ORIGINS)
    event = _get(origin=origin, **{"access-control-request-method": "GET"})
    event["httpMethod"] = method
    response = invoke(event)
    assert response["statusCode"] == (200 if method == "GET" else 204)
    assert not [name for name in response["headers"] if name.lower().startswith("access-control")]


# The wildcard is an entry "*" alone: an entry holding a star (a pattern, which
# CORS_ALLOW_ORIGINS does not offer) is one more origin compared whole, never a wildcard.
@pytest.mark.parametrize(
    "origin", ["https://app.example.com", "https://evil.example.net", "https://ops.example.comx"]
)
def test_only_a_star_alone_is_the_wildcard(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://*.example.com, https://ops.example.com*")
    response = invoke(_get(origin=origin))
    assert response["statusCode"] == 200
    assert not [name for name in response["headers"] if name.lower().startswith("access-control")]


@pytest.mark.parametrize("origin", ["https://app.example.com", "https://ops.example.com"])
def test_each_configured_origin_is_allowed_by_name(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", CONFIGURED_ORIGINS)
    response = invoke(_get(origin=origin))
    assert response["headers"]["Access-Control-Allow-Origin"] == origin
    assert response["headers"]["Vary"] == "Origin"
