"""Instance configuration: every environment variable the function reads, validated once.

SCF sets the execution role's credentials itself (see ``credentials``); everything here is the
user's to set, in Terraform (``infra/modules/autocallout/settings.tf``) and in
``serverless.yml``. An empty value means "use the default". ``CCC_ENDPOINT`` is https, or http
to loopback only; on loopback (the local fake, which answers STS too) the STS calls of
``CCC_ROLE_ARN`` go there as well.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from callout_task.redis_wire import RedisAddress, parse_redis_url

# The user-settable variables, in the order a reader meets them in infra/ and serverless.yml.
ENVIRONMENT_VARIABLES: tuple[str, ...] = (
    "CCC_REGION",
    "CCC_ENDPOINT",
    "CCC_ROLE_ARN",
    "ALLOWED_SDK_APP_IDS",
    "RATE_LIMIT_QPS",
    "RATE_LIMIT_BURST",
    "RATE_LIMIT_REDIS_URL",
    "RATE_LIMIT_REDIS_PASSWORD_SECRET",
    "RATE_LIMIT_REDIS_KEY",
    "RATE_LIMIT_REDIS_TIMEOUT_SECONDS",
    "RETRY_MAX_ATTEMPTS",
    "TIME_BUDGET_SECONDS",
    "CORS_ALLOW_ORIGINS",
    "LOG_LEVEL",
)

# A name that starts like the function's own variables but is none of them is most likely a typo
# (ALLOWED_SDK_APPIDS: the allowlist silently not applied): the instance logs a WARNING at start,
# and the local CLI refuses it.
VARIABLE_PREFIXES = (
    "CCC_",
    "ALLOWED_SDK",
    "RATE_LIMIT",
    "RETRY_",
    "TIME_BUDGET",
    "CORS_",
    "LOG_LEVEL",
)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
UPSTREAM_QPS_LIMIT = 20.0  # DescribeAutoCalloutTask's documented default limit per account
# The slowest limit taken (one call every 1 000 s): far below it the shared limit's numbers
# overflow Redis's expiry and every check failed open; 0 switches the limit off.
MIN_RATE_LIMIT_QPS = 0.001
# The limit is CCC's, per account: deployments reading one account through one Redis share it.
DEFAULT_REDIS_KEY = "autocallout:ccc-rate"
_SECRET_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class ConfigurationError(ValueError):
    """An environment variable holds a value the function cannot use."""


class Settings(NamedTuple):
    ccc_region: str = ""
    ccc_endpoint: str = ""
    ccc_role_arn: str = ""
    allowed_sdk_app_ids: frozenset[int] = frozenset()
    rate_limit_qps: float = UPSTREAM_QPS_LIMIT
    rate_limit_burst: int = 20
    rate_limit_redis: RedisAddress | None = None
    rate_limit_redis_password_secret: tuple[str, str] | None = None  # (SSM secret, version)
    rate_limit_redis_key: str = DEFAULT_REDIS_KEY
    rate_limit_redis_timeout_seconds: float = 0.1
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
    if "@" in raw:
        # user:password@ (no host has an @): never quoted, not even in part.
        raise ConfigurationError(
            "CCC_ENDPOINT must not carry a user name or password (user:password@): requests "
            "are signed with the function's credentials; give https://host[:port] alone "
            "(its value is not shown)"
        )
    parts = urlsplit(raw if "://" in raw else "https://" + raw)
    try:
        port = parts.port  # raises ValueError for a port that is not one
    except ValueError:
        port = 0
    if port == 0:  # ":0" too: no port to call (the transport would take it for none given)
        raise ConfigurationError(f"CCC_ENDPOINT has an invalid port: {raw!r}")
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


def _redis(env: Mapping[str, str]) -> RedisAddress | None:
    url = env.get("RATE_LIMIT_REDIS_URL", "").strip()
    if not url:
        return None
    try:
        return parse_redis_url(url)
    except ValueError as error:
        # The URL may hold a password: the message names what is wrong, never the value.
        raise ConfigurationError(f"RATE_LIMIT_REDIS_URL {error}") from None


def _secret(env: Mapping[str, str]) -> tuple[str, str] | None:
    raw = env.get("RATE_LIMIT_REDIS_PASSWORD_SECRET", "").strip()
    if not raw:
        return None
    name, _, version = raw.partition(":")
    if not (_SECRET_PART.fullmatch(name) and _SECRET_PART.fullmatch(version)):
        raise ConfigurationError(
            f"RATE_LIMIT_REDIS_PASSWORD_SECRET must be <SSM secret name>:<version id>, got {raw!r}"
        )
    if not env.get("RATE_LIMIT_REDIS_URL", "").strip():
        raise ConfigurationError(
            "RATE_LIMIT_REDIS_PASSWORD_SECRET is set but RATE_LIMIT_REDIS_URL is not"
        )
    return name, version


def closest_variable(name: str) -> str | None:
    """The function's variable that ``name`` most likely misspells, if one is close enough."""
    import difflib  # only when a name looks wrong: off the cold path

    close = difflib.get_close_matches(name.upper(), ENVIRONMENT_VARIABLES, n=1, cutoff=0.75)
    return close[0] if close else None


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """Names in ``environ`` with the function's prefixes (any case) that it does not read, each
    with the one it probably means: ``ALLOWED_SDK_APPIDS (did you mean ALLOWED_SDK_APP_IDS?)``."""
    found = []
    for name in sorted(environ):
        if name not in ENVIRONMENT_VARIABLES and name.upper().startswith(VARIABLE_PREFIXES):
            meant = closest_variable(name)
            found.append(f"{name} (did you mean {meant}?)" if meant else name)
    return found


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check the configuration; raises ConfigurationError naming the bad variable."""
    env = os.environ if environ is None else environ
    allowed: set[int] = set()
    for item in _list(env, "ALLOWED_SDK_APP_IDS"):
        if not (item.isascii() and item.isdigit()) or not 1 <= int(item) <= 2**63 - 1:
            raise ConfigurationError(
                f"ALLOWED_SDK_APP_IDS must be a comma-separated list of SdkAppIds, got {item!r}"
            )
        allowed.add(int(item))
    qps = _number(env, "RATE_LIMIT_QPS", UPSTREAM_QPS_LIMIT, 0.0, 10_000.0)
    if 0 < qps < MIN_RATE_LIMIT_QPS:
        raise ConfigurationError(
            f"RATE_LIMIT_QPS must be 0 (off) or from {MIN_RATE_LIMIT_QPS:g} (one call every "
            f"{1 / MIN_RATE_LIMIT_QPS:g} s) to 10000, got {env['RATE_LIMIT_QPS'].strip()!r}"
        )
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
        rate_limit_redis=_redis(env),
        rate_limit_redis_password_secret=_secret(env),
        rate_limit_redis_key=env.get("RATE_LIMIT_REDIS_KEY", "").strip() or DEFAULT_REDIS_KEY,
        rate_limit_redis_timeout_seconds=_number(
            env, "RATE_LIMIT_REDIS_TIMEOUT_SECONDS", 0.1, 0.001, 1.0
        ),
        retry_max_attempts=_whole(env, "RETRY_MAX_ATTEMPTS", 3, 1, 10),
        time_budget_seconds=_number(env, "TIME_BUDGET_SECONDS", 3.0, 0.1, 900.0),
        cors_allow_origins=_list(env, "CORS_ALLOW_ORIGINS"),
        log_level=level,
    )
