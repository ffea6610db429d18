"""Faults injected on demand: the next calls fail the way a real upstream sometimes does.

Faults wait in a queue; each call that reaches the fake takes the first one meant for its
action (or for any action), which stays there for ``times`` calls (``None``: for every call).

    kind       what the client sees
    error      HTTP 200 with an error envelope: ``code`` / ``message`` (throttling, DBError, ...)
    status     a non-200 status (``status``) with an HTML body, as a gateway in front would send
    truncated  HTTP 200 whose JSON body stops half-way
    not_json   HTTP 200 with an HTML body
    reset      the connection is dropped without an answer
    latency    the normal answer, late

Every kind takes ``delay`` seconds before it happens.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["error", "status", "truncated", "not_json", "reset", "latency"]
FAULT_KINDS: tuple[str, ...] = ("error", "status", "truncated", "not_json", "reset", "latency")

DEFAULT_MESSAGES = {
    "RequestLimitExceeded": "Your request frequency has reached the limit.",
    "InternalError.DBError": "A database error occurred.",
    "InternalError": "An internal error occurred.",
    "ServiceUnavailable": "The service is temporarily unavailable.",
}


@dataclass
class Fault:
    kind: FaultKind
    times: int | None = 1
    code: str = "InternalError"
    message: str = ""
    status: int = 502
    delay: float = 0.0
    action: str | None = None  # only calls of this action take the fault; None: any call

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1, or None for every call")
        if self.delay < 0:
            raise ValueError("delay must not be negative")
        if self.kind == "status" and not 300 <= self.status <= 599:
            raise ValueError("a status fault needs a status from 300 to 599")
        if not self.message:
            self.message = DEFAULT_MESSAGES.get(self.code, f"Injected fault {self.code}.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        allowed = {"kind", "times", "code", "message", "status", "delay", "action"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        return cls(**data)


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._pending.append(fault)
        return fault

    def inject(self, kind: FaultKind, times: int | None = 1, **options: Any) -> Fault:
        return self.add(Fault(kind=kind, times=times, **options))

    def throttle(self, times: int | None = 1, action: str | None = None) -> Fault:
        return self.inject("error", times, code="RequestLimitExceeded", action=action)

    def error(
        self, code: str, message: str = "", times: int | None = 1, action: str | None = None
    ) -> Fault:
        return self.inject("error", times, code=code, message=message, action=action)

    def take(self, action: str = "") -> Fault | None:
        """The fault for a call of ``action`` that has just arrived, if any."""
        with self._lock:
            for position, fault in enumerate(self._pending):
                if fault.action is None or fault.action == action:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            del self._pending[position]
                    return fault
            return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
