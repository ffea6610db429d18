"""infra/ is a module teams can source (infra/modules/autocallout) and two roots built on it:
infra/ itself, which a newcomer runs, and an example per-environment root with a COS backend.
The module configures no provider and no backend; the roots pass its inputs through."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from tests.infra.paths import INFRA, MODULE
from tests.infra.tf_schema_check import Config, literal, load_config

EXAMPLE = INFRA / "environments" / "example"
# Inputs the working root computes for the module instead of passing them through.
ROOT_COMPUTED = {"package_zip", "package_zip_runtime"}


def _parsed(directory: Path) -> list[dict[str, Any]]:
    parsed = []
    for path in sorted(directory.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            parsed.append(hcl2.load(handle))
    return parsed


def _module_calls(directory: Path) -> dict[str, dict[str, Any]]:
    calls: dict[str, dict[str, Any]] = {}
    for parsed in _parsed(directory):
        for block in parsed.get("module", []):
            calls.update({literal(k): v for k, v in block.items() if not k.startswith("__")})
    return calls


def _variable_text(directory: Path) -> dict[str, str]:
    """Each variable block's text, as written."""
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'^variable "([^"]+)" \{\n(.*?)^\}', text, re.S | re.M):
            found[match[1]] = match[2]
    return found


def _type_text(body: str) -> str:
    match = re.search(
        r"^  type\s*=\s*(.*?)(?=^  [a-z_]+\s*=|^  validation|^\s*$|\Z)", body, re.S | re.M
    )
    assert match, body
    return re.sub(r"\s+", " ", match[1]).strip()


def test_the_module_configures_no_provider_and_no_backend() -> None:
    # Given the module's files
    for parsed in _parsed(MODULE):
        # Then none holds a provider block or a backend: the root that sources it chooses both
        assert "provider" not in parsed
        for terraform in parsed.get("terraform", []):
            assert "backend" not in terraform
            assert "cloud" not in terraform


@pytest.mark.parametrize("root", [INFRA, EXAMPLE], ids=["infra", "environments/example"])
def test_each_root_sources_the_module_and_configures_the_provider(root: Path) -> None:
    # Given a root
    calls = _module_calls(root)
    config = load_config(root)
    # Then it builds on the module in this repository, with a provider of its own
    assert [Path(root, literal(call["source"])).resolve() for call in calls.values()] == [MODULE]
    assert set(config.providers) == {"tencentcloud"}
    assert config.blocks == []  # everything else lives in the module


def test_the_environment_example_keeps_its_state_in_cos_configured_at_init() -> None:
    # Given the example environment's terraform block
    [backend] = [
        backend
        for parsed in _parsed(EXAMPLE)
        for terraform in parsed.get("terraform", [])
        for backend in terraform.get("backend", [])
    ]
    # Then it is a COS backend left empty in the code (partial configuration): bucket, prefix
    # and region come from backend.hcl, one per environment
    assert {
        literal(label): {k: v for k, v in body.items() if not k.startswith("__")}
        for label, body in backend.items()
    } == {"cos": {}}
    settings = literal(hcl2.loads((EXAMPLE / "backend.hcl.example").read_text(encoding="utf-8")))
    assert {"region", "bucket", "prefix"} <= set(settings)
    assert settings["encrypt"] is True
    assert settings["acl"] == "private"


def test_the_root_passes_every_module_input_through_with_the_module_s_defaults() -> None:
    # Given the module's variables and the working root's
    module = _variable_text(MODULE)
    root = _variable_text(INFRA)
    [call] = _module_calls(INFRA).values()
    # Then the root has each input of the module (and its own package_manifest), typed the same
    assert set(root) - {"package_manifest"} == set(module) - ROOT_COMPUTED
    for name in set(module) - ROOT_COMPUTED:
        assert _type_text(root[name]) == _type_text(module[name]), name
        # and passes it on (runtime after choosing the package's own when unset)
        assert call[name] == ("${local.runtime}" if name == "runtime" else f"${{var.{name}}}")
    # And leaves every default to the module: its null reaches a module variable that is not
    # nullable, which Terraform answers with the module's default. Only the region is set
    # here: the provider needs one and the module takes it from the root.
    for name, body in root.items():
        if name in {"region", "package_manifest"}:
            continue
        assert re.search(r"^  default\s*=\s*null$", body, re.M), name
        default = re.search(r"^  default\s*=\s*(.*)$", module[name], re.M)
        if default and default[1].strip() != "null":
            assert re.search(r"^  nullable\s*=\s*false$", module[name], re.M), name


def test_module_variables_are_typed_and_described(infra: Config) -> None:
    for name, body in infra.variables.items():
        assert body.get("type"), name
        assert literal(body.get("description")), name
