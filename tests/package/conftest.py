"""Packages built once per test session, in pytest's temporary folders (never in dist/).

Each build pip-installs the pinned wheels (from pip's cache after the first run) and compiles
every module with the runtime's interpreter, about 5-10 s.
"""

from __future__ import annotations

import pytest

from autocallout import package
from autocallout.runtimes import RUNTIMES
from tests.package.builds import Built, build_into


@pytest.fixture(scope="session", params=list(RUNTIMES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A package for every runtime SCF offers that runs this code, each built once."""
    runtime: str = request.param
    if runtime == package.DEFAULT_RUNTIME:
        default: Built = request.getfixturevalue("default_build")
        return default
    return build_into(tmp_path_factory, runtime)


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_into(tmp_path_factory, package.DEFAULT_RUNTIME)
