"""Configuration: every environment variable load_settings reads (callout_task.config), its
default, the ends of its range, the spaces around it, and the ConfigurationError naming it when
it is wrong; CCC_ENDPOINT's refusals (cleartext off this machine, a user and password in it).
Called directly, mostly: the function turns that error into a 500 and a log line
(test_error_table), the same for every variable."""

from __future__ import annotations

from typing import Any

import pytest
from callout_task.config import (
    ENVIRONMENT_VARIABLES,
    ConfigurationError,
    Settings,
    is_loopback,
    load_settings,
    unknown_variables,
)
from callout_task.redis_wire import parse_redis_url

from autocallout.fake_ccc import CccBackend
from tests.function.answers import http_body, log_lines
from tests.function.scenarios import Invoke, function_url_get

MAX_ID = 2**63 - 1
REDIS = "redis://10.0.0.5:6380"


def _error_lines(out: str) -> list[str]:
    return [line["message"] for line in log_lines(out) if line["level"] == "ERROR"]


@pytest.mark.parametrize("blank", ["", "  "])
def test_unset_or_blank_variables_are_the_defaults(blank: str) -> None:
    assert load_settings({}) == Settings()
    assert load_settings(dict.fromkeys(ENVIRONMENT_VARIABLES, blank)) == Settings()


def test_the_defaults_are_the_documented_ones() -> None:
    settings = load_settings({})
    assert (settings.ccc_region, settings.ccc_endpoint, settings.ccc_role_arn) == ("", "", "")
    assert settings.allowed_sdk_app_ids == frozenset()
    assert (settings.rate_limit_qps, settings.rate_limit_burst) == (20.0, 20)
    assert (settings.rate_limit_redis, settings.rate_limit_redis_password_secret) == (None, None)
    assert settings.rate_limit_redis_key == "autocallout:ccc-rate"
    assert settings.rate_limit_redis_timeout_seconds == 0.1
    assert (settings.retry_max_attempts, settings.time_budget_seconds) == (3, 3.0)
    assert (settings.cors_allow_origins, settings.log_level) == ((), "INFO")


