"""One structured JSON line per invocation on stdout (SCF ships stdout to CLS).

Free text is masked before it is written: any run of seven or more digits (a phone number)
keeps only its last four. Credentials are never handed to this module.
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

from pydantic_core import to_json

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}
_LONG_NUMBER = re.compile(r"(?<![\d.])\+?\d{7,}(?![\d.])")  # not the digits of a decimal
# Request ids may hold digit runs by chance: masking them would break tracing.
_IDENTIFIERS = frozenset({"request_id", "upstream_request_id"})

_threshold = LEVELS["INFO"]


def set_level(name: str) -> None:
    global _threshold  # noqa: PLW0603 - one logger per instance, configured once
    _threshold = LEVELS.get(name, LEVELS["INFO"])


def mask(text: str) -> str:
    """``13800138000`` -> ``*******8000``."""
    return _LONG_NUMBER.sub(lambda m: "*" * (len(m[0]) - 4) + m[0][-4:], text)


def _masked(value: Any, name: str = "") -> Any:
    if isinstance(value, str):
        return value if name in _IDENTIFIERS else mask(value)
    if isinstance(value, dict):
        return {key: _masked(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def emit(level: str, message: str, **fields: Any) -> None:
    if LEVELS[level] < _threshold:
        return
    line = {"level": level, "message": mask(message), "time": round(time.time(), 3)}
    for name, value in fields.items():
        line[name] = _masked(value, name)
    sys.stdout.write(to_json(line, fallback=str).decode() + "\n")
