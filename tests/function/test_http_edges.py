"""CORS on an ordinary answer (issue 18's survivors in callout_task.http): the wildcard, and
no CORS headers for a request that sent no Origin."""

from __future__ import annotations

import pytest

from tests.function.scenarios import Invoke, function_url_get


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
