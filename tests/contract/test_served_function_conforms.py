"""Schemathesis against ``autocallout serve --fake`` on loopback: the document is the truth.

Generated requests (the document's examples, its coverage scenarios, random fuzzing; positive
and negative data) go to the function behind the local Function URL server, calling the fake
CCC. Every check schemathesis has runs (``--checks all``, none excluded): a documented status,
content type, headers and body, never a 5xx; schema-valid requests accepted (200, or 404 for a
task the fake does not hold) and schema-invalid ones refused; and, behind ``--auth cam``, every
operation refused without a signature or with a wrong one. Each run fuzzes the document that
server itself serves at ``GET /openapi.json``, with a fixed seed, deterministically.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.cli.commands import clean_environment, serving
from tests.contract.signing import Tc3Auth
from tests.paths import REPO

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
MAX_EXAMPLES = 100
SEED = "20261124"
LOOPBACK_ONLY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
OPERATIONS = {"GET /", "POST /", "OPTIONS /", "GET /openapi.json"}
# How schemathesis signs its requests for each door (a hooks module; none without a door).
HOOKS = {"none": None, "cam": "tests.contract.schemathesis_cam_hooks"}


def run_schemathesis(
    document: Path, url: str, hooks: str | None, workdir: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    command = [
        SCHEMATHESIS,
        "--no-color",
        "run",
        str(document),
        "--url",
        url,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--generation-deterministic",  # derandomized, without an example database
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        str(workdir / "report.json"),
    ]
    extra = {"PYTHONPATH": str(REPO), **({"SCHEMATHESIS_HOOKS": hooks} if hooks else {})}
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=workdir,  # nothing it writes lands in the repository
        env=clean_environment(**LOOPBACK_ONLY, **extra),
        check=False,
    )
    report_path = workdir / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    return run, report


@pytest.mark.parametrize("auth", sorted(HOOKS))
def test_every_answer_of_the_served_function_matches_the_document_it_serves(
    auth: str, tmp_path: Path
) -> None:
    # Given the function served on loopback behind the door, without its local rate limit
    # (schemathesis sends far more than 20 requests a second; 429 is tested elsewhere)
    with serving("--fake", "--auth", auth, RATE_LIMIT_QPS="0") as (url, _):
        assert url.startswith("http://127.0.0.1:")
        # and the document that server serves (signed, behind the CAM door)
        signer = Tc3Auth() if auth == "cam" else None
        served = requests.get(f"{url}/openapi.json", auth=signer, timeout=10)
        assert served.status_code == 200
        document = tmp_path / "openapi.json"
        document.write_bytes(served.content)
        # When schemathesis sends what the document allows, and what it does not
        run, report = run_schemathesis(document, url, HOOKS[auth], tmp_path)
    # Then no check failed, on any operation of the document
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    cases = report["test_cases"]
    assert isinstance(cases, dict)
    print(
        f"schemathesis ({auth}): {cases['generated']} test cases in {report['running_time']:.1f}s"
    )
    assert cases["with_failures"] == 0
    assert cases["errored"] == 0
    assert cases["generated"] >= len(OPERATIONS) * MAX_EXAMPLES
    assert set(report["valid_rates"]) == OPERATIONS  # type: ignore[arg-type]
