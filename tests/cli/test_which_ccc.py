"""Every local command says on stderr which CCC it calls; real CCC only with --live; a running
`autocallout fake-ccc` pairs with `serve`/`invoke` out of the box."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from autocallout.local_target import choose
from tests.cli.commands import AUTOCALLOUT, clean_environment, run, serving
from tests.paths import REPO

EXPORTED = {"TENCENTCLOUD_SECRET_ID": "AKIDPLACEHOLDERabcd", "TENCENTCLOUD_SECRET_KEY": "x"}
SEED = "SdkAppId 1400000000: tasks 1, 3-8; SdkAppId 1400000001: task 1"


def _said(stderr: str, command: str) -> str:
    """The line a command writes about the CCC it calls."""
    [line] = [line for line in stderr.splitlines() if line.startswith(f"autocallout {command}: ")]
    return line


@contextlib.contextmanager
def fake_ccc(*args: str) -> Iterator[tuple[str, list[str]]]:
    """`autocallout fake-ccc --port 0 ARGS`, without credentials in its environment: yields its
    URL and its start text, then stops it."""
    process = subprocess.Popen(
        [AUTOCALLOUT, "fake-ccc", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=clean_environment(),
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("control API"):
            break
    try:
        yield lines[0].split(" on ", 1)[1].split(" ", 1)[0], lines
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_invoke_says_it_calls_the_in_process_fake_and_its_tasks() -> None:
    result = run("invoke", "events/direct-invoke.json")
    assert result.returncode == 0
    assert _said(result.stderr, "invoke") == (
        f"autocallout invoke: calling the fake CCC in process, seeded with {SEED}"
    )


def test_exported_credentials_alone_do_not_make_invoke_call_real_ccc() -> None:
    # Given credentials exported as infra/README.md asks before deploying
    # When invoke runs without --live
    result = run("invoke", "events/direct-invoke.json", **EXPORTED)
    # Then the fake answers, and the line says the credentials were set aside
    assert result.returncode == 0
    assert json.loads(result.stdout)["task_id"] == 3
    said = _said(result.stderr, "invoke")
    assert "the fake CCC in process" in said
    assert "the credentials in your environment are used only with --live" in said


def test_live_names_real_ccc_and_the_last_four_characters_of_the_secret_id() -> None:
    # serve makes no call before a request arrives, so this never reaches Tencent Cloud.
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0", "--live"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=clean_environment(**EXPORTED),
    )
    try:
        assert process.stderr is not None
        said = process.stderr.readline().rstrip("\n")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert said == (
        "autocallout serve: calling real CCC at https://ccc.tencentcloudapi.com (--live), "
        "SecretId ending abcd"
    )
    assert "AKIDPLACEHOLDER" not in said


def test_serve_says_it_calls_the_fake_on_loopback() -> None:
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=clean_environment(),
    )
    try:
        assert process.stderr is not None
        said = process.stderr.readline().rstrip("\n")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert re.fullmatch(
        rf"autocallout serve: calling the fake CCC at http://127\.0\.0\.1:\d+, seeded with {SEED}",
        said,
    )


def test_demo_says_it_calls_the_in_process_fake() -> None:
    result = run("demo")
    assert result.returncode == 0
    assert _said(result.stderr, "demo") == (
        f"autocallout demo: calling the fake CCC in process, seeded with {SEED}"
    )


def test_an_endpoint_off_this_machine_needs_live() -> None:
    result = run("invoke", "events/direct-invoke.json", "--ccc-endpoint", "https://ccc.example.com")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "autocallout invoke: error: the CCC endpoint https://ccc.example.com is not on this "
        "machine: add --live to call it with your credentials, or --fake to use the fake"
    )


@pytest.mark.parametrize(
    "host",
    [
        "localhost.evil.net",  # starts with localhost
        "localhostx",
        "evil-localhost",  # ends with it
        "my.localhost.evil.net",
        "127.0.0.1.evil.net",  # starts with a loopback address
        "127.evil.net",
        "1127.0.0.1",
        "0.0.0.0",  # noqa: S104 - every address of this machine, reachable from others
        "[::]",
        "[::2]",
        "2130706433",  # 127.0.0.1 as one number: not an address ipaddress reads
    ],
)
def test_an_endpoint_that_only_resembles_this_machine_needs_live(host: str) -> None:
    for endpoint in (f"http://{host}:9000", f"{host}:9000"):
        with pytest.raises(ValueError, match="is not on this machine: add --live"):
            choose(live=False, fake=False, endpoint=endpoint, env_file={}, environ={})


@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:9000", "http://127.9.9.9:9000", "LOCALHOST:9000", "http://[::1]:9000"],
)
def test_an_endpoint_on_this_machine_is_called_without_live(endpoint: str) -> None:
    target = choose(live=False, fake=False, endpoint=endpoint, env_file={}, environ={})
    assert (target.endpoint, target.live) == (endpoint, False)


def test_serve_with_the_endpoint_of_a_running_fake_answers_out_of_the_box() -> None:
    # Given `autocallout fake-ccc` as README shows it, and no credentials exported
    with fake_ccc() as (fake_url, _), serving("--ccc-endpoint", fake_url) as (url, _):
        # When the function served against it is asked for a task
        answer = requests.get(url, params={"SdkAppId": "1400000000", "TaskId": "3"}, timeout=10)
    # Then the fake answers it: its default temporary credentials went along
    assert answer.status_code == 200
    assert answer.json()["name"] == "任务1"


def test_invoke_says_which_endpoint_and_secret_id_it_calls() -> None:
    with fake_ccc() as (fake_url, _):
        result = run("invoke", "events/direct-invoke.json", "--ccc-endpoint", fake_url)
    assert result.returncode == 0
    assert _said(result.stderr, "invoke") == (
        f"autocallout invoke: calling the CCC at {fake_url} (on this machine, not real CCC), "
        "SecretId ending 0000"
    )


def test_a_fake_with_its_own_credentials_pairs_through_its_env_file(tmp_path: Path) -> None:
    # Given a fake that accepts only its own temporary credentials and writes them to a file
    env_file = tmp_path / "fake.env"
    own = ("--secret-id", "AKIDMINE0001", "--secret-key", "mine", "--token", "tok")
    with fake_ccc(*own, "--env-file", str(env_file)) as (fake_url, start_text):
        # When invoke takes that file
        result = run("invoke", "events/direct-invoke.json", "--env-file", str(env_file))
    # Then the start text said how, and the call went through with those credentials
    assert f"use it: autocallout serve --env-file {env_file}" in "\n".join(start_text)
    assert result.returncode == 0, result.stderr
    assert _said(result.stderr, "invoke").endswith("SecretId ending 0001")
    assert f"CCC_ENDPOINT={fake_url}" in env_file.read_text()


def test_fake_and_an_endpoint_contradict_each_other() -> None:
    result = run(
        "invoke", "events/direct-invoke.json", "--fake", "--ccc-endpoint", "http://127.0.0.1:9"
    )
    assert result.returncode == 2
    assert "--fake and --ccc-endpoint contradict each other" in result.stderr


@pytest.mark.parametrize("command", ["invoke", "serve"])
@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("notaurl", "expected a URL such as http://127.0.0.1:9000"),
        ("ftp://127.0.0.1:9000", "expected a URL such as"),
        ("http://127.0.0.1:9000/path", "only a scheme, a host and a port"),
        ("http://127.0.0.1:99999", "port must be a number from 0 to 65535"),
    ],
)
def test_an_endpoint_that_is_not_a_url_is_refused(
    command: str, endpoint: str, message: str
) -> None:
    event = ["events/direct-invoke.json"] if command == "invoke" else []
    result = run(command, "--ccc-endpoint", endpoint, *event)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["invoke", "serve"])
@pytest.mark.parametrize(
    "endpoint",
    ["http://user:s3cretPW@127.0.0.1:9000", "https://:s3cretPW@ccc.example.com", "s3cretPW@x"],
)
def test_an_endpoint_with_a_password_is_refused_without_quoting_it(
    command: str, endpoint: str
) -> None:
    event = ["events/direct-invoke.json"] if command == "invoke" else []
    result = run(command, "--ccc-endpoint", endpoint, *event)
    assert result.returncode == 2
    assert "user name or password" in result.stderr
    assert "s3cretPW" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "where", [["--ccc-endpoint", "http://127.0.0.1:9"], ["--live"]], ids=["endpoint", "live"]
)
def test_tasks_for_a_fake_that_is_not_started_are_refused(where: list[str]) -> None:
    result = run("invoke", "events/direct-invoke.json", "--tasks", "README.md", *where, **EXPORTED)
    assert result.returncode == 2
    assert "--tasks seeds the fake this command starts" in result.stderr


def test_invoke_with_an_endpoint_where_nothing_listens_asks_whether_the_fake_runs() -> None:
    with fake_ccc() as (url, _):
        pass  # a port that was just free, and is again
    result = run("invoke", "events/direct-invoke.json", "--ccc-endpoint", url)
    port = url.rsplit(":", 1)[1]
    assert result.returncode == 2
    assert result.stderr == (
        f"autocallout invoke: error: nothing listens at {url}: is the fake running? "
        f"(autocallout fake-ccc --port {port})\n"
    )


def test_serve_with_an_endpoint_where_nothing_listens_warns_and_starts() -> None:
    with fake_ccc() as (url, _):
        pass
    process = subprocess.Popen(
        [AUTOCALLOUT, "serve", "--port", "0", "--ccc-endpoint", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=clean_environment(),
    )
    said: list[str] = []
    try:
        assert process.stdout is not None
        assert process.stderr is not None
        for line in process.stderr:  # up to the line that names the CCC it calls
            said.append(line)
            if line.startswith("autocallout serve: calling"):
                break
        started = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert started.startswith("function (function-url events) on http://127.0.0.1:")
    assert said[0].startswith(f"autocallout serve: warning: nothing listens at {url}: is the fake")
