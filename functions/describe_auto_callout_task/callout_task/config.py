"""Instance configuration: every environment variable the function reads, validated once.

SCF sets the execution role's credentials itself (see ``credentials``); everything here is the
user's to set, in Terraform (``infra/function.tf``) and in ``serverless.yml``. An empty value
means "use the default". ``CCC_ENDPOINT`` is https, or http to loopback only; on loopback (the
local fake, which answers STS too) the STS calls of ``CCC_ROLE_ARN`` go there as well.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

# The user-settable variables, in the order a reader meets them in infra/ and serverless.yml.
ENVIRONMENT_VARIABLES: tuple[str, ...] = (
    "CCC_REGION",
    "CCC_ENDPOINT",
    "CCC_ROLE_ARN",
    "ALLOWED_SDK_APP_IDS",
    "RATE_LIMIT_QPS",
    "RATE_LIMIT_BURST",
    "RETRY_MAX_ATTEMPTS",
    "TIME_BUDGET_SECONDS",
    "CORS_ALLOW_ORIGINS",
    "LOG_LEVEL",
)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
UPSTREAM_QPS_LIMIT = 20.0  # DescribeAutoCalloutTask's documented default limit per account


class ConfigurationError(ValueError):
    """An environment variable holds a value the function cannot use."""


class Settings(NamedTuple):
    ccc_region: str = ""
    ccc_endpoint: str = ""
    ccc_role_arn: str = ""
    allowed_sdk_app_ids: frozenset[int] = frozenset()
    rate_limit_qps: float = UPSTREAM_QPS_LIMIT
    rate_limit_burst: int = 20
    retry_max_attempts: int = 3
    time_budget_seconds: float = 3.0
    cors_allow_origins: tuple[str, ...] = ()
    log_level: str = "INFO"


def _number(
    environ: Mapping[str, str], name: str, default: float, low: float, high: float
) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None
    if not (low <= value <= high) or math.isnan(value):
        raise ConfigurationError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def _whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _number(environ, name, default, low, high)
    if value != int(value):
        raise ConfigurationError(f"{name} must be a whole number, got {environ[name]!r}")
    return int(value)


def _list(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in environ.get(name, "").split(",") if item.strip())


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: this machine, where the local fake CCC listens."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _endpoint(raw: str) -> str:
    """CCC_ENDPOINT as ``scheme://host[:port]``: https, or plain http to loopback only (the
    local fake) - the requests carry the role's session token, which must not cross a network
    in cleartext."""
    if not raw:
        return ""
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        raise ConfigurationError(f"CCC_ENDPOINT has an invalid port: {raw!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise ConfigurationError(
            f"CCC_ENDPOINT must be https://host[:port] (http only on loopback), got {raw!r}"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ConfigurationError(f"CCC_ENDPOINT must name a host, without a path: {raw!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            "CCC_ENDPOINT may use plain http only on loopback (the local fake): the session "
            f"token would cross the network in cleartext; use https://{parts.netloc}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check the configuration; raises ConfigurationError naming the bad variable."""
    env = os.environ if environ is None else environ
    allowed: set[int] = set()
    for item in _list(env, "ALLOWED_SDK_APP_IDS"):
        if not item.isdigit() or not 1 <= int(item) <= 2**63 - 1:
            raise ConfigurationError(
                f"ALLOWED_SDK_APP_IDS must be a comma-separated list of SdkAppIds, got {item!r}"
            )
        allowed.add(int(item))
    qps = _number(env, "RATE_LIMIT_QPS", UPSTREAM_QPS_LIMIT, 0.0, 10_000.0)
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return Settings(
        ccc_region=env.get("CCC_REGION", "").strip(),
        ccc_endpoint=_endpoint(env.get("CCC_ENDPOINT", "").strip()),
        ccc_role_arn=env.get("CCC_ROLE_ARN", "").strip(),
        allowed_sdk_app_ids=frozenset(allowed),
        rate_limit_qps=qps,
        rate_limit_burst=_whole(env, "RATE_LIMIT_BURST", max(1, math.ceil(qps)), 1, 10_000),
        retry_max_attempts=_whole(env, "RETRY_MAX_ATTEMPTS", 3, 1, 10),
        time_budget_seconds=_number(env, "TIME_BUDGET_SECONDS", 3.0, 0.1, 900.0),
        cors_allow_origins=_list(env, "CORS_ALLOW_ORIGINS"),
        log_level=level,
    )
