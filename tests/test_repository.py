"""Repository hygiene: no credentials committed, every dependency pinned."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.paths import REPO

# Shapes of real credentials; the fake's well-known local values do not match them.
SECRET_SHAPES = {
    "Tencent Cloud SecretId": re.compile(r"AKID[0-9A-Za-z]{32}(?![0-9A-Za-z])"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "SecretKey assignment": re.compile(r"(?i)secret_?key['\"]?\s*[:=]\s*['\"][0-9A-Za-z]{32}['\"]"),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
}


def _tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listed.stdout.splitlines() if (REPO / name).is_file()]


def find_secrets(text: str) -> list[str]:
    """Labels of the credential shapes in ``text``; documented examples (``...EXAMPLE``) pass."""
    return [
        label
        for label, shape in SECRET_SHAPES.items()
        if any("EXAMPLE" not in match[0] for match in shape.finditer(text))
    ]


def test_no_file_in_the_repository_holds_a_credential() -> None:
    found = {}
    for name in _tracked_text_files():
        try:
            text = (REPO / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if labels := find_secrets(text):
            found[name] = labels
    assert found == {}


@pytest.mark.parametrize(
    "text",
    [
        "secret_id = 'AKID" + "Ab3" * 10 + "xy'",
        '"SecretKey": "' + "k9" * 16 + '"',
        "-----BEGIN RSA " + "PRIVATE KEY-----",
    ],
)
def test_the_scanner_recognises_credential_shapes(text: str) -> None:
    assert find_secrets(text)


def test_a_documented_example_key_is_not_a_credential() -> None:
    assert find_secrets('"secret_key": "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"') == []


def _declared_dependencies() -> list[str]:
    """Every requirement in pyproject's dependency lists (tomllib is not in Python 3.10)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    lists = re.findall(r"(?m)^(?:dependencies|[a-z-]+) = \[\n(.*?)^\]", text, re.S)
    return [spec for block in lists for spec in re.findall(r'"([^"]+)"', block)]


def test_every_dependency_is_pinned_to_one_version() -> None:
    declared = _declared_dependencies()
    assert "pydantic==2.14.3" in declared
    assert any(spec.startswith("pytest==") for spec in declared)
    unpinned = [
        spec
        for spec in declared
        # one version, or one per Python version range (a tool that dropped the oldest runtime)
        if not re.fullmatch(
            r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.\-+]*(; python_version [<>]=? '3\.\d+')?",
            spec,
        )
    ]
    assert unpinned == []
