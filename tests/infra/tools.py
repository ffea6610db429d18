"""The tools infra's checks run (terraform, checkov, redis-server...) and the rule for one that
may be missing: skipped on a developer's machine, a failure in CI (where CI is set)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra.paths import CHECKOV, CHECKOV_VENV


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_tool(path: Path | None, what: str, how: str, *needs: Path) -> Path:
    """The tool's path; without it (or without what it ``needs``), skip locally, fail in CI."""
    if path is not None and path.exists() and all(need.exists() for need in needs):
        return path
    message = f"{what} is not installed ({how})"
    if in_ci():
        pytest.fail(f"{message}: CI must run this check")
    pytest.skip(message)


def terraform_binary() -> Path:
    found = shutil.which("terraform")
    return require_tool(Path(found) if found else None, "terraform", "install Terraform >= 1.10")


def checkov_binary() -> Path:
    # The script runs on its virtualenv's interpreter: a venv whose Python is gone is missing too.
    return require_tool(
        CHECKOV,
        f"checkov's virtualenv {CHECKOV_VENV}",
        "make .venv-checkov",
        CHECKOV_VENV / "bin" / "python",
    )


PROVIDER = "registry.terraform.io/tencentcloudstack/tencentcloud"


def terraform(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The real terraform in ``directory``, with this machine's own CLI configuration: the
    provider is found wherever `terraform init` finds it here."""
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    return subprocess.run(
        [str(terraform_binary()), f"-chdir={directory}", *arguments, "-no-color"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )


def terraform_without_provider(
    directory: Path, *arguments: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real terraform in ``directory`` with no CLI configuration of this machine's (none of
    its provider mirrors): for the checks that need no provider, the module's region set."""
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": os.devnull,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        # The module's one input without a default (its root passes the provider's region).
        "TF_VAR_region": "ap-guangzhou",
    }
    return subprocess.run(
        [str(terraform_binary()), f"-chdir={directory}", *arguments, "-no-color"],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        check=False,
        timeout=300,
    )
