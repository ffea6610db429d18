"""How long an invocation has left: from SCF's context when it says, else TIME_BUDGET_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NamedTuple

# Time kept back to build and return the answer once the last upstream call is over.
ANSWER_RESERVE_SECONDS = 0.15


class Deadline(NamedTuple):
    at: float  # time.monotonic() value

    @classmethod
    def for_invocation(cls, context: Any, fallback_seconds: float, started: float) -> Deadline:
        limit_ms = _context_value(context, "time_limit_in_ms")
        total = limit_ms / 1000 if limit_ms else fallback_seconds
        return cls(started + total - min(ANSWER_RESERVE_SECONDS, total * 0.1))

    def remaining(self) -> float:
        return self.at - time.monotonic()


def _context_value(context: Any, name: str) -> float | None:
    value = context.get(name) if isinstance(context, Mapping) else getattr(context, name, None)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def context_request_id(context: Any) -> str | None:
    value = context.get("request_id") if isinstance(context, Mapping) else None
    value = value or getattr(context, "request_id", None)
    return str(value) if value else None
