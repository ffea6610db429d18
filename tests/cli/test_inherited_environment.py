"""The environment a local run inherits from the shell is checked as `--env-file` is: a name the
function does not read but looks like one of its own, or a value it would refuse, is one line
before anything runs (not a setting silently skipped, nor a 500 at the first request)."""

from __future__ import annotations

import json

import pytest

from tests.cli.commands import run

COMMANDS = [["invoke", "events/direct-invoke.json"], ["serve", "--port", "0"], ["demo"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_misspelled_variable_is_refused_naming_the_one_meant(command: list[str]) -> None:
    result = run(*command, ALLOWED_SDK_APPIDS="1400000001")

    assert result.returncode == 2
    assert result.stderr == (
        f"autocallout {command[0]}: error: your environment sets ALLOWED_SDK_APPIDS (did you mean "
        "ALLOWED_SDK_APP_IDS?): the function does not read it (correct the name, or unset it)\n"
    )


@pytest.mark.parametrize("command", [COMMANDS[0], COMMANDS[2]], ids=lambda command: command[0])
def test_a_misspelled_prefix_is_named_with_the_variable_meant(command: list[str]) -> None:
    # Outside the function's prefixes the name may be another program's: a note, and the run goes on
    result = run(*command, ALOWED_SDK_APP_IDS="1400000000")

    assert (
        f"autocallout {command[0]}: note: your environment sets ALOWED_SDK_APP_IDS, which the "
        "function does not read (did you mean ALLOWED_SDK_APP_IDS?)\n"
    ) in result.stderr
    assert result.returncode == 0


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_value_the_function_would_refuse_is_refused_at_once(command: list[str]) -> None:
    result = run(*command, RATE_LIMIT_QPS="abc")

    assert result.returncode == 2
    assert result.stderr == (
        f"autocallout {command[0]}: error: your environment: RATE_LIMIT_QPS must be a number, "
        "got 'abc'\n"
    )


def test_a_variable_spelled_right_applies() -> None:
    result = run("invoke", "events/direct-invoke.json", ALLOWED_SDK_APP_IDS="1400000001")

    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == 403
