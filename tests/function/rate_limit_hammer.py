"""One hammering caller, as its own process: ``python rate_limit_hammer.py SECONDS``.

It invokes the function (configured by the environment) as fast as it answers for SECONDS, and
prints one line ``RESULT {json}``: its statuses and when it started and stopped (wall clock, so
that several processes can be compared). After a 429 it pauses 10 ms, which still asks hundreds
of times a second, far above any limit under test.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from callout_task.handler import main_handler

EVENT = {
    "httpMethod": "GET",
    "path": "/",
    "headers": {},
    "queryString": {"SdkAppId": "1400000000", "TaskId": "3"},
}


def main(seconds: float) -> None:
    statuses: Counter[int] = Counter()
    # Settings, and the SDK the first CCC call would import, before the clock starts: that
    # import holds a token for up to a second on a loaded machine, while the other processes
    # do the same, and the budget would go unused for reasons that are not the limiter's.
    main_handler(dict(EVENT, httpMethod="OPTIONS"), {})
    import tencentcloud.ccc.v20200210.ccc_client  # noqa: F401

    started = time.time()
    while time.time() - started < seconds:
        answer = main_handler(EVENT, {"time_limit_in_ms": 10_000})
        statuses[answer["statusCode"]] += 1
        if answer["statusCode"] == 429:
            time.sleep(0.01)
    ended = time.time()
    result = {"statuses": dict(statuses), "started": started, "ended": ended}
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(float(sys.argv[1]))
