"""infra/ deploys the build `make package` names, so a rebuild with other content redeploys.

The provider uploads ``zip_file`` only when its path changes. The root's package.tf reads the
path from the manifest the build writes, and the zip is named by its content: Terraform itself
(the root's variables.tf and package.tf need no provider) shows that two different builds give
two paths, one build one; and that only a plan that would deploy needs a build, not a destroy.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autocallout import package
from autocallout.runtimes import RUNTIMES
from tests.infra.paths import INFRA, MODULE
from tests.infra.tools import terraform_without_provider
from tests.package.builds import IDNA_HASH, tiny_repo


@pytest.fixture(scope="module")
def package_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("package-only")
    for name in ("variables.tf", "package.tf"):
        shutil.copy(INFRA / name, directory / name)
    result = terraform_without_provider(directory, "init", "-backend=false")
    assert result.returncode == 0, result.stderr
    return directory


def deployed_path(directory: Path, manifest: Path, runtime: str = "Python3.12") -> str:
    """What Terraform would give zip_file for this manifest."""
    result = terraform_without_provider(
        directory,
        "console",
        "-var",
        f"package_manifest={manifest}",
        "-var",
        f"runtime={runtime}",
        stdin="local.package_path\n",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().strip('"')


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_repo(tmp_path_factory.mktemp("tiny"), f"idna==3.20 --hash=sha256:{IDNA_HASH}\n")


def test_one_build_gives_one_path_and_a_changed_build_another(
    package_only: Path, tiny: Path, tmp_path: Path
) -> None:
    # Given a build, the same build again, and a build of changed code
    first = package.build("Python3.12", tmp_path / "a", repo=tiny)
    again = package.build("Python3.12", tmp_path / "b", repo=tiny)
    index = tiny / "functions" / package.FUNCTION / "index.py"
    index.write_text(index.read_text() + "# changed\n")
    changed = package.build("Python3.12", tmp_path / "c", repo=tiny)
    # When Terraform reads each build's manifest
    paths = [deployed_path(package_only, b.manifest_path) for b in (first, again, changed)]
    # Then it deploys the zip each names: the same name for the same build, another for new code
    assert paths == [str(b.zip_path) for b in (first, again, changed)]
    assert Path(paths[0]).name == Path(paths[1]).name
    assert Path(paths[2]).name != Path(paths[0]).name


def test_a_missing_manifest_stops_the_plan_with_what_to_run(
    package_only: Path, tmp_path: Path
) -> None:
    # Given no build / When planning
    result = terraform_without_provider(
        package_only, "plan", "-var", f"package_manifest={tmp_path}/none.json"
    )
    # Then the plan stops and says to build first
    assert result.returncode != 0
    assert "run `make package`" in " ".join(result.stderr.split())


# Stands in for the function (which needs the provider): a resource built from the package path.
DEPLOYED_PROBE = """
resource "terraform_data" "deployed" {
  input = local.package_path
}
"""


def test_destroy_needs_no_build(tiny: Path, tmp_path: Path) -> None:
    # Given a deployment applied from a build
    directory = tmp_path / "root"
    directory.mkdir()
    for name in ("variables.tf", "package.tf"):
        shutil.copy(INFRA / name, directory / name)
    (directory / "probe.tf").write_text(DEPLOYED_PROBE, encoding="utf-8")
    built = package.build("Python3.12", tmp_path / "dist", repo=tiny)
    assert terraform_without_provider(directory, "init", "-backend=false").returncode == 0
    applied = terraform_without_provider(
        directory, "apply", "-auto-approve", "-var", f"package_manifest={built.manifest_path}"
    )
    assert applied.returncode == 0, applied.stderr
    # When it is destroyed from a checkout with no build (a fresh clone, or dist/ cleaned)
    result = terraform_without_provider(
        directory, "destroy", "-auto-approve", "-var", f"package_manifest={tmp_path}/none.json"
    )
    # Then nothing stops it: tearing down does not depend on building first
    assert result.returncode == 0, result.stderr
    assert "Resources: 1 destroyed" in result.stdout


def test_without_a_runtime_the_package_s_own_is_deployed(
    package_only: Path, tiny: Path, tmp_path: Path
) -> None:
    # Given a package built for Python3.10 and no runtime set
    built = package.build("Python3.10", tmp_path, repo=tiny)
    # When Terraform works out the function's runtime
    result = terraform_without_provider(
        package_only,
        "console",
        "-var",
        f"package_manifest={built.manifest_path}",
        stdin="local.runtime\n",
    )
    # Then it is the package's: `make package RUNTIME=Python3.10` needs no second setting
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '"Python3.10"'


def test_a_package_for_another_runtime_stops_the_plan(
    package_only: Path, tiny: Path, tmp_path: Path
) -> None:
    # Given a package built for Python3.12
    built = package.build("Python3.12", tmp_path, repo=tiny)
    # When planning a Python3.10 function with it
    result = terraform_without_provider(
        package_only,
        "plan",
        "-var",
        f"package_manifest={built.manifest_path}",
        "-var",
        "runtime=Python3.10",
    )
    # Then the plan stops: the function would not import
    assert result.returncode != 0
    assert "built for another runtime" in " ".join(result.stderr.split())


def test_the_package_builds_for_exactly_the_runtimes_terraform_accepts() -> None:
    # Given the runtimes variables.tf accepts
    text = (MODULE / "variables.tf").read_text(encoding="utf-8")
    block = text[text.index('variable "runtime"') :]
    accepted = re.search(r"contains\(\[([^\]]*)\], var\.runtime\)", block)
    assert accepted is not None
    # When comparing them with what `make package RUNTIME=...` builds
    # Then they are the same list: nothing builds that Terraform would refuse, and the reverse
    assert sorted(re.findall(r'"([^"]+)"', accepted[1])) == sorted(RUNTIMES)
