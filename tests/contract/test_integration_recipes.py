"""Every runnable recipe in docs/integrations.md runs, as written there, against
``autocallout serve --fake --auth …`` and gets its 200; with a wrong key (or none), the refusal.

Recipes are taken out of the document, not copied here: a fenced block preceded by
``<!-- recipe: NAME auth=MODE -->`` is one, run by its language (``sh`` with bash, ``python``
with this interpreter, ``json`` as a low-code HTTP block's settings). Every ``sh`` and ``python``
block must be a recipe or say why it is not run (``<!-- not run here: … -->``). The recipes read
the URL and keys from the environment, which this test sets to the local server and the key pair
its door prints.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from autocallout.front_door_auth import LOCAL_API_KEY, LOCAL_CAM_KEY
from tests.cli.commands import clean_environment, serving
from tests.paths import REPO

INTEGRATIONS = REPO / "docs" / "integrations.md"
_BLOCK = re.compile(
    r"^(?:<!-- (?P<marker>[^\n]*?) -->\n)?```(?P<language>\w*)\n(?P<code>.*?)^```$", re.M | re.S
)
_RECIPE = re.compile(r"^recipe: (?P<name>[a-z0-9-]+) auth=(?P<auth>none|cam|api-key)$")
WRONG_SECRET = "not-the-secret-the-door-knows"


class Recipe(NamedTuple):
    name: str
    auth: str
    language: str
    code: str


def _blocks() -> list[tuple[str, str, str]]:
    text = INTEGRATIONS.read_text(encoding="utf-8")
    return [(m["marker"] or "", m["language"], m["code"]) for m in _BLOCK.finditer(text)]


def recipes() -> list[Recipe]:
    found = []
    for marker, language, code in _blocks():
        match = _RECIPE.match(marker)
        if match:
            found.append(Recipe(match["name"], match["auth"], language, code))
    return found


def test_every_shell_and_python_block_is_a_recipe_or_says_why_not() -> None:
    unmarked = [
        code.splitlines()[0]
        for marker, language, code in _blocks()
        if language in ("sh", "python")
        and not (_RECIPE.match(marker) or marker.startswith("not run here: "))
    ]
    assert unmarked == []
    kinds = {(recipe.language, recipe.auth) for recipe in recipes()}
    assert {("sh", "none"), ("python", "cam"), ("json", "none"), ("sh", "api-key")} <= kinds


@pytest.fixture(scope="module")
def doors() -> Iterator[dict[str, str]]:
    """One local server per door, calling the fake CCC: their URLs by --auth mode."""
    with (
        serving("--fake", "--auth", "none") as (none, _),
        serving("--fake", "--auth", "cam") as (cam, _),
        serving("--fake", "--auth", "api-key", "--shape", "apigw") as (api_key, _),
    ):
        yield {"none": none, "cam": cam, "api-key": api_key}


class Outcome(NamedTuple):
    accepted: bool  # the recipe's requests got 2xx answers
    status: int | None  # the status, where the recipe prints it (curl's recipes do not)
    output: str


def _environment(url: str, cam_secret: str, api_secret: str) -> dict[str, str]:
    return clean_environment(
        FUNCTION_URL=url,
        GATEWAY_URL=url + "/",
        TENCENTCLOUD_SECRET_ID=LOCAL_CAM_KEY.key_id,
        TENCENTCLOUD_SECRET_KEY=cam_secret,
        KEY_ID=LOCAL_API_KEY.key_id,
        KEY_SECRET=api_secret,
        NO_PROXY="127.0.0.1",
        no_proxy="127.0.0.1",
    )


def run_recipe(
    recipe: Recipe,
    url: str,
    workdir: Path,
    cam_secret: str = LOCAL_CAM_KEY.secret,
    api_secret: str = LOCAL_API_KEY.secret,
) -> Outcome:
    env = _environment(url, cam_secret, api_secret)
    if recipe.language == "json":  # a low-code HTTP block: its settings, sent as it would
        block = json.loads(recipe.code)
        answer = requests.request(
            block["method"],
            block["url"].replace("{FUNCTION_URL}", url),
            headers=block["headers"],
            json=block["body"],
            timeout=10,
        )
        return Outcome(answer.ok, answer.status_code, answer.text)
    command = {
        "sh": ["bash", "-e", "-o", "pipefail", "-c", recipe.code],
        "python": [sys.executable, "-c", recipe.code],
    }[recipe.language]
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=60, cwd=workdir, env=env, check=False
    )
    output = run.stdout + run.stderr
    if recipe.language == "python":  # each prints the status first
        status = int(run.stdout.split(maxsplit=1)[0]) if run.stdout[:1].isdigit() else None
        return Outcome(run.returncode == 0 and status == 200, status, output)
    # curl --fail-with-body exits 22 on a 4xx/5xx answer, after printing its body
    return Outcome(run.returncode == 0, None, output)


@pytest.mark.parametrize("recipe", recipes(), ids=lambda recipe: recipe.name)
def test_the_recipe_gets_its_task(recipe: Recipe, doors: dict[str, str], tmp_path: Path) -> None:
    outcome = run_recipe(recipe, doors[recipe.auth], tmp_path)
    assert outcome.accepted, outcome.output
    assert outcome.status in (200, None)
    assert re.search(r"""["']task_id["']: ?3\b""", outcome.output), outcome.output


@pytest.mark.parametrize("recipe", recipes(), ids=lambda recipe: recipe.name)
def test_the_recipe_with_a_wrong_key_is_refused(
    recipe: Recipe, doors: dict[str, str], tmp_path: Path
) -> None:
    # A signed recipe with the wrong secret at its own door; an anonymous one at the CAM door
    url = doors["cam"] if recipe.auth == "none" else doors[recipe.auth]
    outcome = run_recipe(recipe, url, tmp_path, cam_secret=WRONG_SECRET, api_secret=WRONG_SECRET)
    assert not outcome.accepted
    assert outcome.status in (401, None), outcome.output
    assert "urn:autocallout:problem:unauthenticated" in outcome.output
