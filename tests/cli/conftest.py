"""The CLI is tested through its real console entry point, in subprocesses (tests.cli.commands)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cli.commands import serving


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    """``autocallout serve`` on a free loopback port; yields its URL and stops it."""
    with serving(*getattr(request, "param", ())) as (url, _):
        yield url
