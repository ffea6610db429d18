"""``python -m autocallout.package``: bad arguments get one line and exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from autocallout import package
from autocallout.runtimes import where_searched
from tests.package.builds import IDNA_HASH, Built, tiny_repo


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--runtime", "Python2.7"], "invalid choice: 'Python2.7'"),
        # SCF has no Python 3.11 and infra/ refuses it: no package for it either
        (["--runtime", "Python3.11"], "invalid choice: 'Python3.11'"),
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


BUILD = """
import sys
from pathlib import Path
from autocallout import package
package.build("Python3.12", Path(sys.argv[2]), repo=Path(sys.argv[1]))
"""


def environment_without(minors: Sequence[str], home: Path) -> dict[str, str]:
    """This environment with no CPython of ``minors`` to be found: no PATH entry that has one,
    no pyenv (an empty PYENV_ROOT and HOME), pip's cache kept so that nothing is downloaded."""
    path = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry
        and "pyenv" not in entry
        and not any((Path(entry) / f"python{minor}").exists() for minor in minors)
    ]
    return {
        **os.environ,
        "PATH": os.pathsep.join(path),
        "PYENV_ROOT": str(home / "no-pyenv"),
        "HOME": str(home),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
    }


def test_without_the_runtimes_interpreter_the_build_says_so_and_ships_sources_only(
    tmp_path: Path,
) -> None:
    # Given a machine with no CPython 3.12 to be found
    repo = tiny_repo(tmp_path / "repo", f"idna==3.20 --hash=sha256:{IDNA_HASH}\n")
    env = environment_without(["3.12"], tmp_path)
    # When building for Python3.12
    result = subprocess.run(
        [sys.executable, "-c", BUILD, str(repo), str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    # Then it builds, says so in one line naming what it looked for, and ships no bytecode at all
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("package:")]
    assert said == [
        f"package: no CPython 3.12 here (looked at {where_searched('Python3.12')}):"
        " shipping sources only, no bytecode"
    ]
    built = package.current_build(tmp_path / "dist")
    assert built is not None
    assert built.bytecode is None
    with zipfile.ZipFile(built.zip_path) as archive:
        assert not [name for name in archive.namelist() if name.endswith(".pyc")]


@pytest.mark.parametrize(("required", "exit_code"), [("", 0), ("1", 1)])
def test_the_runtime_legs_skip_loudly_without_interpreters_or_fail_where_required(
    tmp_path: Path, required: str, exit_code: int
) -> None:
    # Given a machine with neither CPython 3.10 nor 3.12
    env = environment_without(["3.10", "3.12"], tmp_path)
    env["AUTOCALLOUT_REQUIRE_RUNTIMES"] = required
    # When make test's runtime legs run
    result = subprocess.run(
        [sys.executable, "-m", "autocallout.runtime_tests"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    # Then each leg says it is skipped and what it looked for; only CI's setting makes it fail
    for runtime, minor in (("Python3.10", "3.10"), ("Python3.12", "3.12")):
        assert (
            f"runtime tests: SKIPPED {runtime}: no CPython {minor} on this machine"
            f" (looked at {where_searched(runtime)})"
        ) in result.stdout
    assert result.returncode == exit_code, result.stdout
