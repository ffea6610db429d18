"""Packages built once per test session, in pytest's temporary folders (never in dist/).

Each build pip-installs the pinned wheels (from pip's cache after the first run), about 5 s.
"""

from __future__ import annotations

import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from autocallout import package


@dataclass(frozen=True)
class Built:
    runtime: str
    zip_path: Path

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.zip_path) as archive:
            return archive.namelist()

    def infos(self) -> list[zipfile.ZipInfo]:
        with zipfile.ZipFile(self.zip_path) as archive:
            return archive.infolist()


LOCAL_RUNTIME = f"Python{sys.version_info.major}.{sys.version_info.minor}"


def build_into(factory: pytest.TempPathFactory, runtime: str, *, layer: bool = False) -> list[Path]:
    return package.build(runtime, factory.mktemp(f"dist-{runtime}"), layer=layer)


@pytest.fixture(scope="session", params=["Python3.12", "Python3.10"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The default runtime and the oldest one we support, each built once."""
    runtime: str = request.param
    if runtime == package.DEFAULT_RUNTIME:
        default: Built = request.getfixturevalue("default_build")
        return default
    (zip_path,) = build_into(tmp_path_factory, runtime)
    return Built(runtime, zip_path)


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    (zip_path,) = build_into(tmp_path_factory, package.DEFAULT_RUNTIME)
    return Built(package.DEFAULT_RUNTIME, zip_path)


@pytest.fixture(scope="session")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Built for the interpreter running the tests, so that it can import the package."""
    if LOCAL_RUNTIME not in package.RUNTIMES:
        pytest.skip(f"no package target for this interpreter ({LOCAL_RUNTIME})")
    (zip_path,) = build_into(tmp_path_factory, LOCAL_RUNTIME)
    return Built(LOCAL_RUNTIME, zip_path)
