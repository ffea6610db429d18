"""The CLI never prints a traceback: a closed pipe, an out-of-range port and every other bad
argument end in one line on stderr and a non-zero exit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.commands import AUTOCALLOUT, clean_environment, run
from tests.paths import REPO


def _with_stdout_closed(*args: str) -> subprocess.CompletedProcess[str]:
    """Run with standard output a pipe whose reader is already gone (`... | head`, finished)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [AUTOCALLOUT, *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=REPO,
            env=clean_environment(),
            check=False,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "args",
    [
        ["events", "direct", "--sdk-app-id", "1400000000", "--task-id", "3"],
        ["invoke", "events/direct-invoke.json"],
        ["demo"],
        ["serve", "--port", "0"],
    ],
    ids=["events", "invoke", "demo", "serve"],
)
def test_a_closed_standard_output_ends_the_command_with_one_line(args: list[str]) -> None:
    result = _with_stdout_closed(*args)
    assert "Traceback" not in result.stderr
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.endswith("stopped: standard output was closed")


@pytest.mark.parametrize("command", ["serve", "fake-ccc"])
@pytest.mark.parametrize("port", ["99999", "70000", "65536", "-1", "80.5"])
def test_a_port_out_of_range_is_a_one_line_error(command: str, port: str) -> None:
    result = run(command, "--port", port)
    assert result.returncode == 2
    assert "expected a port from 0 to 65535" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _non_utf8(tmp_path: Path) -> str:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"SdkAppId": "\xe9"}')
    return str(path)


BAD_ARGUMENTS = [
    (["serve", "--host", "no-such-host.invalid", "--port", "0"], "cannot listen on"),
    (["fake-ccc", "--host", "256.0.0.1", "--port", "0"], "cannot listen on"),
    (["invoke", "/"], "cannot read /"),
    (["invoke", "{non_utf8}"], "not UTF-8 text"),
    (["invoke", "events/direct-invoke.json", "--tasks", "/"], "no such tasks file"),
    (["invoke", "events/direct-invoke.json", "--tasks", "{non_utf8}"], "not UTF-8 text"),
    (["invoke", "events/direct-invoke.json", "--env-file", "/no/such.env"], "no such file"),
    (["invoke", "events/direct-invoke.json", "--time-limit-ms", "1" + "0" * 30], "900000"),
    (["serve", "--time-limit-ms", "0"], "expected milliseconds from 1 to 900000"),
    (["events", "direct", "--sdk-app-id", "0", "--task-id", "3"], "expected a whole number"),
    (["events", "direct", "--sdk-app-id", "1", "--task-id", "٣"], "expected a whole number"),
    (["demo", "--events", "/no/such/dir"], "no such events folder"),
    (["fake-ccc", "--tasks", "{non_utf8}"], "not UTF-8 text"),
    (["fake-ccc", "--env-file", "/no/such/dir/fake.env", "--port", "0"], "cannot write"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ARGUMENTS)
def test_a_bad_argument_is_a_one_line_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(*(arg.format(non_utf8=_non_utf8(tmp_path)) for arg in args))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


NESTED_TOO_DEEP = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit when parsed


def test_an_event_nested_too_deep_is_a_one_line_error(tmp_path: Path) -> None:
    event = tmp_path / "deep.json"
    event.write_text(NESTED_TOO_DEEP, encoding="utf-8")
    result = run("invoke", str(event))
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert f"{event} is not JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"SdkAppId": "\xe9"}', NESTED_TOO_DEEP.encode()],
    ids=["not-json", "not-utf8", "too-deep"],
)
def test_a_demo_folder_with_an_unreadable_event_is_a_one_line_error(
    tmp_path: Path, content: bytes
) -> None:
    shutil.copy(REPO / "events" / "direct-invoke.json", tmp_path / "direct-invoke.json")
    (tmp_path / "broken.json").write_bytes(content)
    result = run("demo", "--events", str(tmp_path), "--show", "direct-invoke.json")
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"autocallout demo: error: cannot read {tmp_path / 'broken.json'}: ")
    )


def test_a_demo_folder_without_events_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an event", encoding="utf-8")
    result = run("demo", "--events", str(tmp_path), "--show", "notes.txt")
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1].endswith(f"no sample events (*.json) in {tmp_path}")
    )
