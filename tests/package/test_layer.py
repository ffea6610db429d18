"""With --layer, the dependencies go to an SCF layer zip and the function zip carries only code."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autocallout import package
from tests.package.conftest import Built


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    function_zip, layer_zip = package.build(
        package.DEFAULT_RUNTIME, tmp_path_factory.mktemp("dist-layer"), layer=True
    )
    return function_zip, layer_zip


def names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def test_the_layer_and_the_code_zip_together_are_the_whole_package(
    split: tuple[Path, Path], default_build: Built
) -> None:
    # Given a split build and a whole one for the same runtime
    function_zip, layer_zip = split
    # When comparing their entries
    code, dependencies = names(function_zip), names(layer_zip)
    # Then they share nothing and together hold exactly what the whole package holds
    assert not code & dependencies
    assert code | dependencies == set(default_build.names())
    assert layer_zip.name == f"{package.FUNCTION}-layer.zip"


def test_the_code_zip_is_only_the_function_and_a_few_kilobytes(split: tuple[Path, Path]) -> None:
    # Given a split build
    function_zip, _ = split
    # When listing and weighing the function zip
    top_level = {name.split("/")[0] for name in names(function_zip)}
    # Then it is index.py and callout_task, small enough that a code change ships in a blink
    assert top_level == {"index.py", "callout_task"}
    assert function_zip.stat().st_size < 64 * 1024


def test_the_layer_is_laid_out_for_opt(split: tuple[Path, Path]) -> None:
    # Given a split build
    _, layer_zip = split
    # When listing the layer
    entries = names(layer_zip)
    # Then packages sit at its root, since SCF unpacks layers to /opt, which is on PYTHONPATH
    assert "pydantic_core/__init__.py" in entries
    assert "tencentcloud/ccc/v20200210/ccc_client.py" in entries
    assert "index.py" not in entries
