"""The published contract's documents (docs/), and how tests read them."""

from __future__ import annotations

import json
from typing import Any

from tests.paths import REPO

OPENAPI_DOCUMENT = REPO / "docs" / "openapi.json"
OPENAPI_30_DOCUMENT = REPO / "docs" / "openapi-3.0.json"
TASK_SCHEMA = REPO / "docs" / "task.schema.json"


def load_json(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
