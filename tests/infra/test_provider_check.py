"""`python3 infra/check_provider.py`: one command that says whether this machine can install the
tencentcloud provider, from where, whether it matches the lock file, and what to do next. Run
for real (the real terraform init) against a CLI configuration and mirrors made in a temporary
directory; a stand-in executable plays the provider, as `terraform init` never runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.paths import INFRA
from tests.infra.tools import terraform_binary

CHECK = INFRA / "check_provider.py"
VERSION = "1.83.25"
PLATFORM = "linux_amd64"


def _run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK), *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )


def _environment(home: Path, cli_config: str | None) -> dict[str, str]:
    """A machine of its own: an empty home (no implicit mirror) and the given CLI config."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TF_", "XDG_DATA"))
    }
    env["HOME"] = str(home)
    env["XDG_DATA_DIRS"] = str(home / "no-share")
    env["PATH"] = f"{terraform_binary().parent}{os.pathsep}{env.get('PATH', '')}"
    if cli_config is not None:
        config = home / "terraform.rc"
        config.write_text(cli_config, encoding="utf-8")
        env["TF_CLI_CONFIG_FILE"] = str(config)
    return env


def _mirror_with_a_provider(directory: Path) -> Path:
    """A filesystem mirror (unpacked layout) holding a stand-in for the provider's binary."""
    target = directory / "registry.terraform.io/tencentcloudstack/tencentcloud" / VERSION
    binary = target / PLATFORM / f"terraform-provider-tencentcloud_v{VERSION}"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    binary.chmod(0o755)
    return directory


def _filesystem_mirror_config(mirror: Path) -> str:
    return f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/tencentcloudstack/*"]
  }}
}}
"""


def _root_without_lock(tmp_path: Path) -> Path:
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", "tests"))
    (copy / ".terraform.lock.hcl").unlink(missing_ok=True)
    return copy


def test_without_any_source_it_says_each_way_to_get_the_provider(tmp_path: Path) -> None:
    # Given a machine whose only source is an empty filesystem mirror (no network, no copy)
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    env = _environment(tmp_path, _filesystem_mirror_config(empty))
    # When the check runs
    result = _run(env)
    # Then it fails, shows where it looked and what init said, and names the next step for each
    # way: the registry, Tencent's mirror (with its documentation), a copy for offline machines
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert f"filesystem_mirror {empty}" in out
    assert "NOT OK: terraform init could not install" in out
    assert "Next step" in out
    assert "terraform -chdir=" in out
    assert 'url     = "https://mirrors.tencent.com/terraform/"' in out
    assert "https://cloud.tencent.com/document/product/1653/82912" in out
    assert f"providers mirror -platform={PLATFORM}" in out
    assert "~/.terraform.d/plugins/" in out


def test_a_provider_in_a_filesystem_mirror_is_found_and_installed(tmp_path: Path) -> None:
    # Given a copy of the provider in a filesystem mirror the CLI configuration names
    mirror = _mirror_with_a_provider(tmp_path / "mirror")
    env = _environment(tmp_path, _filesystem_mirror_config(mirror))
    root = _root_without_lock(tmp_path)
    # When the check runs on a root with no lock file yet
    result = _run(env, "--dir", str(root))
    # Then it lists the version it sees there, and init installs it
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"- filesystem_mirror: {mirror}: {VERSION}" in result.stdout
    assert f"OK: Installed tencentcloudstack/tencentcloud v{VERSION}" in result.stdout
    assert "no .terraform.lock.hcl" in result.stdout
    # And the repository's directory is untouched (init ran on a scratch copy)
    assert not (root / ".terraform").exists()


def test_the_implicit_local_directory_needs_no_configuration(tmp_path: Path) -> None:
    # Given the provider under ~/.terraform.d/plugins and no CLI configuration at all
    _mirror_with_a_provider(tmp_path / ".terraform.d" / "plugins")
    env = _environment(tmp_path, None)
    env["TF_CLI_CONFIG_FILE"] = str(tmp_path / "none.rc")
    root = _root_without_lock(tmp_path)
    # When the check runs
    result = _run(env, "--dir", str(root))
    # Then it finds it where Terraform searches by itself
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no provider_installation" in result.stdout
    assert f"searched without configuration: {tmp_path}/.terraform.d/plugins: {VERSION}" in (
        result.stdout
    )


def test_another_build_than_the_lock_records_is_named_with_the_fix(tmp_path: Path) -> None:
    # Given the committed lock file, and a provider build whose hash it does not record
    if not (INFRA / ".terraform.lock.hcl").is_file():
        pytest.fail("infra/.terraform.lock.hcl is missing: it is committed with the project")
    mirror = _mirror_with_a_provider(tmp_path / "mirror")
    env = _environment(tmp_path, _filesystem_mirror_config(mirror))
    # When the check runs on infra/
    result = _run(env)
    # Then it says the build differs from the lock's, and how to record the new one
    assert result.returncode == 1, result.stdout + result.stderr
    assert "another build than the one .terraform.lock.hcl records" in result.stdout
    assert "providers lock -platform=linux_amd64" in result.stdout
    assert "pins 1.83.25 with" in result.stdout


def test_without_terraform_it_says_to_install_it(tmp_path: Path) -> None:
    env = _environment(tmp_path, None)
    env["PATH"] = str(tmp_path / "empty-bin")
    result = _run(env)
    assert result.returncode == 2
    assert "terraform is not on PATH: install Terraform >= 1.10" in result.stdout


def test_a_directory_without_terraform_files_is_refused_not_copied(tmp_path: Path) -> None:
    # Given a directory that is no Terraform root (the check copies only roots, never their data)
    (tmp_path / "data.bin").write_bytes(b"\0" * 1024)
    env = _environment(tmp_path, None)
    result = _run(env, "--dir", str(tmp_path))
    assert result.returncode == 2
    assert "holds no .tf file: give the Terraform root to check with --dir" in result.stdout
