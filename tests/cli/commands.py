"""The `autocallout` command run as a user runs it: its real console entry point, in a
subprocess, with an environment that lends it no cloud credentials."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.paths import REPO

AUTOCALLOUT = str(Path(sys.executable).with_name("autocallout"))
CREDENTIAL_VARIABLES = (
    "TENCENTCLOUD_SECRETID",
    "TENCENTCLOUD_SECRETKEY",
    "TENCENTCLOUD_SESSIONTOKEN",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
    "CCC_ENDPOINT",
)


def clean_environment(**extra: str) -> dict[str, str]:
    """The caller's environment without cloud credentials or an endpoint (none leaks in)."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    env.update(extra)
    return env


def drain(process: subprocess.Popen[str]) -> None:
    """Keep reading a server's stdout (its log lines) so that a full pipe never blocks it."""
    assert process.stdout is not None
    threading.Thread(target=process.stdout.read, daemon=True).start()


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUTOCALLOUT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=clean_environment(**env),
        check=False,
    )


@contextlib.contextmanager
def serving(*args: str, **env: str) -> Iterator[tuple[str, str]]:
    """``autocallout serve --port 0 ARGS`` with the environment without credentials plus
    ``env``: yields (function URL, fake CCC URL, empty unless the fake runs), then stops it."""
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=clean_environment(**env),
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    function_url = first.split(" on ", 1)[1].split(",", 1)[0]
    fake_url = first.rsplit(" at ", 1)[1].strip() if "fake CCC at" in first else ""
    drain(process)
    try:
        yield function_url, fake_url
    finally:
        process.terminate()
        process.wait(timeout=10)
