"""Paths, the parsed infra/ configuration, and the rule for tools that may be missing: skipped
on a developer's machine, a failure in CI (where CI is set)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.tf_schema_check import Config, load_config

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"  # the working root a newcomer runs
MODULE = INFRA / "modules" / "autocallout"  # what it (and a team's own roots) source
POLICIES = INFRA / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "tencentcloud-provider-schema.json"
# The resources of the operations layer (log index, alarms, notices), same provider commit.
OPERATIONS_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-operations.json")
# The same provider release's schema of the resources the rate limit's store adds (see its README).
STORE_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-rate-limit-store.json")
CHECKOV_VENV = REPO / ".venv-checkov"
CHECKOV = CHECKOV_VENV / "bin" / "checkov"


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


@pytest.fixture(scope="session")
def infra() -> Config:
    """The module: every resource, variable and output infra/ deploys is declared there."""
    return load_config(MODULE)


@pytest.fixture(scope="session")
def schema() -> dict[str, Any]:
    with SCHEMA_FILE.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    with OPERATIONS_SCHEMA_FILE.open(encoding="utf-8") as handle:
        operations: dict[str, Any] = json.load(handle)
    assert operations["source"] == loaded["source"], "both schema files must describe one commit"
    assert not set(operations["resources"]) & set(loaded["resources"])
    loaded["resources"] = {**loaded["resources"], **operations["resources"]}
    with STORE_SCHEMA_FILE.open(encoding="utf-8") as handle:
        store: dict[str, Any] = json.load(handle)
    assert store["source"] == loaded["source"], "every schema file must describe one commit"
    assert not set(store["resources"]) & set(loaded["resources"])
    loaded["resources"] = {**loaded["resources"], **store["resources"]}
    return loaded
