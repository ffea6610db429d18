"""``autocallout watch``: a watching timer's ticks on this machine, to see its events first.

Each tick is one timer invocation of the function itself (``main_handler``, the watch in its
Message), on the fake CCC in this process by default or on ``--ccc-endpoint``. What the cloud
reads from Redis and SSM comes from the command line instead: the targets' URLs and secrets as
given (``--webhook URL --webhook-secret whsec_…``, ``--wecom URL``, ``--feishu URL``
``--feishu-secret S``, ``--dingtalk URL --dingtalk-secret S``; https to each platform's own host,
or http to this machine), and the memory in this process, or in ``--redis-url``. Every new event
is printed on stdout as one JSON line; each tick's summary goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import urllib.request
from typing import Any

KINDS = ("webhook", "wecom", "feishu", "dingtalk")


def add_parser(commands: Any) -> None:
    """The ``watch`` subcommand (cli.build_parser calls this)."""
    from autocallout import cli

    watch = commands.add_parser(
        "watch",
        help="run a watching timer's ticks locally, printing each event and delivering it",
        description="Run the timer loop of a watch on this machine: look the tasks up every "
        "--interval seconds, print each change as a JSON event on stdout and deliver it to the "
        "targets given. On the fake, --advance moves every watched task one step per tick.",
    )
    watch.add_argument(
        "--task",
        action="append",
        default=[],
        metavar="SDKAPPID:TASKID",
        type=_task,
        help="a task to watch (repeat for more; default 1400000000:4, a task that moves)",
    )
    watch.add_argument("--ticks", type=cli._count, default=0, help="ticks to run (0: until Ctrl-C)")
    watch.add_argument(
        "--interval", type=_seconds, default=5.0, metavar="SECONDS", help="between ticks (5)"
    )
    watch.add_argument(
        "--advance",
        action="store_true",
        help="on the fake, move every watched task one step before each tick",
    )
    watch.add_argument(
        "--events",
        default="state,progress,lookup",
        help="which events: some of state,progress,lookup (all)",
    )
    watch.add_argument("--progress-step", type=int, default=25, metavar="PERCENT", help="(25)")
    for kind in KINDS:
        watch.add_argument(f"--{kind}", metavar="URL", help=f"deliver to this {kind} URL")
        if kind != "wecom":
            watch.add_argument(
                f"--{kind}-secret",
                metavar="SECRET",
                help="its signing secret" + (" (whsec_…)" if kind == "webhook" else ""),
            )
    watch.add_argument(
        "--redis-url",
        metavar="URL",
        help="keep the watch's memory in this Redis (default: in this process)",
    )
    watch.add_argument(
        "-v", "--verbose", action="store_true", help="show the function's log lines on stderr"
    )
    cli._add_target_options(watch)
    watch.set_defaults(run=run)


def _task(text: str) -> tuple[int, int]:
    app, _, task = text.partition(":")
    if not (app.isdigit() and task.isdigit() and int(app) >= 1 and int(task) >= 1):
        raise argparse.ArgumentTypeError(
            f"expected SDKAPPID:TASKID such as 1400000000:4, got {text!r}"
        )
    return int(app), int(task)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 3600, got {text!r}")
    return value


def _watch_message(args: argparse.Namespace, tasks: list[tuple[int, int]]) -> dict[str, Any]:
    targets = []
    for kind in KINDS:
        if getattr(args, kind):
            target = {"name": f"local-{kind}", "kind": kind, "secret": f"local-{kind}:cli"}
            if kind == "webhook":
                from urllib.parse import urlsplit

                target["host"] = (urlsplit(args.webhook).hostname or "localhost").lower()
            targets.append(target)
    return {
        "tasks": [{"SdkAppId": app, "TaskId": task} for app, task in tasks],
        "watch": {
            "name": "local",
            "events": [item.strip() for item in args.events.split(",") if item.strip()],
            "progress_step": args.progress_step,
            "targets": targets,
        },
    }


def _wiring(args: argparse.Namespace) -> Any:
    from callout_task.redis_wire import RedisConnection, parse_redis_url
    from callout_task.watch_config import TargetSpec
    from callout_task.watch_memory import Memory, ProcessMemory, RedisMemory
    from callout_task.watch_targets import Target, checked_target
    from callout_task.watch_tick import Wiring

    from autocallout.cli import CommandError

    memory: Memory = ProcessMemory()
    if args.redis_url:
        try:
            memory = RedisMemory(RedisConnection(parse_redis_url(args.redis_url)))
        except ValueError as error:
            raise CommandError(f"--redis-url {error}") from None

    def resolve(spec: TargetSpec, timeout: float) -> Target:
        secret = getattr(args, f"{spec.kind}_secret", None)
        return checked_target(spec, getattr(args, spec.kind), secret)

    out = sys.stdout  # the function's own lines go elsewhere while it runs

    def show(event: dict[str, Any]) -> None:
        print(json.dumps(event, ensure_ascii=False), file=out, flush=True)

    return Wiring(memory, resolve, show)


def _check_targets(args: argparse.Namespace, message: dict[str, Any]) -> None:
    """Bad target options are one line now, not a failed delivery at every tick."""
    from callout_task.problems import InvalidRequest
    from callout_task.watch_config import watch_request
    from callout_task.watch_targets import TargetError, checked_target

    from autocallout.cli import CommandError

    try:
        request = watch_request(message)
    except InvalidRequest as problem:
        raise CommandError(problem.detail) from None
    for spec in request.watch.targets if request is not None else ():
        try:
            checked_target(
                spec, getattr(args, spec.kind), getattr(args, f"{spec.kind}_secret", None)
            )
        except TargetError as error:
            raise CommandError(
                f"--{spec.kind}: {error}".replace(f"target {spec.name}: ", "")
            ) from None
    for kind in KINDS:
        if getattr(args, f"{kind}_secret", None) and not getattr(args, kind):
            raise CommandError(f"--{kind}-secret goes with --{kind}")


def _advance(target: str, tasks: list[tuple[int, int]]) -> None:
    """Move each task one step on the fake: in this process, or through its /_fake/ API."""
    if target.startswith("CCC at "):
        endpoint = target[len("CCC at ") :]
        for app, task in tasks:
            request = urllib.request.Request(  # noqa: S310 - an http(s) endpoint checked by the CLI
                f"{endpoint}/_fake/tasks/advance",
                data=json.dumps({"SdkAppId": app, "TaskId": task}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5):  # noqa: S310  # nosec B310
                pass
        return
    from autocallout.fake_ccc.mock import active_backend

    backend = active_backend()
    for app, task in tasks:
        with contextlib.suppress(Exception):  # a task the fake lacks: its lookup says so
            backend.advance_task(app, task)


def run(args: argparse.Namespace) -> int:
    from callout_task import watch_tick
    from callout_task.handler import main_handler

    from autocallout import cli

    tasks = args.task or [(1400000000, 4)]
    message = _watch_message(args, tasks)
    _check_targets(args, message)
    if args.advance and args.live:
        raise cli.CommandError("--advance moves tasks on the fake: not with --live")
    wiring = _wiring(args)
    event = {"Type": "Timer", "TriggerName": "watch", "Message": json.dumps(message)}
    watch_tick.wire_locally(wiring)
    done = 0
    try:
        with cli._function_target(args, in_process=args.ccc_endpoint is None) as target:
            cli._say(
                args, f"watching {len(tasks)} task(s), {len(message['watch']['targets'])} target(s)"
            )
            while True:
                if args.advance and done:
                    _advance(target, tasks)
                logs = sys.stderr if args.verbose else io.StringIO()
                with contextlib.redirect_stdout(logs):
                    answer = main_handler(event, {"time_limit_in_ms": args.time_limit_ms})
                done += 1
                report = answer.get("watch", {})
                states = ", ".join(
                    f"{result.get('task_id')}: {result.get('state') or result.get('status')}"
                    for result in answer.get("results", [])
                )
                cli._say(
                    args,
                    f"tick {done}: {states}; delivered {report.get('delivered', 0)}, "
                    f"pending {report.get('pending', 0)}"
                    + (f" (memory {report['memory']})" if report.get("memory") else ""),
                )
                if args.ticks and done >= args.ticks:
                    break
                time.sleep(args.interval)
    except KeyboardInterrupt:
        cli._say(args, f"stopped after {done} tick(s)")
    finally:
        watch_tick.wire_locally(None)
    return 0
