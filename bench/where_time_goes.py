"""Where the time goes: ``python bench/where_time_goes.py [--size N] [--top K]``.

1. cProfile of one warm ``main_handler`` invocation for the task of N callees (default 100 000),
   after an untimed one, against the fake on loopback, with the garbage collector's share;
2. ``python -X importtime`` of a cold start (``import index`` and the first invocation, whose
   CCC call imports the SDK): the heaviest top-level imports and the heaviest modules.

Not part of ``make bench``: a tool for reading the numbers ``run.py`` gives.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import subprocess
import sys
import time
from typing import Any

import common
from run import fake_ccc, quiet_stdout

from autocallout.local_invoke import patched_environ


def warm_profile(size: int, top: int) -> None:
    with (
        fake_ccc([size]) as url,
        patched_environ(common.bench_environment(url)),
        quiet_stdout() as out,
    ):
        sys.path.insert(0, str(common.FUNCTION_DIR))
        import index

        event, context = common.function_url_event(size), common.scf_context("profile")
        index.main_handler(event, context)
        pauses: list[float] = []
        started: list[float] = []

        def on_gc(phase: str, info: dict[str, Any]) -> None:
            if phase == "start":
                started.append(time.perf_counter())
            elif started:
                pauses.append(time.perf_counter() - started.pop())

        gc.callbacks.append(on_gc)
        begin = time.perf_counter()
        index.main_handler(event, context)
        plain = time.perf_counter() - begin
        gc.callbacks.remove(on_gc)
        profiler = cProfile.Profile()
        profiler.enable()
        index.main_handler(event, context)
        profiler.disable()
        gc.disable()
        begin = time.perf_counter()
        index.main_handler(event, context)
        no_gc = time.perf_counter() - begin
        gc.enable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top)
        out.write(
            f"warm main_handler, {size} callees: {plain * 1000:.1f} ms "
            f"({len(pauses)} GC runs, {sum(pauses) * 1000:.1f} ms in them); "
            f"{no_gc * 1000:.1f} ms with the GC off\n"
        )
        out.write(text.getvalue())


def cold_imports(top: int) -> None:
    with fake_ccc([1]) as url:
        env = {**os.environ, **common.bench_environment(url)}
        completed = subprocess.run(  # noqa: S603 - our own interpreter and script
            [
                sys.executable,
                "-X",
                "importtime",
                str(common.BENCH / "cold_function.py"),
                str(common.FUNCTION_DIR),
                "1",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    entries: list[tuple[str, int, int]] = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own_text, cumulative_text, module = line[len("import time:") :].split("|")
        if own_text.strip().isdigit():
            entries.append((module.rstrip(), int(own_text), int(cumulative_text)))
    tops = [e for e in entries if not e[0].startswith("  ")]
    print("cold start (-X importtime of cold_function.py), heaviest top-level imports:")
    for name, _, cumulative in sorted(tops, key=lambda e: e[2], reverse=True)[:top]:
        print(f"  {cumulative / 1000:8.1f} ms  {name}")
    print("heaviest single modules (self time):")
    for name, own, _ in sorted(entries, key=lambda e: e[1], reverse=True)[:top]:
        print(f"  {own / 1000:8.1f} ms  {name.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=100_000, help="callees (100000)")
    parser.add_argument("--top", type=int, default=25, help="entries per listing (25)")
    args = parser.parse_args()
    warm_profile(args.size, args.top)
    cold_imports(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
