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
import time
from collections.abc import Mapping
from typing import Any, Protocol

from callout_task.redis_wire import RedisConnection, StoreError

KEY_PREFIX = "autocallout:watch"
# One GET per key; a missing key is an empty line. Records are compact JSON: no raw newlines.
LOAD_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('GET', key) or '' end
return table.concat(out, '\\n')
"""
# ARGV[1] is the expiry in seconds, ARGV[i + 1] the record of KEYS[i].
SAVE_SCRIPT = """
for i, key in ipairs(KEYS) do redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1]) end
return #KEYS
"""


def record_key(watch: str, sdk_app_id: int, task_id: int, target: str) -> str:
    return f"{KEY_PREFIX}:{{{watch}}}:{sdk_app_id}:{task_id}:{target}"


class Memory(Protocol):
    def load(self, keys: list[str], timeout: float) -> list[dict[str, Any] | None]: ...

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
    """Records in Redis, through the rate limit's connection code (``redis_wire``)."""

    def __init__(self, connection: RedisConnection) -> None:
        self.connection = connection

    def load(self, keys: list[str], timeout: float) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        reply = self.connection.call("EVAL", LOAD_SCRIPT, len(keys), *keys, timeout=timeout)
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
        self.connection.call("EVAL", SAVE_SCRIPT, len(keys), *keys, ttl, *values, timeout=timeout)


class ProcessMemory:
    """Records in this process only: for ``autocallout watch``, one long-lived process."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[float, str]] = {}

    def load(self, keys: list[str], timeout: float) -> list[dict[str, Any] | None]:
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
