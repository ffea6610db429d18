"""The published contract against the code: the in-process fixtures of tests/function reused."""

from __future__ import annotations

from tests.function.scf_instance import ccc, cold_instance, invoke  # noqa: F401 - fixtures
