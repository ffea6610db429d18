"""Fixtures of the function as SCF runs it: each test a new instance, and the fake CCC patched
in where the real SDK would reach Tencent. tests/function's conftest (and tests/contract's,
which reuses them) import them from here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import callout_task
import pytest
from callout_task import handler
from callout_task.config import ENVIRONMENT_VARIABLES

from autocallout.fake_ccc import CccBackend, mock_ccc
from tests.function.scenarios import CREDENTIAL_VARIABLES, SCF_CREDENTIALS, Invoke


@pytest.fixture(autouse=True)
def cold_instance(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test is a new SCF instance: role credentials set, no user configuration."""
    for name in (*ENVIRONMENT_VARIABLES, *CREDENTIAL_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for name, value in SCF_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    callout_task.reset_instance()
    yield
    callout_task.reset_instance()


@pytest.fixture
def ccc() -> Iterator[CccBackend]:
    with mock_ccc() as backend:
        yield backend


@pytest.fixture
def invoke(ccc: CccBackend) -> Invoke:
    def run(event: Any, context: Any = None) -> Any:
        return handler.main_handler(
            event, {"time_limit_in_ms": 3000} if context is None else context
        )

    return run
