"""One watching tick of 50 tasks and 4 targets: how long, how many requests, how much memory.

    .venv/bin/python bench/watch_tick.py

The function in process on the fake CCC (in process), its memory in a real redis-server, one
local receiver per kind of target (tests/function/watch_receivers.py, which checks signatures).
Tick 1 tells every task's first state (200 events); the steady ticks after it find no change;
then every task moves on (200 events again). Times are wall clock on this machine, loopback only:
the cloud adds the robots' round trips (each target has its own thread, so they overlap).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(REPO),
    str(REPO / "src"),
    str(REPO / "functions" / "describe_auto_callout_task"),
]

from callout_task import handler  # noqa: E402

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, mock_ccc  # noqa: E402
from autocallout.redis_server import RedisServer, redis_server_binary  # noqa: E402
from tests.function.watch_receivers import Receiver  # noqa: E402

TASKS = range(100, 150)
KINDS = ("webhook", "wecom", "feishu", "dingtalk")


def main() -> None:
    binary = redis_server_binary()
    if binary is None:
        sys.exit("bench/watch_tick.py needs redis-server (apt-get install redis-server)")
    os.environ.update(
        TENCENTCLOUD_SECRETID=DEFAULT_CREDENTIALS.secret_id,
        TENCENTCLOUD_SECRETKEY=DEFAULT_CREDENTIALS.secret_key,
        TENCENTCLOUD_SESSIONTOKEN=DEFAULT_CREDENTIALS.token or "",
        LOG_LEVEL="ERROR",
    )
    receivers = {kind: Receiver(kind).__enter__() for kind in KINDS}
    message = {
        "tasks": [{"SdkAppId": 1400000000, "TaskId": task} for task in TASKS],
        "watch": {
            "name": "bench",
            "targets": [
                {"name": kind, "kind": kind, "secret": f"{kind}:v1"}
                | ({"host": "hooks.example.com"} if kind == "webhook" else {})
                for kind in KINDS
            ],
        },
    }
    event = {"Type": "Timer", "Message": json.dumps(message)}
    with RedisServer(binary) as redis, mock_ccc() as ccc:
        os.environ["RATE_LIMIT_REDIS_URL"] = redis.url
        for kind, receiver in receivers.items():
            ccc.secrets[(kind, "v1")] = receiver.ssm_value()
        for task in TASKS:
            callees = [{"Callee": f"13800{task:06d}", "State": 0} for _ in range(20)]
            ccc.put_task({"SdkAppId": 1400000000, "TaskId": task, "State": 0, "Callees": callees})

        def tick() -> tuple[float, dict[str, int]]:
            time.sleep(1.0)  # the rate limit's bucket refills, as between minutely ticks
            before = sum(len(r.received) for r in receivers.values())
            started = time.perf_counter()
            answer = handler.main_handler(event, {"time_limit_in_ms": 3000})
            took = time.perf_counter() - started
            sent = sum(len(r.received) for r in receivers.values()) - before
            report = answer["watch"]
            return took, {
                "events": report["events"],
                "delivered": report["delivered"],
                "requests": sent,
            }

        first = tick()
        steady = [tick() for _ in range(5)]
        for task in TASKS:
            ccc.advance_task(1400000000, task)
        moved = tick()
        # Memory apart: tracemalloc slows Python down several times, which would skew the times.
        for task in TASKS:
            ccc.update_task(1400000000, task, State=2)
        tracemalloc.start()
        measured = tick()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    for receiver in receivers.values():
        receiver.stop()
    qps = os.environ.get("RATE_LIMIT_QPS") or "20 (the default: CCC's limit per account)"
    print(f"RATE_LIMIT_QPS {qps}")
    print(f"first tick : {first[0] * 1000:7.1f} ms  {first[1]}")
    median = statistics.median(took for took, _ in steady)
    print(f"steady tick: {median * 1000:7.1f} ms  {steady[-1][1]} (median of 5)")
    print(f"all moved  : {moved[0] * 1000:7.1f} ms  {moved[1]}")
    print(f"memory     : {peak / 1e6:.1f} MB peak of Python allocations in a tick {measured[1]}")


if __name__ == "__main__":
    main()
