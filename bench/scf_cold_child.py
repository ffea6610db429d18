"""One cold start as SCF runs a zip: ``python -I -S -B bench/scf_cold_child.py CODE_DIR SIZE``.

Run by the runtime's own interpreter with only CODE_DIR (the unpacked zip, read-only) and the
standard library on ``sys.path``: it imports ``index`` and answers one Function URL GET for the
bench task of SIZE callees. It imports nothing of the repository (``-I`` keeps this folder off
``sys.path``), so the bench's constants it needs are repeated here. The last line on stderr is
``BENCH {json}``: seconds from the script's first line to ``import``, then ``invoke``, and the
peak resident set.
"""

import time

_START = time.perf_counter()

import json  # noqa: E402 - after the clock starts
import os  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402

SDK_APP_ID = 1400000900  # common.SDK_APP_ID; the task id is the size (common.task_id)


def peak() -> int:
    """This process's peak resident set in bytes: VmHWM, which belongs to the memory of this
    program only (wait4's ru_maxrss would still hold the parent's size at fork)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main(code_dir: str, size: int) -> int:
    stdlib = (sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"))
    sys.path[:] = [code_dir] + [p for p in sys.path if p.startswith(stdlib) or p.endswith(".zip")]
    import index

    imported = time.perf_counter()
    event = {
        "headers": {"accept": "application/json", "user-agent": "bench"},
        "httpMethod": "GET",
        "path": "/",
        "queryString": {"SdkAppId": str(SDK_APP_ID), "TaskId": str(size)},
    }
    context = {"request_id": "cold", "time_limit_in_ms": 60_000, "memory_limit_in_mb": 128}
    stdout = sys.stdout
    with open(os.devnull, "w", encoding="utf-8") as sink:  # the function's log line
        sys.stdout = sink
        answer = index.main_handler(event, context)
        sys.stdout = stdout
    done = time.perf_counter()
    body = json.loads(answer["body"]) if answer.get("statusCode") == 200 else {}
    # the function answers the task (and a page of its callees); the raw SDK, CCC's fields
    ok = body.get("task_id") == size or len(body.get("Callees") or []) == size
    report = {"import": imported - _START, "invoke": done - imported, "ok": ok, "peak": peak()}
    sys.stderr.write("BENCH " + json.dumps(report) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
