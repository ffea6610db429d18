"""One tick of a watching timer: look the tasks up, detect what changed, deliver, remember.

Order and time: the lookups may use ``LOOKUP_SHARE`` of the time left (each still logs its own
``invocation`` line and is answered in ``results``); then the memory is read in one round trip;
each target gets its pending events in its own thread, all targets at once, until the deadline
less ``SAVE_RESERVE_SECONDS``, retrying with backoff and full jitter while that allows; then the
memory is written back in one round trip. An event leaves a target's pending list only when the
target acknowledged it, so a target that is down, slow or refusing gets it on a later tick, with
the same id.

Without memory (no ``RATE_LIMIT_REDIS_URL``) a watch cannot tell a change from a repeat: the
tick looks its tasks up and logs them, delivers nothing, and writes an ERROR line saying what to
configure (infra/ refuses such a watch at plan time). With Redis configured but failing, the
tick delivers nothing either and logs a WARNING: what changed meanwhile is told once Redis is
back (as the difference from the last state told; nothing told is lost, and nothing is told
twice under different ids).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from callout_task import logs
from callout_task.deadline import Deadline
from callout_task.events import _parse_json, task_sources
from callout_task.invocation import Invocation
from callout_task.problems import PROBLEM_TYPE_PREFIX, RateLimited
from callout_task.rate_limit import MIN_ATTEMPT_SECONDS as MIN_LOOKUP_SECONDS
from callout_task.redis_wire import RedisConnection, StoreError
from callout_task.request import Source
from callout_task.watch_config import TargetSpec, Watch, WatchRequest, watch_request
from callout_task.watch_events import Observation, detect
from callout_task.watch_memory import Memory, RedisMemory, TickRunning, record_key
from callout_task.watch_secrets import Resolver, resolve_from_ssm
from callout_task.watch_targets import (
    SENDS_PER_TICK,
    SPACING_SECONDS,
    Message,
    Poster,
    Result,
    Target,
    TargetError,
    interpret,
    masked_url,
    messages,
    request_for,
    scrub,
)

LOOKUP_SHARE = 0.7  # of the time left when the tick starts (50 tasks at 20 QPS: 1.5 s)
# The problem type of a lookup this function's own rate limit did not let it make.
_REFUSED_HERE = PROBLEM_TYPE_PREFIX + RateLimited.slug
SAVE_RESERVE_SECONDS = 0.25  # kept back after the deliveries to write the memory
MEMORY_SHARE = 0.1  # a memory round trip never takes more than this share of the time left
ATTEMPT_SECONDS = 5.0  # one delivery attempt at most
MIN_ATTEMPT_SECONDS = 0.05
BACKOFF_BASE_SECONDS = 0.1
BACKOFF_CAP_SECONDS = 1.0
# The events ``autocallout watch`` prints, remembered as a target that acknowledges at once.
PRINTED = "(printed)"
MAX_PENDING = 100  # events kept per task and target; older ones are dropped, loudly

Lookup = Callable[[Invocation, Callable[[], list[Source]]], Any]
Log = Callable[[Invocation, Any], None]
Entry = Callable[[Any], dict[str, Any]]  # a lookup's outcome as an entry of ``results``


class Wiring(NamedTuple):
    memory: Memory | None
    resolve: Resolver
    on_event: Callable[[dict[str, Any]], None] | None = None  # sees each new event (the CLI)


_local: Wiring | None = None  # set by ``autocallout watch`` (the CLI), never in the cloud
_redis: RedisMemory | None = None


def wire_locally(wiring: Wiring | None) -> None:
    """Memory and targets from this process instead of Redis and SSM (``autocallout watch``)."""
    global _local  # noqa: PLW0603 - one wiring per process
    _local = wiring


def _wiring(invocation: Invocation) -> Wiring:
    global _redis  # noqa: PLW0603 - one connection per instance, as the rate limit keeps
    if _local is not None:
        return _local
    settings = invocation.settings
    memory: Memory | None = None
    if settings.rate_limit_redis is not None:
        if _redis is None or _redis.connection.address != settings.rate_limit_redis:
            password = None
            secret = settings.rate_limit_redis_password_secret
            if secret is not None:
                from callout_task.redis_password import read_redis_password

                budget = min(1.0, max(0.05, invocation.deadline.remaining() * MEMORY_SHARE * 2))
                password = read_redis_password(secret, settings.ccc_region, budget)
            _redis = RedisMemory(RedisConnection(settings.rate_limit_redis, password))
        memory = _redis
    return Wiring(memory, resolve_from_ssm(settings.ccc_region))


def answer_watch(
    invocation: Invocation, event: Mapping[str, Any], lookup: Lookup, log: Log, entry: Entry
) -> dict[str, Any] | None:
    """The timer's answer when its Message carries a watch; None when it carries none. A watch
    that is not valid raises its 400 problem (the handler answers it as any bad Message)."""
    request = watch_request(_parse_json(str(event.get("Message")), "The timer's Message"))
    if request is None:
        return None
    try:
        wiring = _wiring(invocation)
    except StoreError as error:  # the Redis password could not be read
        forget_memory()
        logs.emit("WARNING", f"watch memory unavailable: {error}", **_ids(invocation))
        wiring = Wiring(None, resolve_from_ssm(invocation.settings.ccc_region))
        return run_tick(invocation, request, lookup, log, entry, wiring, memory_failed=True)
    return run_tick(invocation, request, lookup, log, entry, wiring)


def forget_memory() -> None:
    global _redis  # noqa: PLW0603
    _redis = None


def _ids(invocation: Invocation) -> dict[str, Any]:
    return {
        "request_id": invocation.request_id,
        "scf_request_id": invocation.scf_request_id,
        "trigger": invocation.trigger,
    }


def _with_deadline(invocation: Invocation, at: float) -> Invocation:
    return Invocation(
        invocation.settings,
        invocation.limiter,
        Deadline(min(at, invocation.deadline.at)),
        invocation.trigger,
        invocation.request_id,
        invocation.scf_request_id,
        invocation.started,
        invocation.waits_for_tokens,
    )


def _summary_only(entry: Any) -> Any:
    """A watch needs the state and the counts, not the callees (whatever the task's size)."""
    if isinstance(entry, Mapping) and not {"include_callees", "IncludeCallees"} & set(entry):
        return {**entry, "include_callees": False}
    return entry


class Delivery(NamedTuple):
    target: str
    kind: str
    where: str  # the URL, masked
    acknowledged: frozenset[str]  # event ids
    sends: int
    reason: str | None  # why the last attempt failed, if it did


def run_tick(
    invocation: Invocation,
    request: WatchRequest,
    lookup: Lookup,
    log: Log,
    entry: Entry,
    wiring: Wiring,
    memory_failed: bool = False,
) -> dict[str, Any]:
    watch = request.watch
    now = time.time()
    results, observations = _look_up(invocation, request, lookup, log, entry)
    report: dict[str, Any] = {"name": watch.rules.watch, "events": 0, "delivered": 0, "pending": 0}
    answer = {"results": results, "watch": report}
    memory = wiring.memory
    if memory is None:
        if not memory_failed:
            logs.emit(
                "ERROR",
                "watch has no memory: set RATE_LIMIT_REDIS_URL (the rate limit's Redis) so the "
                "watch can tell changes; nothing was delivered",
                **_ids(invocation),
            )
        report["memory"] = "unavailable"
        return answer
    names = [target.name for target in watch.targets]
    if wiring.on_event is not None:
        names.append(PRINTED)
    keys = {
        name: [
            record_key(watch.rules.watch, seen.sdk_app_id, seen.task_id, name)
            for seen in observations
        ]
        for name in names
    }
    try:
        stored = memory.load(
            [key for names in keys.values() for key in names],
            _memory_time(invocation),
            hold=invocation.deadline.remaining() + 1.0,
        )
    except TickRunning:
        logs.emit(
            "WARNING",
            "watch tick skipped: another tick of this watch is still running; what changed is "
            "told by the next one",
            **_ids(invocation),
        )
        report["memory"] = "unavailable"
        return answer
    except StoreError as error:
        forget_memory()
        logs.emit(
            "WARNING",
            "watch memory unavailable: nothing delivered this tick; changes are told once it "
            "is back",
            detail=f"Redis: {error}",
            **_ids(invocation),
        )
        report["memory"] = "unavailable"
        return answer
    records = _detect_all(invocation, watch, keys, stored, observations, now, report)
    pending = {
        name: [event for key in names for event in records[key]["pending"]]
        for name, names in keys.items()
    }
    deliveries = _deliver_all(invocation, watch, wiring.resolve, pending)
    if wiring.on_event is not None:
        for event in pending[PRINTED]:
            wiring.on_event(event)
        told = frozenset(event["id"] for event in pending[PRINTED])
        deliveries[PRINTED] = Delivery(PRINTED, "print", "", told, len(told), None)
    for name, names in keys.items():
        for key in names:
            record = records[key]
            done = deliveries[name].acknowledged
            record["pending"] = [event for event in record["pending"] if event["id"] not in done]
            record["pending_ticks"] = record["pending_ticks"] + 1 if record["pending"] else 0
    try:
        memory.save(records, watch.memory_ttl_seconds, _memory_time(invocation, at_least=0.05))
    except StoreError as error:
        logs.emit(
            "WARNING",
            "watch memory not written: what was delivered this tick is delivered again next "
            "tick, with the same ids",
            detail=f"Redis: {error}",
            **_ids(invocation),
        )
    report["targets"] = {}
    for target in watch.targets:
        _report_target(
            invocation,
            watch,
            target,
            deliveries[target.name],
            [records[key] for key in keys[target.name]],
            report,
        )
    return answer


def _look_up(
    invocation: Invocation, request: WatchRequest, lookup: Lookup, log: Log, entry: Entry
) -> tuple[list[dict[str, Any]], list[Observation]]:
    """Each task looked up (and logged) within the lookups' share of the time."""
    lookups = _with_deadline(
        invocation, time.monotonic() + invocation.deadline.remaining() * LOOKUP_SHARE
    )
    results: list[dict[str, Any]] = []
    observations: list[Observation] = []
    for position, task in enumerate(request.entries):
        asked = _summary_only(task)

        def sources(asked: Any = asked, position: int = position) -> list[Source]:
            return task_sources(asked, f"Task {position} of the watch's tasks")

        outcome = lookup(lookups, sources)
        log(invocation, outcome)
        results.append(entry(outcome))
        # A lookup cut short by the lookups' share, or not made because the share had no room
        # left for an attempt (less than the 0.1 s none starts without), or because the
        # function's own rate limit had no token for it in time, says nothing about the task:
        # not observed. One whose attempt failed first (CCC's 429, a 503) and whose retry had
        # no token was made: it is compared, like any other failed lookup.
        cut_short = outcome.status == 504 and lookups.deadline.remaining() < MIN_LOOKUP_SECONDS
        never_made = outcome.body.get("type") == _REFUSED_HERE and not outcome.call.codes
        said = not cut_short and not never_made
        if said and outcome.sdk_app_id is not None and outcome.task_id is not None:
            observations.append(
                Observation.of(outcome.sdk_app_id, outcome.task_id, outcome.status, outcome.body)
            )
    return results, observations


def _detect_all(
    invocation: Invocation,
    watch: Watch,
    keys: dict[str, list[str]],
    stored: list[dict[str, Any] | None],
    observations: list[Observation],
    now: float,
    report: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """Each task and target's record, with this tick's new events added to its pending ones."""
    records: dict[str, dict[str, Any]] = {}
    found = iter(stored)
    dropped = 0
    for names in keys.values():
        for key, observation in zip(names, observations, strict=True):
            record = next(found) or {}
            detection = detect(
                watch.rules, record.get("seen"), int(record.get("ordinal", 0)), observation, now
            )
            events = [*record.get("pending", []), *detection.events]
            dropped += max(0, len(events) - MAX_PENDING)
            report["events"] += len(detection.events)
            records[key] = {
                "seen": detection.seen,
                "ordinal": detection.ordinal,
                "pending": events[-MAX_PENDING:],
                "pending_ticks": int(record.get("pending_ticks", 0)),
            }
    if dropped:
        logs.emit(
            "ERROR",
            f"watch dropped {dropped} undelivered events (more than {MAX_PENDING} per task and "
            "target)",
            **_ids(invocation),
        )
    return records


def _report_target(
    invocation: Invocation,
    watch: Watch,
    target: TargetSpec,
    item: Delivery,
    records: list[dict[str, Any]],
    report: dict[str, Any],
) -> None:
    """The target's figures in the answer, its ``watch delivery`` line, and the alert."""
    left = sum(len(record["pending"]) for record in records)
    waited = max((record["pending_ticks"] for record in records), default=0)
    report["delivered"] += len(item.acknowledged)
    report["pending"] += left
    report["targets"][target.name] = {
        "kind": target.kind,
        "delivered": len(item.acknowledged),
        "pending": left,
        "sends": item.sends,
    }
    logs.emit(
        "INFO" if item.reason is None else "WARNING",
        "watch delivery",
        detail=(
            f"target {target.name} ({target.kind}, {item.where}): "
            f"{len(item.acknowledged)} events delivered in {item.sends} sends, {left} pending"
            + (f"; last failure: {item.reason}" if item.reason else "")
        ),
        **_ids(invocation),
    )
    if waited >= watch.alert_after_ticks:
        logs.emit(
            "ERROR",
            f"watch target undelivered: changes have waited {waited} ticks "
            f"(alert_after_ticks {watch.alert_after_ticks})",
            detail=f"target {target.name} ({target.kind}): {left} events pending; "
            f"{item.reason or 'no attempt this tick'}",
            **_ids(invocation),
        )


def _memory_time(invocation: Invocation, at_least: float = 0.0) -> float:
    return max(at_least, min(1.0, invocation.deadline.remaining() * MEMORY_SHARE))


def _deliver_all(
    invocation: Invocation,
    watch: Watch,
    resolve: Resolver,
    pending: dict[str, list[dict[str, Any]]],
) -> dict[str, Delivery]:
    """Every target's pending events, each target in its own thread, all by one deadline."""
    ends = invocation.deadline.at - SAVE_RESERVE_SECONDS
    found: dict[str, Delivery] = {}
    lock = threading.Lock()

    def work(spec: TargetSpec) -> None:
        delivery = _deliver(spec, watch, resolve, pending[spec.name], ends)
        with lock:
            found[spec.name] = delivery

    threads = [
        threading.Thread(target=work, args=(spec,), name=f"watch-{spec.name}", daemon=True)
        for spec in watch.targets
        if pending[spec.name]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, ends - time.monotonic()) + 0.05)
    with lock:
        return {
            spec.name: found.get(
                spec.name,
                Delivery(
                    spec.name,
                    spec.kind,
                    spec.hosts[0],
                    frozenset(),
                    0,
                    "out of time" if pending[spec.name] else None,
                ),
            )
            for spec in watch.targets
        }


def _deliver(
    spec: TargetSpec, watch: Watch, resolve: Resolver, events: list[dict[str, Any]], ends: float
) -> Delivery:
    try:
        target = resolve(spec, max(0.05, min(1.0, (ends - time.monotonic()) * 0.2)))
    except TargetError as error:
        return Delivery(spec.name, spec.kind, spec.hosts[0], frozenset(), 0, str(error))
    poster = Poster()
    try:
        return _send_all(target, watch, events, ends, poster)
    finally:
        poster.close()


def _send_all(
    target: Target, watch: Watch, events: list[dict[str, Any]], ends: float, poster: Poster
) -> Delivery:
    spec = target.spec
    acknowledged: set[str] = set()
    sends, reason = 0, None
    spacing = SPACING_SECONDS.get(spec.kind, 0.0)
    for message in messages(spec.kind, watch.rules.watch, _unique(events)):
        attempt = 0
        while True:
            if sends >= SENDS_PER_TICK[spec.kind]:
                reason = reason or "the platform's rate limit: the rest waits for the next tick"
                return _done(target, acknowledged, sends, reason)
            # The platform's spacing (Feishu's) is never cut short: a pause and an attempt
            # that do not both fit leave the message for the next tick.
            pause = spacing if sends else 0.0
            if ends - time.monotonic() < pause + MIN_ATTEMPT_SECONDS:
                return _done(target, acknowledged, sends, reason or "out of time")
            if pause:
                time.sleep(pause)
            sends += 1
            result = _attempt(target, message, watch, ends, poster)
            if result.acknowledged:
                acknowledged.update(event["id"] for event in message.events)
                break
            reason = scrub(result.reason, target)
            if not result.retry:
                return _done(target, acknowledged, sends, reason)
            attempt += 1
            ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)
            pause = random.uniform(0, ceiling)  # noqa: S311  # nosec B311 - jitter, not a secret
            if time.monotonic() + pause + MIN_ATTEMPT_SECONDS > ends:
                return _done(target, acknowledged, sends, reason)
            time.sleep(pause)
    return _done(target, acknowledged, sends, None)  # every message acknowledged


def _unique(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    kept = []
    for event in events:
        if event["id"] not in seen:
            seen.add(event["id"])
            kept.append(event)
    return kept


def _done(target: Target, acknowledged: set[str], sends: int, reason: str | None) -> Delivery:
    return Delivery(
        target.name, target.kind, masked_url(target.url), frozenset(acknowledged), sends, reason
    )


def _attempt(target: Target, message: Message, watch: Watch, ends: float, poster: Poster) -> Result:
    import http.client

    url, body, headers = request_for(target, message, watch.rules.watch, time.time())
    try:
        status, data, retry_after = poster.post(
            url, body, headers, min(ends, time.monotonic() + ATTEMPT_SECONDS)
        )
    except TimeoutError:
        return Result(False, "timed out", retry=True)
    except (OSError, http.client.HTTPException) as error:
        return Result(False, f"network error ({type(error).__name__})", retry=True)
    return interpret(target.kind, status, data, retry_after)
