"""A watch target's URL and signing secret, read from SSM with the function's role.

The secret named by the target (``name:version``) holds the URL alone, or a JSON object
``{"url": "https://…", "secret": "…"}`` when the target signs. Values are kept per instance for
``CACHE_SECONDS`` (a rotated secret is a new version, and a new version is a new name in the
timer's Message), so a tick costs no SSM call once the instance is warm.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from callout_task.redis_password import read_redis_password
from callout_task.redis_wire import StoreError
from callout_task.watch_config import TargetSpec
from callout_task.watch_targets import Target, TargetError, checked_target

Resolver = Callable[[TargetSpec, float], Target]

CACHE_SECONDS = 300.0
_cache: dict[tuple[str, str], tuple[float, str]] = {}
_lock = threading.Lock()


def secret_text(secret: tuple[str, str], region: str, timeout: float) -> str:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(secret)
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        # The SSM read the rate limit's Redis password uses: one GetSecretValue, role-signed.
        value = read_redis_password(secret, region, timeout)
    except StoreError as error:
        raise TargetError(str(error).replace("the Redis password", "a watch target")) from None
    with _lock:
        _cache[secret] = (now + CACHE_SECONDS, value)
    return value


def target_from_text(spec: TargetSpec, text: str) -> Target:
    """The target from its secret's text: a URL, or ``{"url": …, "secret": …}``."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            raise TargetError(f"target {spec.name}: its SSM secret is not valid JSON") from None
        url, signing = value.get("url"), value.get("secret")
        if not isinstance(url, str) or not (signing is None or isinstance(signing, str)):
            raise TargetError(
                f'target {spec.name}: its SSM secret must be {{"url": "…", "secret": "…"}}'
            )
        return checked_target(spec, url, signing)
    return checked_target(spec, text, None)


def resolve_from_ssm(region: str) -> Resolver:
    def resolve(spec: TargetSpec, timeout: float) -> Target:
        return target_from_text(spec, secret_text(spec.secret, region, timeout))

    return resolve


def forget() -> None:
    with _lock:
        _cache.clear()
