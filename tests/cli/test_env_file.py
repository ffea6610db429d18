"""`--env-file FILE`: a local run with the configuration the cloud has (NAME=value lines)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

from tests.cli.commands import run, serving
from tests.infra.tools import terraform_binary


def _env_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "deployed.env"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _status(result_stdout: str) -> int:
    answer = json.loads(result_stdout)
    return int(answer.get("status", answer.get("statusCode", 200)))


def test_the_allowlist_of_the_file_applies(tmp_path: Path) -> None:
    # Given the deployed allowlist, which does not hold the sample's SdkAppId
    env_file = _env_file(tmp_path, "# from terraform\nALLOWED_SDK_APP_IDS=1400000001\n")
    # When the sample is invoked with it
    result = run("invoke", "events/direct-invoke.json", "--env-file", env_file)
    # Then the function refuses it as the deployed one would
    assert result.returncode == 1
    assert _status(result.stdout) == 403


def test_without_the_file_the_same_event_is_answered(tmp_path: Path) -> None:
    result = run("invoke", "events/direct-invoke.json")
    assert _status(result.stdout) == 200


def test_a_role_to_assume_is_known_to_the_fake(tmp_path: Path) -> None:
    role = "qcs::cam::uin/100000000001:roleName/ccc-reader"
    env_file = _env_file(tmp_path, f"CCC_ROLE_ARN={role}\nRATE_LIMIT_QPS=2\n")
    result = run("invoke", "events/direct-invoke.json", "--env-file", env_file)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "RATE_LIMT_QPS=2\n",
            "line 1: RATE_LIMT_QPS is not a variable the function reads"
            " (did you mean RATE_LIMIT_QPS?)",
        ),
        ("", "the file is empty (when terraform output fails"),
        ("LOG_LEVEL=INFO\nnot a setting\n", "line 2: expected NAME=value, got 'not a setting'"),
        ("LOG_LEVEL=INFO\nLOG_LEVEL=DEBUG\n", "line 2: LOG_LEVEL is set twice"),
        ("RATE_LIMIT_QPS=fast\n", "RATE_LIMIT_QPS"),
        ("ALLOWED_SDK_APP_IDS=14OO\n", "ALLOWED_SDK_APP_IDS must be a comma-separated list"),
        # systemd would strip the quotes, docker keeps them: either way one reading is wrong
        ('CORS_ALLOW_ORIGINS="https://app.example"\n', "line 1: CORS_ALLOW_ORIGINS is quoted"),
        ("CCC_REGION='ap-guangzhou'\n", "line 1: CCC_REGION is quoted"),
    ],
)
def test_a_bad_file_is_a_one_line_error_naming_what_is_wrong(
    tmp_path: Path, text: str, message: str
) -> None:
    env_file = _env_file(tmp_path, text)
    result = run("invoke", "events/direct-invoke.json", "--env-file", env_file)
    assert result.returncode == 2
    assert result.stderr.startswith(f"autocallout invoke: error: --env-file {env_file}: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_remote_endpoint_in_the_file_needs_live_or_fake(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path, "CCC_ENDPOINT=ccc.ap-guangzhou.tencentcloudapi.com\n")
    refused = run("invoke", "events/direct-invoke.json", "--env-file", env_file)
    faked = run("invoke", "events/direct-invoke.json", "--env-file", env_file, "--fake")
    assert refused.returncode == 2
    assert "is not on this machine: add --live" in refused.stderr
    assert faked.returncode == 0
    assert "calling the fake CCC in process" in faked.stderr


def test_serve_takes_the_file_too(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path, "ALLOWED_SDK_APP_IDS=1400000001\n")
    with serving("--env-file", env_file) as (url, _):
        refused = requests.get(url, params={"SdkAppId": "1400000000", "TaskId": "3"}, timeout=10)
        allowed = requests.get(url, params={"SdkAppId": "1400000001", "TaskId": "1"}, timeout=10)
    assert (refused.status_code, allowed.status_code) == (403, 200)


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Some Windows editors start UTF-8 files with U+FEFF, invisible on screen.
    env_file = _env_file(tmp_path, "\ufeffALLOWED_SDK_APP_IDS=1400000001\n")
    result = run("invoke", "events/direct-invoke.json", "--env-file", env_file)
    assert result.returncode == 1
    assert _status(result.stdout) == 403


@pytest.mark.parametrize("colour", [[], ["-no-color"]], ids=["coloured", "no-color"])
def test_terraform_output_before_any_apply_says_apply_first(
    tmp_path: Path, colour: list[str]
) -> None:
    # Given what `terraform output -raw local_env > FILE` writes before anything is applied: its
    # "No outputs found" warning (on stdout, exit status 0), from the real terraform: framed and
    # coloured, or (-no-color, as CI scripts often run it) the headline alone
    (tmp_path / "outputs.tf").write_text('output "local_env" {\n  value = "LOG_LEVEL=INFO"\n}\n')
    written = subprocess.run(
        [terraform_binary(), f"-chdir={tmp_path}", "output", *colour, "-raw", "local_env"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"No outputs found" in written
    env_file = tmp_path / "deployed.env"
    env_file.write_bytes(written)
    # When a local run reads it
    result = run("invoke", "events/direct-invoke.json", "--env-file", str(env_file))
    # Then one plain line says what it is and what to do
    assert result.returncode == 2
    assert result.stderr == (
        f"autocallout invoke: error: --env-file {env_file}: Terraform wrote its warning "
        '"No outputs found" here: infra/ has no outputs yet. Apply it first (terraform -chdir=infra'
        " apply), then write the file again (terraform -chdir=infra output -raw local_env > FILE)\n"
    )
