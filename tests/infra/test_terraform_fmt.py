"""infra/ is formatted the way `terraform fmt` writes it."""

from __future__ import annotations

import os
import subprocess

from tests.infra.paths import FIXTURES, INFRA
from tests.infra.tools import terraform_binary


def _fmt_check(directory: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        [str(terraform_binary()), "fmt", "-check", "-recursive", "-no-color", directory],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_infra_is_terraform_formatted() -> None:
    # Given the infra/ directory
    # When terraform checks its formatting
    result = _fmt_check(str(INFRA))
    # Then no file needs rewriting
    assert result.returncode == 0, f"run `terraform fmt -recursive infra/`:\n{result.stdout}"


def test_test_fixtures_are_terraform_formatted() -> None:
    result = _fmt_check(str(FIXTURES))
    assert result.returncode == 0, f"run `terraform fmt -recursive`:\n{result.stdout}"
