"""The published contract against the code: the in-process fixtures of tests/function reused."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import REPO
from tests.function.conftest import ccc, cold_instance, invoke  # noqa: F401 - fixtures

OPENAPI_DOCUMENT = REPO / "docs" / "openapi.json"
OPENAPI_30_DOCUMENT = REPO / "docs" / "openapi-3.0.json"
TASK_SCHEMA = REPO / "docs" / "task.schema.json"


def load_json(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
