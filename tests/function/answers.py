"""How tests read what the function gave back: an HTTP answer's body, and its log lines."""

from __future__ import annotations

import json
from typing import Any


def http_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def log_lines(text: str) -> list[dict[str, Any]]:
    """The structured lines of captured output (each a JSON object), parsed."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
