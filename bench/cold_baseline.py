"""Cold start of the obvious implementation: ``python bench/cold_baseline.py SIZE``.

A fresh interpreter imports ``baseline`` (pydantic and the SDK, up front) and answers one
Function URL invocation for the bench task of SIZE callees. Exit status 0 for a 200 answer. The
last line on stderr is ``BENCH {json}`` (seconds from the script's first line: ``import``, then
``invoke``).
"""

import time

_START = time.perf_counter()

import json  # noqa: E402 - after the clock starts
import sys  # noqa: E402

import common  # noqa: E402


def main(size: int) -> int:
    import baseline

    imported = time.perf_counter()
    answer = baseline.main_handler(common.function_url_event(size), common.scf_context("cold"))
    done = time.perf_counter()
    ok = answer["statusCode"] == 200 and f'"task_id": {common.task_id(size)}' in answer["body"]
    report = {"import": imported - _START, "invoke": done - imported, "ok": ok}
    sys.stderr.write("BENCH " + json.dumps(report) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
