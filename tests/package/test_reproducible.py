"""The same inputs give a byte-identical zip under the same name; other inputs, another name.

The zip is named by its content hash and the manifest beside it names the current one, so that
Terraform (which uploads a zip only when its path changes) redeploys exactly on real changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from autocallout import package
from tests.package.builds import Built
from tests.paths import REPO


def copy_of_the_function(destination: Path) -> Path:
    """The build's inputs copied afresh: new timestamps, and the file modes changed."""
    functions = destination / "functions"
    shutil.copytree(
        REPO / "functions",
        functions,
        copy_function=shutil.copyfile,  # no copystat: every file gets a new mtime
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for path in functions.rglob("*.py"):
        path.chmod(0o755)
    return destination


def test_two_builds_of_the_same_inputs_are_byte_identical(
    default_build: Built, tmp_path: Path
) -> None:
    # Given the same code and requirements, copied with other timestamps and file modes
    repo = copy_of_the_function(tmp_path / "repo")
    # When building again
    again = package.build(default_build.runtime, tmp_path / "dist", repo=repo)
    # Then the bytes are the same, bytecode included, and so is the name
    assert again.bytecode == default_build.bytecode
    assert again.zip_path.read_bytes() == default_build.zip_path.read_bytes()
    assert again.zip_path.name == default_build.zip_path.name


def test_a_changed_function_gets_another_zip_name_and_the_manifest_follows(
    default_build: Built, tmp_path: Path
) -> None:
    # Given a copy of the function with one more line, built into the folder of a first build
    repo = copy_of_the_function(tmp_path / "repo")
    out = tmp_path / "dist"
    first = package.build(default_build.runtime, out, repo=repo)
    index = repo / "functions" / package.FUNCTION / "index.py"
    index.write_text(index.read_text() + "# changed\n")
    # When building again
    second = package.build(default_build.runtime, out, repo=repo)
    # Then the new zip has another name, the manifest names it, and the old zip is gone
    assert second.zip_path.name != first.zip_path.name
    manifest = json.loads((out / package.MANIFEST).read_text())
    assert manifest["zip"] == second.zip_path.name
    assert manifest["sha256"] == hashlib.sha256(second.zip_path.read_bytes()).hexdigest()
    assert manifest["runtime"] == default_build.runtime
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [second.zip_path.name, package.MANIFEST]
    )


def test_the_zip_name_carries_the_runtime_and_the_content_hash(default_build: Built) -> None:
    # Given a build / When reading its name
    digest = hashlib.sha256(default_build.zip_path.read_bytes()).hexdigest()
    # Then it says which Python it is for and starts the content's sha256
    assert default_build.zip_path.name == f"{package.FUNCTION}-py312-{digest[:16]}.zip"


def test_entries_are_sorted_with_a_fixed_time_and_mode(default_build: Built) -> None:
    # Given a built package / When reading its directory
    infos = default_build.infos()
    # Then entries are in name order, dated 1980-01-01, rw-r--r-- regular files, deflated
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


@pytest.mark.parametrize("change", ["content", "name"])
def test_a_change_to_a_shipped_file_changes_the_zip(tmp_path: Path, change: str) -> None:
    # Given a file set zipped once
    source = tmp_path / "index.py"
    source.write_text("x = 1\n")
    package.write_zip({"index.py": source}, tmp_path / "before.zip")
    # When its content or its name changes
    if change == "content":
        source.write_text("x = 2\n")
    files = {"index.py" if change == "content" else "main.py": source}
    package.write_zip(files, tmp_path / "after.zip")
    # Then the zip's bytes differ
    assert (tmp_path / "after.zip").read_bytes() != (tmp_path / "before.zip").read_bytes()
