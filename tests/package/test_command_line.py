"""``python -m autocallout.package``: bad arguments get one line and exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autocallout import package
from tests.package.conftest import Built


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--runtime", "Python2.7"], "invalid choice: 'Python2.7'"),
        (["--runtime"], "expected one argument"),
        (["--zip"], "unrecognized arguments: --zip"),
    ],
)
def test_a_bad_argument_is_refused_in_one_line(
    arguments: list[str], complaint: str, tmp_path: Path
) -> None:
    # Given a mistaken command line / When running the build
    result = subprocess.run(
        [sys.executable, "-m", "autocallout.package", "--out", str(tmp_path), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    # Then it exits 2 with one line saying what is wrong, and builds nothing
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


IDNA_HASH = "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c"


def tiny_repo(root: Path, requirements: str, *extra_modules: str) -> Path:
    """A repository whose function is one handler (plus ``extra_modules``) needing only idna."""
    function = root / "functions" / package.FUNCTION
    function.mkdir(parents=True)
    (function / "index.py").write_text("def main_handler(event, context):\n    return event\n")
    for module in extra_modules:
        (function / module).write_text("")
    (function.parent / "requirements.txt").write_text(requirements)
    return root


def test_a_requirement_pip_cannot_satisfy_fails_the_build(tmp_path: Path) -> None:
    # Given a function whose requirements carry a hash no wheel has
    repo = tiny_repo(tmp_path / "repo", "idna==3.20 --hash=sha256:" + "0" * 64 + "\n")
    # When building it
    with pytest.raises(package.BuildError, match="pip could not install"):
        package.build("Python3.12", tmp_path / "dist", repo=repo)
    # Then no zip is left behind
    assert not (tmp_path / "dist").exists()


def test_a_function_module_named_like_a_dependency_fails_the_build(tmp_path: Path) -> None:
    # Given a function that ships its own idna.py and depends on the idna package
    repo = tiny_repo(tmp_path / "repo", f"idna==3.20 --hash=sha256:{IDNA_HASH}\n", "idna.py")
    # When building it
    with pytest.raises(package.BuildError, match="both ship idna"):
        package.build("Python3.12", tmp_path / "dist", repo=repo)
    # Then no zip is written, since one would shadow the other on SCF
    assert not (tmp_path / "dist").exists()


def test_the_size_report_gives_both_sizes_and_the_largest_entries(default_build: Built) -> None:
    # Given a built package / When reporting its size
    report = package.size_report(default_build.zip_path, largest=3).splitlines()
    # Then the first line weighs it zipped and unzipped, and the next ones name the biggest files
    assert " MiB zipped, " in report[0]
    assert " MiB unzipped, " in report[0]
    assert len(report) == 4
    assert report[1].endswith(
        f"pydantic_core/_pydantic_core.{package.extension_tag(default_build.runtime)}.so"
    )
