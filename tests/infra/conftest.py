"""Fixtures of infra's checks: the parsed module, the provider's schema, and a scratch infra/
with the real provider installed (where `terraform init` can install it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.paths import (
    DATA_SOURCES_SCHEMA_FILE,
    INFRA,
    MODULE,
    OPERATIONS_SCHEMA_FILE,
    SCHEMA_FILE,
    STORE_SCHEMA_FILE,
)
from tests.infra.tf_schema_check import Config, load_config
from tests.infra.tools import PROVIDER, terraform


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
