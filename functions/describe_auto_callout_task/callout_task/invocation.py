"""The state of one invocation, in one object handed down to whatever needs it.

``Invocation`` says who asked (trigger, request ids), how long is left (deadline), and what the
instance allows (settings, rate limiter; whether to wait for a token). ``CallReport`` collects
what the upstream calls of one lookup did, for its log line.
"""

from __future__ import annotations

from callout_task.config import Settings
from callout_task.deadline import Deadline
from callout_task.rate_limit import Limiter


class Invocation:
    __slots__ = (
        "deadline",
        "limiter",
        "request_id",
        "scf_request_id",
        "settings",
        "started",
        "trigger",
        "waits_for_tokens",
    )

    def __init__(
        self,
        settings: Settings,
        limiter: Limiter,
        deadline: Deadline,
        trigger: str,
        request_id: str,
        scf_request_id: str | None,
        started: float,
        waits_for_tokens: bool,
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.deadline = deadline
        self.trigger = trigger
        self.request_id = request_id
        self.scf_request_id = scf_request_id
        self.started = started
        # A timer run waits for rate-limit tokens (nobody reads its Retry-After); callers don't.
        self.waits_for_tokens = waits_for_tokens


class CallReport:
    """What the upstream calls of one lookup did (CCC and STS together)."""

    __slots__ = ("attempts", "codes", "upstream_code", "upstream_request_id")

    def __init__(self) -> None:
        self.attempts = 0
        self.upstream_code: str | None = None
        self.upstream_request_id: str | None = None
        self.codes: list[str] = []
