"""Schemathesis against ``autocallout serve --fake`` on loopback: the document is the truth.

Generated requests (the document's examples, its coverage scenarios, random fuzzing; positive
and negative data) go to the function behind the local Function URL server, calling the fake
CCC. Every answer must match the document: a documented status, content type, headers and
body, never a 5xx. Bounded by ``MAX_EXAMPLES`` per operation and a fixed seed.

Checks left out, and why:
- ``positive_data_acceptance``: the document cannot say "one of SdkAppId/sdk_app_id" for query
  parameters (each spelling is optional on its own), and random ids name no task of the fake, so
  schema-valid requests rightly get 400 or 404.
- ``ignored_auth``: authentication is the front door's (Function URL CAM, API Gateway key);
  the function, and so the local server, never sees unsigned requests.
- ``use_after_free``, ``ensure_resource_availability``, ``object_level_authorization``: about
  resources created and deleted through the API; this API only reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import clean_environment, serving
from tests.contract.conftest import OPENAPI_DOCUMENT

SCHEMATHESIS = str(Path(sys.executable).with_name("st"))
MAX_EXAMPLES = 30
SEED = "20261124"
EXCLUDED_CHECKS = (
    "positive_data_acceptance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
    "object_level_authorization",
)
LOOPBACK_ONLY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    """The function on a free loopback port, calling the fake CCC, without its local rate limit
    (schemathesis sends far more than 20 requests a second; 429 is tested elsewhere)."""
    with serving("--fake", RATE_LIMIT_QPS="0") as (url, _):
        assert url.startswith("http://127.0.0.1:")
        yield url


def test_every_answer_of_the_served_function_matches_its_document(
    served_url: str, tmp_path: Path
) -> None:
    # Given the function served on loopback and its committed OpenAPI document
    command = [
        SCHEMATHESIS,
        "--no-color",
        "run",
        str(OPENAPI_DOCUMENT),
        "--url",
        served_url,
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        SEED,
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        str(tmp_path / "report.json"),
    ]
    # When schemathesis sends what the document allows, and what it does not
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # nothing it writes lands in the repository
        env=clean_environment(**LOOPBACK_ONLY),
        check=False,
    )
    # Then no check failed, on any operation of the document
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    cases = report["test_cases"]
    print(f"schemathesis: {cases['generated']} test cases in {report['running_time']:.1f}s")
    assert cases["with_failures"] == 0
    assert cases["errored"] == 0
    assert cases["generated"] >= 4 * MAX_EXAMPLES
    assert set(report["valid_rates"]) == {
        "GET /",
        "POST /",
        "OPTIONS /",
        "GET /openapi.json",
    }
