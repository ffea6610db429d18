"""Which CCC a local run calls, and the line on stderr that says so.

The fake by default; a CCC endpoint on this machine (a running ``autocallout fake-ccc``) with
``--ccc-endpoint`` or an env file's ``CCC_ENDPOINT``; real CCC only with ``--live``. Credentials
in the environment alone never make a local run call real CCC: infra/README.md has users export
them to deploy, and a test run should not spend them (or fail on placeholders) by surprise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, FakeCredentials

DEFAULT_ENDPOINT = "https://ccc.tencentcloudapi.com"
CREDENTIAL_VARIABLES = (
    ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
    ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"),
)


class Target(NamedTuple):
    """``endpoint`` None: the fake this process starts; ``live``: real credentials, said so."""

    endpoint: str | None
    credentials: FakeCredentials
    live: bool


def endpoint_url(text: str) -> str:
    """``--ccc-endpoint``'s value: ``http(s)://host[:port]``, nothing else (ValueError)."""
    if "@" in text:
        # user:password@ (no host has an @): never quoted, not even in part, as the function's
        # own CCC_ENDPOINT check does.
        raise ValueError(
            "expected no user name or password (user:password@): the fake and CCC take signed "
            "requests; give http(s)://host[:port] alone (the value is not shown)"
        )
    url = urlsplit(text.strip())
    problem = ""
    if url.scheme not in ("http", "https") or not url.hostname:
        problem = "expected a URL such as http://127.0.0.1:9000"
    elif url.path not in ("", "/") or url.query or url.fragment or url.username:
        problem = "expected only a scheme, a host and a port, such as http://127.0.0.1:9000"
    else:
        try:
            url.port  # noqa: B018 - urlsplit checks the port only when asked for it
        except ValueError:
            problem = "the port must be a number from 0 to 65535"
    if problem:
        raise ValueError(f"{problem}, got {text!r}")
    return text.strip().rstrip("/")


def is_on_this_machine(endpoint: str) -> bool:
    """Whether an endpoint (as CCC_ENDPOINT takes it, scheme optional) is a loopback address."""
    host = urlsplit(endpoint if "://" in endpoint else "https://" + endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials_in(environ: Mapping[str, str]) -> FakeCredentials | None:
    """The credentials the function would read from ``environ`` (its own order), if any."""
    for id_name, key_name, token_name in CREDENTIAL_VARIABLES:
        secret_id = environ.get(id_name, "").strip()
        secret_key = environ.get(key_name, "").strip()
        if secret_id and secret_key:
            return FakeCredentials(
                secret_id, secret_key, environ.get(token_name, "").strip() or None
            )
    return None


def choose(
    *,
    live: bool,
    fake: bool,
    endpoint: str | None,
    env_file: Mapping[str, str],
    environ: Mapping[str, str],
) -> Target:
    """The CCC a run calls, from the options, the env file and the process environment.

    Raises ValueError with the one line to show when the choice cannot be made safely."""
    endpoint = endpoint or (None if fake else env_file.get("CCC_ENDPOINT", "").strip() or None)
    if live:
        credentials = credentials_in({**environ, **env_file})
        if credentials is None:
            raise ValueError(
                "--live needs credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
                " (in the environment or the --env-file)"
            )
        endpoint = endpoint or environ.get("CCC_ENDPOINT", "").strip() or DEFAULT_ENDPOINT
        return Target(endpoint, credentials, live=True)
    if endpoint is None:
        return Target(None, DEFAULT_CREDENTIALS, live=False)
    if not is_on_this_machine(endpoint):
        raise ValueError(
            f"the CCC endpoint {endpoint} is not on this machine: add --live to call it with "
            "your credentials, or --fake to use the fake"
        )
    return Target(endpoint, credentials_in(env_file) or DEFAULT_CREDENTIALS, live=False)


def describe(target: Target, fake_url: str | None = None, seed: str = "") -> str:
    """What ``target`` is, for the line every local command writes on stderr."""
    ending = f"SecretId ending {target.credentials.secret_id[-4:]}"
    if target.live:
        what = "real CCC" if target.endpoint == DEFAULT_ENDPOINT else "CCC"
        return f"{what} at {target.endpoint} (--live), {ending}"
    if target.endpoint is not None:
        return f"the CCC at {target.endpoint} (on this machine, not real CCC), {ending}"
    where = f"at {fake_url}" if fake_url else "in process"
    return f"the fake CCC {where}, seeded with {seed}"


def unused_credentials_note(target: Target, environ: Mapping[str, str]) -> str:
    """A reminder when exported credentials are set aside because --live was not given."""
    if target.live or credentials_in(environ) is None:
        return ""
    return " (the credentials in your environment are used only with --live)"


def seed_summary(keys: Iterable[tuple[int, int]]) -> str:
    """``SdkAppId 1400000000: tasks 1, 3-8; SdkAppId 1400000001: task 1``."""
    by_app: dict[int, list[int]] = {}
    for sdk_app_id, task_id in sorted(keys):
        by_app.setdefault(sdk_app_id, []).append(task_id)
    if not by_app:
        return "no tasks"
    parts = []
    for sdk_app_id, task_ids in by_app.items():
        noun = "task" if len(task_ids) == 1 else "tasks"
        parts.append(f"SdkAppId {sdk_app_id}: {noun} {_ranges(task_ids)}")
    return "; ".join(parts)


def _ranges(numbers: list[int]) -> str:
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
