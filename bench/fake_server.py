"""The fake CCC for the benchmark, in its own process: ``python bench/fake_server.py [SIZE...]``.

It holds one task per size (``common.make_task``), pre-encodes each (the fake caches a task's
JSON once), prints its URL on one line and serves until its stdin closes. A process of its own
keeps the server's work off the measured interpreter's GIL.
"""

from __future__ import annotations

import sys

import common

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer


def main(argv: list[str]) -> int:
    sizes = [int(arg) for arg in argv] or list(common.SIZES)
    backend = CccBackend.seeded(tasks=[], credentials=(DEFAULT_CREDENTIALS,))
    for size in sizes:
        backend.put_task(common.make_task(size))
        backend.encoded_task(common.SDK_APP_ID, common.task_id(size))
    with FakeCccServer(backend) as url:
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # the parent closes our stdin to stop us
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
