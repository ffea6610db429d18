"""Cold start of the function: ``python bench/cold_function.py FUNCTION_DIR SIZE``.

A fresh interpreter imports ``index`` from FUNCTION_DIR (as SCF does) and answers one Function
URL invocation for the bench task of SIZE callees, against ``CCC_ENDPOINT``. Exit status 0 only
for a 200 answer. The last line on stderr is ``BENCH {json}`` with the in-process split (seconds
from the script's first line: ``import``, then ``invoke``); the parent times the whole process.
"""

import time

_START = time.perf_counter()

import json  # noqa: E402 - after the clock starts
import sys  # noqa: E402

import common  # noqa: E402


def main(function_dir: str, size: int) -> int:
    sys.path.insert(0, function_dir)
    import index

    imported = time.perf_counter()
    answer = index.main_handler(common.function_url_event(size), common.scf_context("cold"))
    done = time.perf_counter()
    ok = answer.get("statusCode") == 200 and f'"task_id":{common.task_id(size)}' in answer["body"]
    report = {"import": imported - _START, "invoke": done - imported, "ok": ok}
    sys.stderr.write("BENCH " + json.dumps(report) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
