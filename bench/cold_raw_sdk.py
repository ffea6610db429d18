"""Cold start of the floor: ``python bench/cold_raw_sdk.py SIZE``.

A fresh interpreter imports the SDK, builds a ``CccClient`` for ``CCC_ENDPOINT`` and makes the
typed call ``DescribeAutoCalloutTask`` once for the bench task of SIZE callees, nothing else.
Exit status 0 when the answer has the task's callees. The last line on stderr is ``BENCH {json}``
(seconds from the script's first line: ``import``, then ``invoke``).
"""

import time

_START = time.perf_counter()

import json  # noqa: E402 - after the clock starts
import sys  # noqa: E402

import common  # noqa: E402


def main(size: int) -> int:
    from tencentcloud.ccc.v20200210 import models
    from tencentcloud.ccc.v20200210.ccc_client import CccClient  # noqa: F401 - timed import

    imported = time.perf_counter()
    request = models.DescribeAutoCalloutTaskRequest()
    request.SdkAppId = common.SDK_APP_ID
    request.TaskId = common.task_id(size)
    answer = common.sdk_client().DescribeAutoCalloutTask(request)
    done = time.perf_counter()
    ok = len(answer.Callees or []) == size
    report = {"import": imported - _START, "invoke": done - imported, "ok": ok}
    sys.stderr.write("BENCH " + json.dumps(report) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
