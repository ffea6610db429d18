"""Where the rehearsal (and the e2e test) looks for the tencentcloud provider: the places
``terraform init`` itself uses without a network — the implicit local mirrors, the
filesystem_mirror and plugin cache of the CLI configuration — and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from autocallout.local_cloud.rehearsal import PROVIDER, find_provider, provider_locations


def _install(root: Path) -> Path:
    binary = (
        root / PROVIDER / "1.83.25" / "linux_amd64" / "terraform-provider-tencentcloud_v1.83.25"
    )
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    return binary


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "no-such.tfrc"))
    return tmp_path / "home"


def test_none_anywhere_is_none(home: Path) -> None:
    assert find_provider() is None


def test_the_implicit_mirror_in_the_home_folder(home: Path) -> None:
    binary = _install(home / ".terraform.d" / "plugins")
    assert find_provider() == binary


def test_the_filesystem_mirror_the_cli_configuration_names(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    binary = _install(mirror)
    config = tmp_path / "terraform.tfrc"
    config.write_text(
        "provider_installation {\n  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))

    assert mirror in provider_locations()
    assert find_provider() == binary


def test_an_explicit_provider_installation_hides_the_implicit_mirrors(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Terraform builds the implied mirrors only when the CLI configuration has no
    # provider_installation block: with one, a provider in ~/.terraform.d/plugins is not found.
    _install(home / ".terraform.d" / "plugins")
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    config = tmp_path / "terraform.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{empty}"\n  }}\n}}\n'
    )
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(config))

    assert provider_locations() == [empty]
    assert find_provider() is None


def test_a_file_that_cannot_run_is_not_a_provider(home: Path) -> None:
    _install(home / ".terraform.d" / "plugins").chmod(0o644)
    assert find_provider() is None
