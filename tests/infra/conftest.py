"""Paths, the parsed infra/ configuration, and the rule for tools that may be missing: skipped
on a developer's machine, a failure in CI (where CI is set)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
# The data sources the module reads (an existing gateway service, SSM secrets, your subnets).
DATA_SOURCES_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-data-sources.json")
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
    with DATA_SOURCES_SCHEMA_FILE.open(encoding="utf-8") as handle:
        data_sources: dict[str, Any] = json.load(handle)
    assert data_sources["source"] == loaded["source"], "every schema file must describe one commit"
    assert not set(data_sources["data_sources"]) & set(loaded["data_sources"])
    loaded["data_sources"] = {**loaded["data_sources"], **data_sources["data_sources"]}
    return loaded


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


@pytest.fixture(scope="session")
def provider_infra(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of infra/ with the real tencentcloud provider installed by `terraform init`
    (without the committed lock file, which records one build: test_provider_plans.py checks
    it separately). Where init cannot install it, every test that needs it is skipped, loudly
    and naming it, in CI too: a machine without the provider runs everything else."""
    copy = tmp_path_factory.mktemp("provider") / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    (copy / ".terraform.lock.hcl").unlink(missing_ok=True)
    result = terraform(copy, "init", "-backend=false")
    if result.returncode != 0:
        reason = " ".join(result.stderr.split())[:400]
        pytest.skip(
            f"SKIPPED: the provider {PROVIDER} (~> 1.83.16) is not installed where `terraform"
            f" init` looks on this machine ({reason}); `python3 infra/check_provider.py` says"
            " how to get it"
        )
    return copy
