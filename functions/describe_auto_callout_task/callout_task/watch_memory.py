"""What a watch remembers between ticks: one record per task and target, in Redis, with expiry.

A record is ``{"seen": …, "ordinal": n, "pending": [events], "pending_ticks": n}``: the last
observation (the baseline of the next detection), how many events were made for the task, the
events not yet acknowledged by the target, and for how many ticks some have waited. A tick
reads every record it needs in one round trip and writes them back in one, after its
deliveries: an event leaves ``pending`` only once its target acknowledged it.

The keys share one hash tag (``{watch name}``) so that one script may touch them all on a
cluster too. Without Redis there is nothing to compare with: see ``watch_tick``.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any, Protocol

from callout_task.redis_wire import RedisConnection, StoreError

KEY_PREFIX = "autocallout:watch"
# KEYS[1] is the watch's tick lease, taken (ARGV[1] this instance's token, ARGV[2] milliseconds)
# unless another instance holds it: a nil answer says another tick of the watch is running. (An
# instance runs one tick at a time, so a lease with its own token is an earlier tick's that
# ended without letting go, say when Redis froze after the script ran.) Then one GET per
# record; a missing key is an empty line. Records are compact JSON: no raw newlines.
LOAD_SCRIPT = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local out = {}
for i = 2, #KEYS do out[i - 1] = redis.call('GET', KEYS[i]) or '' end
return table.concat(out, '\\n')
"""
# Written only while this tick (ARGV[1]) still holds the lease, which it then lets go; ARGV[2] is
# the expiry in seconds, ARGV[i + 1] the record of KEYS[i]. -1: the lease was lost, nothing written.
SAVE_SCRIPT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[2]) end
redis.call('DEL', KEYS[1])
return #KEYS - 1
"""


INSTANCE_TOKEN = secrets.token_hex(8)  # this process's: an SCF instance runs one tick at a time


class TickRunning(Exception):
    """Another tick of the same watch holds its memory: this one must not tell anything."""


def record_key(watch: str, sdk_app_id: int, task_id: int, target: str) -> str:
    return f"{KEY_PREFIX}:{{{watch}}}:{sdk_app_id}:{task_id}:{target}"


def _lease_key(record: str) -> str:
    """The lease of the watch a record belongs to (same hash tag, so the same slot)."""
    return record[: record.index("}") + 1] + ":tick"


class Memory(Protocol):
    def load(
        self, keys: list[str], timeout: float, hold: float = 60.0
    ) -> list[dict[str, Any] | None]: ...

    def save(self, records: Mapping[str, dict[str, Any]], ttl: int, timeout: float) -> None: ...


def _decode(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None  # not ours, or cut short: seen afresh
    return value if isinstance(value, dict) else None


def _encode(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class RedisMemory:
    """Records in Redis, through the rate limit's connection code (``redis_wire``). A tick holds
    its watch's lease from ``load`` to ``save`` (at most ``hold`` seconds, its deadline): two
    overlapping ticks of one watch (a timer period shorter than the timeout, a retried
    invocation) would otherwise each detect from the same record and tell one change twice,
    under different ids."""

    def __init__(self, connection: RedisConnection) -> None:
        self.connection = connection
        self._token = INSTANCE_TOKEN

    def load(
        self, keys: list[str], timeout: float, hold: float = 60.0
    ) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        lease = _lease_key(keys[0])
        milliseconds = max(1, int(hold * 1000))
        reply = self.connection.call(
            "EVAL",
            LOAD_SCRIPT,
            len(keys) + 1,
            lease,
            *keys,
            self._token,
            milliseconds,
            timeout=timeout,
        )
        if reply is None:
            raise TickRunning
        if not isinstance(reply, bytes):
            raise StoreError(f"the load script answered {type(reply).__name__}")
        lines = reply.decode("utf-8", "replace").split("\n")
        if len(lines) != len(keys):
            raise StoreError(f"the load script answered {len(lines)} records for {len(keys)}")
        return [_decode(line) for line in lines]

    def save(self, records: Mapping[str, dict[str, Any]], ttl: int, timeout: float) -> None:
        if not records:
            return
        keys = list(records)
        values = [_encode(records[key]) for key in keys]
        lease = _lease_key(keys[0])
        written = self.connection.call(
            "EVAL",
            SAVE_SCRIPT,
            len(keys) + 1,
            lease,
            *keys,
            self._token,
            ttl,
            *values,
            timeout=timeout,
        )
        if written == -1:
            raise StoreError("the tick's lease ran out before its memory was written")


class ProcessMemory:
    """Records in this process only: for ``autocallout watch``, one long-lived process."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[float, str]] = {}

    def load(
        self, keys: list[str], timeout: float, hold: float = 60.0
    ) -> list[dict[str, Any] | None]:
        now = time.monotonic()
        records: list[dict[str, Any] | None] = []
        for key in keys:
            item = self._records.get(key)
            records.append(_decode(item[1]) if item is not None and item[0] > now else None)
        return records

    def save(self, records: Mapping[str, dict[str, Any]], ttl: int, timeout: float) -> None:
        ends = time.monotonic() + ttl
        for key, record in records.items():
            self._records[key] = (ends, _encode(record))
