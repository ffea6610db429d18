"""Running the function in this process, on the fake CCC or on real credentials.

``fake_environment`` is what the fake means everywhere in the CLI: its credentials in the
variables SCF would set for an execution role, and CCC calls answered by the fake. Which CCC a
command calls is chosen in ``local_target``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCredentials

ROLE_VARIABLES = ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN")
LOCAL_VARIABLES = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
# The time limit every local run gives the function, as SCF's context gives it: the deployed
# function's, infra's default `timeout` of 10 s (a test holds the two together), so that a local
# run times out where the cloud would. `--time-limit-ms` sets another.
DEFAULT_TIME_LIMIT_MS = 10_000


def seeded_backend(tasks: str | None) -> CccBackend:
    """The fake's backend with the default credentials and the bundled seed, or ``tasks``."""
    if tasks is not None and not Path(tasks).is_file():
        raise FileNotFoundError(tasks)
    return CccBackend.seeded(tasks)


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``values`` set (None: unset) for the block, then as it was."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fake_environment(
    credentials: FakeCredentials = DEFAULT_CREDENTIALS, endpoint: str | None = None
) -> contextlib.AbstractContextManager[None]:
    """Role variables set to the fake's credentials; CCC_ENDPOINT set to ``endpoint`` or unset."""
    values: dict[str, str | None] = dict.fromkeys(
        (*ROLE_VARIABLES, *LOCAL_VARIABLES, "TENCENTCLOUD_SESSION_TOKEN", "CCC_ENDPOINT")
    )
    values.update(
        TENCENTCLOUD_SECRETID=credentials.secret_id,
        TENCENTCLOUD_SECRETKEY=credentials.secret_key,
        TENCENTCLOUD_SESSIONTOKEN=credentials.token,
        CCC_ENDPOINT=endpoint,
    )
    return patched_environ(values)


def status_of(answer: Any) -> int:
    """The HTTP-like status of an answer, whatever the trigger's shape; timers: the worst."""
    if isinstance(answer, dict) and isinstance(answer.get("statusCode"), int):
        return int(answer["statusCode"])
    if isinstance(answer, dict) and isinstance(answer.get("results"), list):
        return max((status_of(result) for result in answer["results"]), default=200)
    if isinstance(answer, dict) and isinstance(answer.get("status"), int) and "type" in answer:
        return int(answer["status"])
    return 200


def trigger_of(event: Any) -> str:
    from callout_task.events import detect

    return detect(event)
