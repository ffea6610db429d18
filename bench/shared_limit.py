"""The shared rate limit on Redis (``python bench/shared_limit.py [--quick]``; ``run.py`` runs it).

It starts its own redis-server (Debian's package) on loopback and the fake CCC in this process,
and measures

1. the budget: N processes invoke the function as fast as it answers for T seconds each, sharing
   one Redis budget of QPS, burst QPS; calls that reached the fake ÷ what the budget allows over
   the run (``QPS x span + burst``), goal 0.9 to 1.05;
2. the latency a check adds: ``take()`` of the Redis limiter against the local bucket's, on
   loopback, p50 and p99 over many checks that all pass;
3. the cold-start cost: a fresh process importing ``index`` and answering one invocation with
   ``RATE_LIMIT_REDIS_URL`` set against one without (both with the same limit), interleaved,
   medians; and, for the record, what importing redis-py would cost when it is installed (it is
   not a dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import common

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer
from autocallout.redis_server import RedisServer, redis_server_binary

QPS = 10
HAMMER = common.REPO / "tests" / "function" / "rate_limit_hammer.py"


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure_budget(
    url: str, redis_url: str, processes: int, seconds: float, backend: CccBackend
) -> dict[str, Any]:
    backend.reset()
    env = {
        **os.environ,
        **common.bench_environment(url),
        "RATE_LIMIT_QPS": str(QPS),
        "RATE_LIMIT_BURST": str(QPS),
        "RATE_LIMIT_REDIS_URL": redis_url,
        "RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "1.0",
        "LOG_LEVEL": "WARNING",
    }
    hammers = [
        subprocess.Popen(  # noqa: S603 - our own script, our own interpreter
            [sys.executable, str(HAMMER), str(seconds)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    outputs = [hammer.communicate(timeout=seconds * 20 + 60)[0] for hammer in hammers]
    calls = len(backend.calls_to(common.ACTION))
    results = [
        json.loads(line.removeprefix("RESULT "))
        for output in outputs
        for line in output.splitlines()
        if line.startswith("RESULT ")
    ]
    span = max(r["ended"] for r in results) - min(r["started"] for r in results)
    allowed = QPS * span + QPS
    return {
        "processes": processes,
        "seconds_each": seconds,
        "span_s": round(span, 3),
        "calls": calls,
        "allowed": round(allowed, 1),
        "ratio": round(calls / allowed, 3),
        "refused": sum(r["statuses"].get("429", 0) for r in results),
        "degraded_lines": sum(output.count("rate limit store unavailable") for output in outputs),
    }


def measure_check_latency(redis_url: str, checks: int) -> dict[str, Any]:
    from callout_task.rate_limit import TokenBucket
    from callout_task.redis_wire import parse_redis_url
    from callout_task.shared_rate_limit import SharedRateLimit

    # Limits no check reaches: every check is the full "go" path.
    shared = SharedRateLimit(parse_redis_url(redis_url), "bench:latency", 1e6, 10**9, 1.0)
    local = TokenBucket(1e6, 10**9)
    samples: dict[str, list[float]] = {"redis": [], "local": []}
    shared.take()  # connect outside the measurement
    for _ in range(checks):
        for name, limiter in (("redis", shared), ("local", local)):
            started = time.perf_counter()
            limiter.take(10.0)
            samples[name].append(time.perf_counter() - started)
    figures = {
        name: {"p50_ms": _quantile(s, 0.5) * 1000, "p99_ms": _quantile(s, 0.99) * 1000}
        for name, s in samples.items()
    }
    return {"checks": checks, **figures}


def _cold(env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds from spawn to exit, and the child's own time for the invocation."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own script, our own interpreter
        [sys.executable, str(common.BENCH / "cold_function.py"), str(common.FUNCTION_DIR), "1"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - started
    [report] = [line for line in done.stderr.splitlines() if line.startswith("BENCH ")]
    return wall, float(json.loads(report.removeprefix("BENCH "))["invoke"])


def measure_cold(url: str, redis_url: str, runs: int) -> dict[str, Any]:
    base = {**os.environ, **common.bench_environment(url), "RATE_LIMIT_QPS": "1000"}
    variants = {"local": base, "redis": {**base, "RATE_LIMIT_REDIS_URL": redis_url}}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for turn in range(runs):
        for name in sorted(variants, reverse=bool(turn % 2)):  # interleaved, order alternating
            samples[name].append(_cold(variants[name]))
    result: dict[str, Any] = {"runs": runs}
    for name, pairs in samples.items():
        result[f"{name}_ms"] = statistics.median(wall for wall, _ in pairs) * 1000
        result[f"{name}_invoke_ms"] = statistics.median(invoke for _, invoke in pairs) * 1000
    result["added_ms"] = result["redis_ms"] - result["local_ms"]
    result["added_invoke_ms"] = result["redis_invoke_ms"] - result["local_invoke_ms"]
    redis_py = _redis_py_import_ms(runs)
    if redis_py is not None:
        result["redis_py_import_ms"] = redis_py
    return result


def _redis_py_import_ms(runs: int) -> float | None:
    """Median ``import redis`` of redis-py under -X importtime, if installed; else None."""
    probe = [sys.executable, "-X", "importtime", "-c", "import redis"]
    times = []
    for _ in range(runs):
        done = subprocess.run(probe, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            return None
        last = [line for line in done.stderr.splitlines() if line.rstrip().endswith("| redis")]
        times.append(int(last[-1].split("|")[1]) / 1000)
    return statistics.median(times)


def measure(quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    binary = redis_server_binary()
    if binary is None:
        log("shared rate limit: redis-server is not installed (apt-get install redis-server)")
        return {"skipped": "redis-server is not installed"}
    backend = CccBackend.seeded(credentials=(DEFAULT_CREDENTIALS,))
    backend.put_task(common.make_task(1))
    results: dict[str, Any] = {"qps": QPS, "burst": QPS}
    with RedisServer(binary) as redis, FakeCccServer(backend) as url:
        results["budget"] = [
            measure_budget(url, redis.url, processes, 5.0 if quick else 10.0, backend)
            for processes in ((4,) if quick else (1, 4, 8))
        ]
        for entry in results["budget"]:
            log(f"shared limit, {entry['processes']} processes: ratio {entry['ratio']}")
        results["check_latency"] = measure_check_latency(redis.url, 500 if quick else 5000)
        results["cold"] = measure_cold(url, redis.url, 3 if quick else 11)
    log(f"shared limit: check {results['check_latency']}, cold {results['cold']}")
    return results


def render(results: dict[str, Any]) -> list[str]:
    lines = ["### Shared rate limit on Redis (loopback, Debian's redis-server)", ""]
    if "skipped" in results:
        return [*lines, f"not measured: {results['skipped']}", ""]
    lines += [
        f"Budget {results['qps']}/s, burst {results['burst']}; each process invokes the function "
        "as fast as it answers.",
        "",
        "| processes | seconds each | span s | calls to CCC | budget allows | ratio "
        "| goal 0.9–1.05 | 429s | degraded |",
        "|---:|---:|---:|---:|---:|---:|:-:|---:|---:|",
    ]
    for entry in results["budget"]:
        lines.append(
            f"| {entry['processes']} | {entry['seconds_each']:g} | {entry['span_s']:.1f} "
            f"| {entry['calls']} | {entry['allowed']:.0f} | {entry['ratio']:.3f} "
            f"| {'yes' if 0.9 <= entry['ratio'] <= 1.05 else '**no**'} "
            f"| {entry['refused']} | {entry['degraded_lines']} |"
        )
    check, cold = results["check_latency"], results["cold"]
    lines += [
        "",
        "| one check | p50 ms | p99 ms |",
        "|---|---:|---:|",
        f"| Redis (GCRA script, one round trip) | {check['redis']['p50_ms']:.3f} "
        f"| {check['redis']['p99_ms']:.3f} |",
        f"| local bucket | {check['local']['p50_ms']:.4f} | {check['local']['p99_ms']:.4f} |",
        "",
        "| cold start, one invocation | spawn to exit ms | first invocation ms |",
        "|---|---:|---:|",
        f"| local bucket | {cold['local_ms']:.0f} | {cold['local_invoke_ms']:.1f} |",
        f"| Redis configured (connect + first check) | {cold['redis_ms']:.0f} "
        f"| {cold['redis_invoke_ms']:.1f} |",
        f"| added | {cold['added_ms']:+.0f} | {cold['added_invoke_ms']:+.1f} |",
        "",
        f"Medians of {cold['runs']} interleaved runs each.",
    ]
    if "redis_py_import_ms" in cold:
        lines.append(
            f"`import redis` (redis-py, not a dependency) alone: "
            f"{cold['redis_py_import_ms']:.0f} ms."
        )
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    results = measure(args.quick, lambda text: print(text, file=sys.stderr, flush=True))
    print("\n".join(render(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
