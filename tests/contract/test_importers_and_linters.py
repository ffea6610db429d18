"""Both OpenAPI documents import whole into Postman and pass Spectral's and Redocly's rules.

The tools are the npm packages pinned in tests/contract/npm (package.json and its lock; `make
test` installs them with `npm ci`): openapi-to-postmanv2, the converter behind Postman's own
OpenAPI import; Spectral with its `spectral:oas` ruleset; Redocly CLI with its recommended
rules (the one exception, argued, in tests/contract/npm/.redocly.lint-ignore.yaml). Without node
they skip, saying why; CI (CI=true) has node and fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.contract.documents import OPENAPI_30_DOCUMENT, OPENAPI_DOCUMENT

TOOLS = Path(__file__).parent / "npm"
DOCUMENTS = [OPENAPI_DOCUMENT, OPENAPI_30_DOCUMENT]
# Every operation of the document: the lookup by query string and by body, the preflight, and
# the document itself.
OPERATIONS = {("GET", "/"), ("POST", "/"), ("OPTIONS", "/"), ("GET", "/openapi.json")}


def _tool(*relative: str) -> Path:
    missing = (
        "node is not installed"
        if shutil.which("node") is None
        else f"{TOOLS}/node_modules is not installed (make test runs npm ci there)"
    )
    path = TOOLS.joinpath(*relative)
    if shutil.which("node") is None or not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{missing}, and CI must run these checks")
        pytest.skip(f"{missing}: Postman import and OpenAPI linters not checked")
    return path


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=TOOLS,
        env={**os.environ, "NO_COLOR": "1", "REDOCLY_TELEMETRY": "off"},
        check=False,
    )


def _postman_import(document: Path) -> dict[str, Any]:
    _tool("node_modules", "openapi-to-postmanv2")
    run = _run("node", TOOLS / "postman_import.js", document)
    assert run.returncode == 0, run.stderr[-2000:]
    imported: dict[str, Any] = json.loads(run.stdout)
    return imported


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_postman_imports_every_operation_without_an_error_placeholder(document: Path) -> None:
    imported = _postman_import(document)

    assert imported["errors"] == []
    assert {(request["method"], request["path"]) for request in imported["requests"]} == (
        OPERATIONS
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_postman_shows_each_problem_example_with_its_own_status(document: Path) -> None:
    imported = _postman_import(document)

    problems = [
        (response["code"], json.loads(response["body"]))
        for request in imported["requests"]
        for response in request["responses"]
        if response["code"] >= 400
    ]
    assert len(problems) >= 20  # each lookup's nine problem statuses, and the others'
    for code, body in problems:
        assert body["status"] == code
        assert body["type"].startswith("urn:autocallout:problem:")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_spectral_oas_ruleset_finds_nothing(document: Path) -> None:
    spectral = _tool("node_modules", ".bin", "spectral")
    run = _run(spectral, "lint", "-q", "--ruleset", ".spectral.yaml", "--format", "json", document)
    findings = json.loads(run.stdout)

    assert [(f["code"], ".".join(map(str, f["path"]))) for f in findings] == []
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_redocly_recommended_rules_find_nothing(document: Path) -> None:
    redocly = _tool("node_modules", ".bin", "redocly")
    run = _run(redocly, "lint", "--config", "redocly.yaml", "--format", "json", document)
    report = json.loads(run.stdout)

    assert [(p["ruleId"], p["message"]) for p in report["problems"]] == []
    assert report["totals"]["errors"] == report["totals"]["warnings"] == 0
    assert run.returncode == 0, run.stderr[-2000:]
