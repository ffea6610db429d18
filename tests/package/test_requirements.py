"""functions/requirements.txt pins, with hashes, the same runtime dependencies as pyproject.toml."""

from __future__ import annotations

import re

import pytest

from autocallout.runtimes import RUNTIMES
from tests.paths import REPO

REQUIREMENTS = REPO / "functions" / "requirements.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_entries() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hash options), read from the file's backslash-continued lines."""
    text = REQUIREMENTS.read_text(encoding="utf-8")
    logical = re.sub(r"\\\n", " ", "\n".join(line.split("#")[0] for line in text.splitlines()))
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in logical.splitlines():
        if not line.strip():
            continue
        spec, *options = line.split()
        match = PIN.match(spec)
        assert match, f"not pinned with ==: {line.strip()}"
        entries[canonical(match[1])] = (match[2], options)
    return entries


def pyproject_dependencies() -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11+")
    with (REPO / "pyproject.toml").open("rb") as file:
        dependencies: list[str] = tomllib.load(file)["project"]["dependencies"]
    pins: dict[str, str] = {}
    for dependency in dependencies:
        match = PIN.match(dependency.replace(" ", ""))
        assert match, f"pyproject.toml runtime dependency not pinned with ==: {dependency}"
        pins[canonical(match[1])] = match[2]
    return pins


# pyproject's own, not shipped: the request model's source (the function runs on pydantic-core),
# and CCC's SDK package (the function signs with the common package's signer; the tests check
# the API's name and version against CCC's package).
NOT_SHIPPED = {"pydantic", "tencentcloud-sdk-python-ccc"}


def test_every_runtime_dependency_of_pyproject_is_pinned_at_the_same_version() -> None:
    # Given both files / When comparing the direct dependencies
    pinned = {name: version for name, (version, _) in requirement_entries().items()}
    # Then each is in requirements.txt at pyproject's version, but for pydantic, which is not
    for name, version in pyproject_dependencies().items():
        if name in NOT_SHIPPED:
            assert name not in pinned, f"{name} is shipped but the function never imports it"
            continue
        assert pinned.get(name) == version, (
            f"{name}: pyproject {version}, requirements {pinned.get(name)}"
        )


def test_every_pinned_requirement_carries_sha256_hashes() -> None:
    # Given requirements.txt / When reading each entry's options
    entries = requirement_entries()
    # Then every package has at least one hash and nothing but hashes
    assert entries
    for name, (_, options) in entries.items():
        assert options, f"{name} has no --hash"
        assert all(HASH.match(option) for option in options), f"{name}: {options}"


def test_the_compiled_dependency_has_a_wheel_hash_for_each_supported_python() -> None:
    # Given pydantic-core, the one compiled dependency / When counting its hashes
    _, options = requirement_entries()["pydantic-core"]
    # Then there is one per CPython target (3.10, 3.12), all distinct
    assert len(set(options)) == len(RUNTIMES)