@pytest.mark.parametrize(
    ("environment", "attribute", "expected"),
    [
        ({"CCC_REGION": " ap-guangzhou "}, "ccc_region", "ap-guangzhou"),
        (
            {"CCC_ENDPOINT": " https://ccc.example.com:8443 "},
            "ccc_endpoint",
            "https://ccc.example.com:8443",
        ),
        ({"CCC_ENDPOINT": "ccc.internal.example"}, "ccc_endpoint", "https://ccc.internal.example"),
        ({"CCC_ENDPOINT": "http://localhost:8765/"}, "ccc_endpoint", "http://localhost:8765"),
        ({"CCC_ENDPOINT": "http://[::1]:8765"}, "ccc_endpoint", "http://[::1]:8765"),
        (
            {"CCC_ROLE_ARN": " qcs::cam::uin/1:roleName/r "},
            "ccc_role_arn",
            "qcs::cam::uin/1:roleName/r",
        ),
        (
            {"ALLOWED_SDK_APP_IDS": f" 1 , ,{MAX_ID}, "},
            "allowed_sdk_app_ids",
            frozenset({1, MAX_ID}),
        ),
        ({"RATE_LIMIT_QPS": " 0 "}, "rate_limit_qps", 0.0),
        ({"RATE_LIMIT_QPS": "10000"}, "rate_limit_qps", 10_000.0),
        ({"RATE_LIMIT_QPS": "0"}, "rate_limit_burst", 1),  # a burst of at least one call
        ({"RATE_LIMIT_QPS": "0.5"}, "rate_limit_burst", 1),
        ({"RATE_LIMIT_QPS": "2.5"}, "rate_limit_burst", 3),  # one second's worth, rounded up
        ({"RATE_LIMIT_BURST": "1"}, "rate_limit_burst", 1),
        ({"RATE_LIMIT_BURST": " 10000.0 "}, "rate_limit_burst", 10_000),
        ({"RATE_LIMIT_REDIS_URL": f" {REDIS} "}, "rate_limit_redis", parse_redis_url(REDIS)),
        (
            {"RATE_LIMIT_REDIS_URL": REDIS, "RATE_LIMIT_REDIS_PASSWORD_SECRET": " redis-pw:v1 "},
            "rate_limit_redis_password_secret",
            ("redis-pw", "v1"),
        ),
        ({"RATE_LIMIT_REDIS_KEY": " team:ccc "}, "rate_limit_redis_key", "team:ccc"),
        ({"RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "0.001"}, "rate_limit_redis_timeout_seconds", 0.001),
        ({"RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "1"}, "rate_limit_redis_timeout_seconds", 1.0),
        ({"RETRY_MAX_ATTEMPTS": "1"}, "retry_max_attempts", 1),
        ({"RETRY_MAX_ATTEMPTS": "10"}, "retry_max_attempts", 10),
        ({"TIME_BUDGET_SECONDS": "0.1"}, "time_budget_seconds", 0.1),
        ({"TIME_BUDGET_SECONDS": "900"}, "time_budget_seconds", 900.0),
        (
            {"CORS_ALLOW_ORIGINS": " https://a.example , ,https://b.example"},
            "cors_allow_origins",
            ("https://a.example", "https://b.example"),
        ),
        ({"LOG_LEVEL": " debug "}, "log_level", "DEBUG"),
        ({"LOG_LEVEL": "Warning"}, "log_level", "WARNING"),
        ({"LOG_LEVEL": "ERROR"}, "log_level", "ERROR"),
    ],
)
def test_each_variable_is_read_trimmed_up_to_the_ends_of_its_range(
    environment: dict[str, str], attribute: str, expected: Any
) -> None:
    assert getattr(load_settings(environment), attribute) == expected


@pytest.mark.parametrize(
    ("environment", "variable"),
    [
        ({"ALLOWED_SDK_APP_IDS": "1,0"}, "ALLOWED_SDK_APP_IDS"),
        ({"ALLOWED_SDK_APP_IDS": str(MAX_ID + 1)}, "ALLOWED_SDK_APP_IDS"),
        ({"ALLOWED_SDK_APP_IDS": "-1"}, "ALLOWED_SDK_APP_IDS"),
        ({"ALLOWED_SDK_APP_IDS": "1.0"}, "ALLOWED_SDK_APP_IDS"),
        ({"ALLOWED_SDK_APP_IDS": "1400000000 1400000001"}, "ALLOWED_SDK_APP_IDS"),
        ({"ALLOWED_SDK_APP_IDS": "\u00b2"}, "ALLOWED_SDK_APP_IDS"),  # a digit int() cannot read
        ({"ALLOWED_SDK_APP_IDS": "\u0661"}, "ALLOWED_SDK_APP_IDS"),  # Arabic-Indic one
        ({"RATE_LIMIT_QPS": "-1"}, "RATE_LIMIT_QPS"),
        ({"RATE_LIMIT_QPS": "10000.5"}, "RATE_LIMIT_QPS"),
        ({"RATE_LIMIT_QPS": "nan"}, "RATE_LIMIT_QPS"),
        ({"RATE_LIMIT_QPS": "inf"}, "RATE_LIMIT_QPS"),
        ({"RATE_LIMIT_QPS": "fast"}, "RATE_LIMIT_QPS"),
        ({"RATE_LIMIT_BURST": "0"}, "RATE_LIMIT_BURST"),
        ({"RATE_LIMIT_BURST": "10001"}, "RATE_LIMIT_BURST"),
        ({"RATE_LIMIT_BURST": "2.5"}, "RATE_LIMIT_BURST"),
        ({"RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "0.0009"}, "RATE_LIMIT_REDIS_TIMEOUT_SECONDS"),
        ({"RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "1.5"}, "RATE_LIMIT_REDIS_TIMEOUT_SECONDS"),
        ({"RETRY_MAX_ATTEMPTS": "0"}, "RETRY_MAX_ATTEMPTS"),
        ({"RETRY_MAX_ATTEMPTS": "11"}, "RETRY_MAX_ATTEMPTS"),
        ({"RETRY_MAX_ATTEMPTS": "1.5"}, "RETRY_MAX_ATTEMPTS"),
        ({"TIME_BUDGET_SECONDS": "0.09"}, "TIME_BUDGET_SECONDS"),
        ({"TIME_BUDGET_SECONDS": "900.5"}, "TIME_BUDGET_SECONDS"),
        ({"LOG_LEVEL": "TRACE"}, "LOG_LEVEL"),
        ({"CCC_ENDPOINT": "https://reader:pw@ccc.example.com"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://:443"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "ftp://127.0.0.1"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com/X"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com?region=ap-guangzhou"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com#top"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com:99999"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com:0"}, "CCC_ENDPOINT"),  # no port to call
        ({"CCC_ENDPOINT": "https://[2001:db8::5]:0"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "https://ccc.example.com:https"}, "CCC_ENDPOINT"),
        ({"CCC_ENDPOINT": "http://localhost.example.com"}, "CCC_ENDPOINT"),
        (
            {"RATE_LIMIT_REDIS_URL": REDIS, "RATE_LIMIT_REDIS_PASSWORD_SECRET": "redis-pw:"},
            "RATE_LIMIT_REDIS_PASSWORD_SECRET",
        ),
        (
            {"RATE_LIMIT_REDIS_URL": REDIS, "RATE_LIMIT_REDIS_PASSWORD_SECRET": ":v1"},
            "RATE_LIMIT_REDIS_PASSWORD_SECRET",
        ),
        ({"RATE_LIMIT_REDIS_PASSWORD_SECRET": "redis-pw:v1"}, "RATE_LIMIT_REDIS_PASSWORD_SECRET"),
        (
            {"RATE_LIMIT_REDIS_URL": "  ", "RATE_LIMIT_REDIS_PASSWORD_SECRET": "redis-pw:v1"},
            "RATE_LIMIT_REDIS_PASSWORD_SECRET",
        ),
    ],
)
def test_a_value_out_of_range_or_malformed_is_refused_naming_its_variable(
    environment: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings(environment)
    assert str(raised.value).startswith(f"{variable} ")


# Hosts that resemble this machine without being it: each would pass a prefix, suffix or
# substring match on "localhost" or "127.", or a reading of the address that is too loose.
NEAR_LOOPBACK_HOSTS = [
    "localhost.evil.net",  # starts with localhost
    "localhostx",
    "evil-localhost",  # ends with it
    "notlocalhost",
    "my.localhost.evil.net",  # holds it
    "127.0.0.1.evil.net",  # starts with a loopback address
    "127.0.0.1x",
    "127.evil.net",
    "evil.net.127.0.0.1",
    "1127.0.0.1",
    "0.0.0.0",  # noqa: S104 - every address of this machine, reachable from others
    "::",
    "128.0.0.1",
    "::2",
    "2130706433",  # 127.0.0.1 as one decimal number: not an address ipaddress reads
    "0x7f.0.0.1",
]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("localhost.example.com", False),
        ("", False),
        (None, False),
        *((host, False) for host in NEAR_LOOPBACK_HOSTS),
    ],
)
def test_only_this_machine_is_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("host", NEAR_LOOPBACK_HOSTS)
def test_plain_http_to_a_host_that_only_resembles_loopback_is_refused(host: str) -> None:
    # the session token would cross the network in cleartext
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"CCC_ENDPOINT": f"http://{f'[{host}]' if ':' in host else host}:9000"})
    assert "plain http only on loopback" in str(raised.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.255.0.9", "localhost", "LocalHost", "[::1]"])
def test_plain_http_to_this_machine_is_accepted(host: str) -> None:
    assert load_settings({"CCC_ENDPOINT": f"http://{host}:9000"}).ccc_endpoint.startswith("http://")


# A scheme is read in any case (RFC 3986; urlsplit lower-cases it): plain http is told by the
# scheme read, not by the raw text starting "http://", or HTTP:// would pass in cleartext.
@pytest.mark.parametrize("scheme", ["HTTP", "Http", "hTTP"])
def test_plain_http_is_told_by_its_scheme_in_any_case(scheme: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"CCC_ENDPOINT": f"{scheme}://ccc.tencentcloudapi.com"})
    assert "plain http only on loopback" in str(raised.value)
    local = load_settings({"CCC_ENDPOINT": f"{scheme}://127.0.0.1:9000"})
    assert local.ccc_endpoint == "http://127.0.0.1:9000"
    secure = load_settings({"CCC_ENDPOINT": f"{scheme}S://ccc.tencentcloudapi.com"})
    assert secure.ccc_endpoint == "https://ccc.tencentcloudapi.com"


# The Redis password's secret is a whole name and a whole version: one that only starts like
# one (more after the version, a second colon, a path) names another secret and is refused.
@pytest.mark.parametrize(
    "secret",
    ["redis-pw:v1 extra", "redis-pw:v1/x", "redis-pw/x:v1", "redis-pw:v1:v2", "redis pw:v1"],
)
def test_a_redis_password_secret_that_only_starts_like_name_and_version_is_refused(
    secret: str,
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"RATE_LIMIT_REDIS_URL": REDIS, "RATE_LIMIT_REDIS_PASSWORD_SECRET": secret})
    assert "<SSM secret name>:<version id>" in str(raised.value)


# --- names the function does not read, with its prefixes (issue 27: typos pass silently) ---


@pytest.mark.parametrize(
    ("environment", "found"),
    [
        ({"ALLOWED_SDK_APPIDS": "1"}, ["ALLOWED_SDK_APPIDS (did you mean ALLOWED_SDK_APP_IDS?)"]),
        ({"rate_limit_qps": "5"}, ["rate_limit_qps (did you mean RATE_LIMIT_QPS?)"]),
        ({"CCC_SECRET": "x"}, ["CCC_SECRET"]),  # the prefix, with nothing close to suggest
        ({"RATE_LIMIT_QPS": "5", "PATH": "/bin", "LOGNAME": "me", "TIME_STYLE": "iso"}, []),
    ],
)
def test_names_with_the_functions_prefixes_that_it_does_not_read_are_found(
    environment: dict[str, str], found: list[str]
) -> None:
    assert unknown_variables(environment) == found


def test_an_instance_warns_once_of_variables_it_does_not_read(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an instance whose allowlist variable is misspelled
    monkeypatch.setenv("ALLOWED_SDK_APPIDS", "1400000001")
    # When it answers its first two lookups
    for _ in range(2):
        invoke({"SdkAppId": 1400000000, "TaskId": 3})
    # Then it said so once, naming the variable it meant and never the value
    warnings = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "WARNING"]
    assert [line["message"] for line in warnings] == [
        "ignored, not variables the function reads: "
        "ALLOWED_SDK_APPIDS (did you mean ALLOWED_SDK_APP_IDS?)"
    ]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://ccc.tencentcloudapi.com",
        "http://10.0.0.8:8080",
        "http://[fd00::1]:80",
        "ftp://127.0.0.1",
        "https://ccc.tencentcloudapi.com/some/path",
        "https://:443",
    ],
)
def test_a_ccc_endpoint_in_cleartext_off_loopback_is_refused_as_misconfiguration(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
) -> None:
    monkeypatch.setenv("CCC_ENDPOINT", endpoint)

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    lines = log_lines(capsys.readouterr().out)

    assert response["statusCode"] == 500
    assert http_body(response)["type"] == "urn:autocallout:problem:misconfigured"
    assert any("CCC_ENDPOINT" in line["message"] for line in lines if line["level"] == "ERROR")
    assert ccc.calls == []


@pytest.mark.parametrize(
    ("endpoint", "kept"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
        (
            "https://ccc.ap-shanghai.tencentcloudapi.com",
            "https://ccc.ap-shanghai.tencentcloudapi.com",
        ),
        ("ccc.internal.example", "https://ccc.internal.example"),
    ],
)
def test_https_anywhere_and_http_on_loopback_are_accepted(endpoint: str, kept: str) -> None:
    from callout_task.config import load_settings

    assert load_settings({"CCC_ENDPOINT": endpoint}).ccc_endpoint == kept


def test_a_ccc_endpoint_with_a_user_and_password_is_refused_without_quoting_them(
    invoke: Invoke,
    ccc: CccBackend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The whole URL, password included, was once quoted in the configuration error's line.
    monkeypatch.setenv("CCC_ENDPOINT", "https://reader:Zq9-hunter2@ccc.internal.example:8443")

    response = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    out = capsys.readouterr().out

    assert response["statusCode"] == 500
    assert "user:password@" in " ".join(_error_lines(out))
    for part in ("reader", "Zq9-hunter2", "ccc.internal.example"):
        assert part not in out
    assert ccc.calls == []
