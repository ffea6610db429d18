"""A watch, as a timer's ``Message`` carries it: which tasks, which events, which targets.

    {"tasks": [{"SdkAppId": 1400000000, "TaskId": 3}, ...],
     "watch": {"name": "campaign", "events": ["state", "progress", "lookup"],
               "progress_step": 25, "failing_after": 2, "alert_after_ticks": 5,
               "targets": [{"name": "ops", "kind": "wecom", "secret": "watch-ops:v1"},
                           {"name": "crm", "kind": "webhook", "secret": "watch-crm:v1",
                            "host": "hooks.example.com"}]}}

A target names an SSM secret (``name:version``) holding its URL, or a JSON object
``{"url": …, "secret": …}`` with its signing secret: the Message (visible in the console) never
holds either. A robot's URL must be on its platform's host; a webhook's on the ``host`` given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from callout_task.events import MAX_TIMER_TASKS
from callout_task.problems import InvalidRequest
from callout_task.watch_events import EVENT_KINDS, Rules

TARGET_KINDS = ("webhook", "wecom", "feishu", "dingtalk")
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "wecom": ("qyapi.weixin.qq.com",),
    "feishu": ("open.feishu.cn", "open.larksuite.com"),
    "dingtalk": ("oapi.dingtalk.com",),
}
MAX_TARGETS = 8
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SECRET_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63}")
_WATCH_KEYS = frozenset(
    {
        "name",
        "events",
        "progress_step",
        "failing_after",
        "alert_after_ticks",
        "targets",
        "memory_ttl_seconds",
    }
)
_TARGET_KEYS = frozenset({"name", "kind", "secret", "host"})


class TargetSpec(NamedTuple):
    name: str
    kind: str
    secret: tuple[str, str]  # SSM (SecretName, VersionId)
    hosts: tuple[str, ...]  # where its URL may point (loopback is always allowed, over http)


class Watch(NamedTuple):
    rules: Rules
    targets: tuple[TargetSpec, ...]
    alert_after_ticks: int = 5  # an ERROR line once a change stayed undelivered this many ticks
    memory_ttl_seconds: int = 7 * 24 * 3600


class WatchRequest(NamedTuple):
    entries: list[Any]  # the tasks, each as a timer entry
    watch: Watch


def _fail(detail: str, field: str) -> InvalidRequest:
    return InvalidRequest(
        f"The timer's watch is invalid: {detail}", errors=[{"field": field, "message": detail}]
    )


def _whole(raw: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(f"{name} must be a whole number from {low} to {high}", f"watch.{name}")
    return value


def _target(raw: Any, position: int) -> TargetSpec:
    where = f"watch.targets[{position}]"
    if not isinstance(raw, Mapping):
        raise _fail("each target must be an object", where)
    unknown = sorted(set(raw) - _TARGET_KEYS)
    if unknown:
        raise _fail(f"unknown keys {unknown} (a target has name, kind, secret, host)", where)
    name, kind, secret, host = (raw.get(key) for key in ("name", "kind", "secret", "host"))
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _fail("name must be 1-64 letters, digits, '_', '.' or '-'", f"{where}.name")
    if kind not in TARGET_KINDS:
        raise _fail(f"kind must be one of {', '.join(TARGET_KINDS)}", f"{where}.kind")
    secret_name, _, version = secret.partition(":") if isinstance(secret, str) else ("", "", "")
    if not (_SECRET_PART.fullmatch(secret_name) and _SECRET_PART.fullmatch(version)):
        raise _fail("secret must be <SSM secret name>:<version id>", f"{where}.secret")
    if kind == "webhook":
        if not isinstance(host, str) or not _HOST.fullmatch(host):
            raise _fail("a webhook target needs the host its URL points to", f"{where}.host")
        hosts: tuple[str, ...] = (host.lower(),)
    else:
        if host is not None:
            where_to = PLATFORM_HOSTS[kind][0]
            raise _fail(f"a {kind} robot always posts to {where_to}", f"{where}.host")
        hosts = PLATFORM_HOSTS[kind]
    return TargetSpec(name, str(kind), (secret_name, version), hosts)


def parse_watch(raw: Any, default_name: str = "watch") -> Watch:
    if not isinstance(raw, Mapping):
        raise _fail("watch must be an object", "watch")
    unknown = sorted(set(raw) - _WATCH_KEYS)
    if unknown:
        raise _fail(f"unknown keys {unknown}", "watch")
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _fail("name must be 1-64 letters, digits, '_', '.' or '-'", "watch.name")
    kinds = raw.get("events", list(EVENT_KINDS))
    if (
        not isinstance(kinds, list)
        or not kinds
        or not all(isinstance(kind, str) and kind in EVENT_KINDS for kind in kinds)
    ):
        raise _fail(f"events must list some of {', '.join(EVENT_KINDS)}", "watch.events")
    targets_raw = raw.get("targets", [])
    if not isinstance(targets_raw, list) or len(targets_raw) > MAX_TARGETS:
        raise _fail(f"targets must be a list of at most {MAX_TARGETS}", "watch.targets")
    targets = tuple(_target(item, position) for position, item in enumerate(targets_raw))
    names = [target.name for target in targets]
    if len(set(names)) != len(names):
        raise _fail("target names must differ", "watch.targets")
    return Watch(
        rules=Rules(
            watch=name,
            kinds=frozenset(kinds),
            progress_step=_whole(raw, "progress_step", 25, 1, 100),
            failing_after=_whole(raw, "failing_after", 2, 1, 100),
        ),
        targets=targets,
        alert_after_ticks=_whole(raw, "alert_after_ticks", 5, 1, 10_000),
        memory_ttl_seconds=_whole(raw, "memory_ttl_seconds", 7 * 24 * 3600, 600, 90 * 24 * 3600),
    )


def watch_request(message: Any) -> WatchRequest | None:
    """The watch in a timer's parsed ``Message``; None when it carries none (plain lookups)."""
    if not isinstance(message, Mapping) or "watch" not in message:
        return None
    unknown = sorted(set(message) - {"watch", "tasks"})
    if unknown:
        raise _fail(f"a watching timer's Message has tasks and watch, not {unknown}", "Message")
    tasks = message.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise _fail("tasks must be a non-empty list of tasks", "tasks")
    if len(tasks) > MAX_TIMER_TASKS:
        raise _fail(f"tasks lists more than {MAX_TIMER_TASKS} tasks", "tasks")
    return WatchRequest(list(tasks), parse_watch(message["watch"]))
