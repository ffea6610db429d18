"""The benchmark suite (``make bench``): ``python bench/run.py [--quick] [--out FILE]``.

Everything runs against the fake CCC in server mode on loopback (its own process). It measures

1. cold start: a fresh process importing ``index`` and answering one invocation, against a fresh
   process making only the raw SDK typed call (and the obvious implementation), wall time from
   spawn to exit and the child's peak RSS; the same again from a copy of the code and its
   dependencies without bytecode (how a zip without pycs runs in SCF's read-only code directory,
   here on the dev interpreter); the import time
   of ``index`` alone under ``python -X importtime``;
2. warm: per-invocation latency of ``main_handler`` against the raw SDK call with a reused
   client, for tasks of 1, 1 000, 10 000 and 100 000 callees;
3. the obvious implementation (``bench/baseline.py``) on the same tasks;
4. the deployment zip: zipped and unzipped size;
5. the shared rate limit on Redis (``bench/shared_limit.py``): the budget used by N processes,
   the latency of one check, the cold-start cost of configuring it;
6. cold start as SCF runs the zip, on Python 3.12's and 3.10's own interpreters: the function's
   zip against a raw-SDK zip, and their peak RSS (``bench/scf_cold.py``).

Every figure is a median of repeated runs; every ratio compares figures of the same run, with
the contenders interleaved so that they share the machine's noise. The table goes to stdout (as
Markdown) and everything to ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import common
import parse_candidates
import scf_cold
import shared_limit

from autocallout.local_invoke import patched_environ

RESULTS = common.BENCH / "results.json"
# A quick run is a sanity check: its figures go here (git-ignored), never over the record.
QUICK_RESULTS = common.BENCH / ".work" / "results-quick.json"
RECORDED = (RESULTS, common.REPO / "docs" / "benchmarks.md")
DIST = common.REPO / "dist"
MiB = 1024 * 1024
# The runtime dependencies (top-level names as installed) copied for the no-bytecode cold start,
# where the function and the raw SDK share one directory: the zip's (pydantic-core,
# typing_extensions, the SDK's common package) and what the raw SDK also needs (pydantic for
# the obvious implementation; requests and its helpers for the SDK's clients).
RUNTIME_DEPENDENCIES = (
    "pydantic",
    "pydantic_core",
    "typing_extensions.py",
    "annotated_types",
    "typing_inspection",
    "tencentcloud",
    "requests",
    "urllib3",
    "idna",
    "charset_normalizer",
    "certifi",
)
COLD_KINDS = ("function", "raw_sdk", "baseline")
WARM_KINDS = ("raw_typed", "raw_call", "function", "baseline")


@dataclass(frozen=True)
class Plan:
    """How much to measure: ``--quick`` is a sanity run of about half a minute."""

    quick: bool
    import_runs: int
    cold_runs: dict[int, int]  # size -> runs (sizes absent are not measured cold)
    nobytecode_runs: int
    warm_budget_seconds: float
    warm_min_rounds: int
    warm_max_rounds: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 3, {1: 3, 1_000: 3}, 3, 0.4, 2, 50)
        return cls(False, 15, {1: 15, 1_000: 15, 10_000: 11, 100_000: 9}, 11, 10.0, 7, 400)


# -- statistics ---------------------------------------------------------------------------------
def summary(samples: Sequence[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    quartiles = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else [ordered[0]] * 3
    return {
        "median": statistics.median(ordered),
        "p25": quartiles[0],
        "p75": quartiles[2],
        "min": ordered[0],
        "max": ordered[-1],
        "n": len(ordered),
    }


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator else float("nan")


def rotated(items: Sequence[str], turn: int) -> list[str]:
    shift = turn % len(items)
    return [*items[shift:], *items[:shift]]


# -- the fake, in its own process ---------------------------------------------------------------
@contextlib.contextmanager
def fake_ccc(sizes: Sequence[int]) -> Iterator[str]:
    server = subprocess.Popen(  # noqa: S603 - our own script, our own interpreter
        [sys.executable, str(common.BENCH / "fake_server.py"), *map(str, sizes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None  # noqa: S101 - PIPE was asked for
        url = server.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the fake CCC did not start (see its error above)")
        yield url
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- cold start ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChildRun:
    wall: float  # seconds from spawn to exit, as the parent saw it
    max_rss: int  # bytes, the child's peak resident set
    inner: dict[str, Any]  # the child's own split: import, invoke


def run_child(argv: Sequence[str], env: dict[str, str]) -> ChildRun:
    """Spawn ``argv`` and time it to its exit; its peak RSS comes from ``wait4`` for that pid."""
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own scripts, our own interpreter
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None  # noqa: S101 - PIPE was asked for
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    text = stderr.decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}):\n{text}")
    inner: dict[str, Any] = {}
    for line in text.splitlines():
        if line.startswith("BENCH "):
            inner = json.loads(line[len("BENCH ") :])
    return ChildRun(wall, usage.ru_maxrss * 1024, inner)  # ru_maxrss is KiB on Linux


def cold_argv(kind: str, size: int, function_dir: Path) -> list[str]:
    python = sys.executable
    if kind == "function":
        return [python, str(common.BENCH / "cold_function.py"), str(function_dir), str(size)]
    if kind == "raw_sdk":
        return [python, str(common.BENCH / "cold_raw_sdk.py"), str(size)]
    if kind == "baseline":
        return [python, str(common.BENCH / "cold_baseline.py"), str(size)]
    if kind == "python":
        return [python, "-c", "pass"]
    raise ValueError(kind)


def measure_cold(
    kinds: Sequence[str],
    runs_by_size: dict[int, int],
    env: dict[str, str],
    function_dir: Path,
    log: Callable[[str], None],
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for size, runs in runs_by_size.items():
        samples: dict[str, list[ChildRun]] = {kind: [] for kind in kinds}
        for turn in range(runs):
            for kind in rotated(kinds, turn):
                samples[kind].append(run_child(cold_argv(kind, size, function_dir), env))
        entry: dict[str, Any] = {}
        for kind, kind_runs in samples.items():
            entry[kind] = {
                "wall_s": summary([r.wall for r in kind_runs]),
                "max_rss_bytes": summary([r.max_rss for r in kind_runs]),
                "inner_import_s": summary([r.inner.get("import", 0.0) for r in kind_runs]),
                "inner_invoke_s": summary([r.inner.get("invoke", 0.0) for r in kind_runs]),
            }
        results[str(size)] = entry
        log(
            f"cold {size:>6} callees: "
            + ", ".join(f"{k} {entry[k]['wall_s']['median'] * 1000:.0f} ms" for k in kinds)
        )
    return results


@contextlib.contextmanager
def unpacked_without_bytecode() -> Iterator[Path]:
    """The function and its dependencies copied without any ``__pycache__``, as SCF unpacks the
    zip: the children run with PYTHONDONTWRITEBYTECODE=1, so every cold start compiles them."""
    import pydantic  # only to find site-packages

    site = Path(pydantic.__file__).resolve().parent.parent
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    with tempfile.TemporaryDirectory(prefix="bench-nobytecode-") as scratch:
        root = Path(scratch)
        shutil.copytree(common.FUNCTION_DIR, root, ignore=ignore, dirs_exist_ok=True)
        for name in RUNTIME_DEPENDENCIES:
            source = site / name
            if source.is_dir():
                shutil.copytree(source, root / name, ignore=ignore)
            else:
                shutil.copy2(source, root / name)
        yield root


# -- import time --------------------------------------------------------------------------------
_MARK = "@@bench-import-mark"


def import_profile(
    statement: str, path: Path | None, env: dict[str, str]
) -> list[tuple[str, int, int]]:
    """``python -X importtime`` for ``statement``: (module, self us, cumulative us) per import
    made by the statement itself (the interpreter's own start-up imports are left out)."""
    setup = f"import sys; sys.path.insert(0, {str(path)!r}); " if path else "import sys; "
    code = f"{setup}sys.stderr.write({_MARK!r} + '\\n'); {statement}"
    completed = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-X", "importtime", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = completed.stderr.split(_MARK + "\n", 1)[1].splitlines()
    entries = []
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line[len("import time:") :].split("|")
        try:
            own, cumulative = int(fields[0]), int(fields[1])
        except ValueError:  # the header line
            continue
        entries.append((fields[2].rstrip(), own, cumulative))
    return entries


def top_level_total(entries: list[tuple[str, int, int]]) -> int:
    """Sum of the cumulative times of the statement's own (not nested) imports, microseconds."""
    return sum(cumulative for name, _, cumulative in entries if not name.startswith("  "))


def measure_imports(runs: int, env: dict[str, str], log: Callable[[str], None]) -> dict[str, Any]:
    statements = {
        "index": ("import index", common.FUNCTION_DIR),
        "sdk": (
            "from tencentcloud.ccc.v20200210 import models, ccc_client",
            None,
        ),
        "pydantic": ("import pydantic", None),
    }
    totals: dict[str, list[float]] = {name: [] for name in statements}
    last: dict[str, list[tuple[str, int, int]]] = {}
    for turn in range(runs):
        for name in rotated(list(statements), turn):
            statement, path = statements[name]
            entries = import_profile(statement, path, env)
            totals[name].append(top_level_total(entries) / 1e6)
            last[name] = entries
    index_entries = last["index"]
    by_self = sorted(index_entries, key=lambda e: e[1], reverse=True)[:15]
    by_cumulative = sorted(index_entries, key=lambda e: e[2], reverse=True)[:20]
    result: dict[str, Any] = {
        name: {"seconds": summary(samples), "modules": len(last[name])}
        for name, samples in totals.items()
    }
    result["index_top_self_us"] = [[n.strip(), s] for n, s, _ in by_self]
    result["index_top_cumulative_us"] = [[n, c] for n, _, c in by_cumulative]
    log(
        "import: "
        + ", ".join(f"{n} {result[n]['seconds']['median'] * 1000:.0f} ms" for n in statements)
    )
    return result


# -- warm ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def quiet_stdout() -> Iterator[TextIO]:
    """The function's log line goes to stdout; on the bench it goes to /dev/null (a real write,
    as to SCF's pipe) so that the table stays readable."""
    saved = sys.stdout
    with open(os.devnull, "w", encoding="utf-8") as sink:
        sys.stdout = sink
        try:
            yield saved
        finally:
            sys.stdout = saved


def comparable(body: str) -> Any:
    """A response body without the one field that differs per call."""
    document = json.loads(body)
    document.pop("upstream_request_id", None)
    return document


def measure_warm(plan: Plan, env: dict[str, str], log: Callable[[str], None]) -> dict[str, Any]:
    with patched_environ(env), quiet_stdout():
        sys.path.insert(0, str(common.FUNCTION_DIR))
        import baseline
        import index
        from tencentcloud.ccc.v20200210 import models

        client = common.sdk_client(env["CCC_ENDPOINT"])
        results: dict[str, Any] = {}
        for size in common.SIZES:
            event = common.function_url_event(size)
            params = {"SdkAppId": common.SDK_APP_ID, "TaskId": common.task_id(size)}

            def raw_typed(params: dict[str, int] = params) -> Any:
                request = models.DescribeAutoCalloutTaskRequest()
                request.SdkAppId = params["SdkAppId"]
                request.TaskId = params["TaskId"]
                return client.DescribeAutoCalloutTask(request)

            def raw_call(params: dict[str, int] = params) -> Any:
                return client.call(common.ACTION, params)

            def function(event: dict[str, Any] = event) -> Any:
                return index.main_handler(event, common.scf_context("warm"))

            def obvious(event: dict[str, Any] = event) -> Any:
                return baseline.main_handler(event, common.scf_context("warm"))

            contenders: dict[str, Callable[[], Any]] = {
                "raw_typed": raw_typed,
                "raw_call": raw_call,
                "function": function,
                "baseline": obvious,
            }
            # Once each untimed (first-use costs are cold start's), and the fairness check.
            answers = {kind: call() for kind, call in contenders.items()}
            if answers["function"]["statusCode"] != 200:
                raise RuntimeError(f"the function failed: {answers['function']}")
            same = comparable(answers["function"]["body"]) == comparable(
                answers["baseline"]["body"]
            )
            if not same:
                raise RuntimeError(f"function and baseline disagree on the {size}-callee task")
            body_bytes = len(answers["raw_call"])
            answer_bytes = len(answers["function"]["body"].encode())
            # Nothing big stays alive between calls: a warm instance holds no old answers, and
            # every live object makes the collector's full passes slower for all contenders.
            del answers
            gc.collect()
            samples: dict[str, list[float]] = {kind: [] for kind in contenders}
            started = time.perf_counter()
            rounds = 0
            while rounds < plan.warm_max_rounds and (
                rounds < plan.warm_min_rounds
                or time.perf_counter() - started < plan.warm_budget_seconds
            ):
                for kind in rotated(list(contenders), rounds):
                    call = contenders[kind]
                    begin = time.perf_counter()
                    call()
                    samples[kind].append(time.perf_counter() - begin)
                rounds += 1
            entry: dict[str, Any] = {
                kind: {"seconds": summary(values)} for kind, values in samples.items()
            }
            entry["same_output_as_baseline"] = same
            entry["body_bytes"] = body_bytes
            entry["answer_bytes"] = answer_bytes
            entry["rounds"] = rounds
            results[str(size)] = entry
            log(
                f"warm {size:>6} callees ({rounds} rounds): "
                + ", ".join(
                    f"{k} {entry[k]['seconds']['median'] * 1000:.2f} ms" for k in contenders
                )
            )
        return results


# -- package ------------------------------------------------------------------------------------
def measure_package(log: Callable[[str], None]) -> dict[str, Any]:
    from autocallout.package import current_build

    built_now = False
    if current_build(DIST) is None:
        log("package: dist/ has no build; building it with python -m autocallout.package")
        completed = subprocess.run(
            [sys.executable, "-m", "autocallout.package"],
            cwd=common.REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        built_now = completed.returncode == 0
        if not built_now:
            log("package: the build failed:\n" + completed.stderr[-2000:])
    built = current_build(DIST)
    if built is None:
        log("package: not built")
        return {"built": False}
    zip_path = built.zip_path
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    tops: dict[str, int] = {}
    for info in infos:
        top = info.filename.split("/", 1)[0]
        tops[top] = tops.get(top, 0) + info.file_size
    newest_source = max(
        (p.stat().st_mtime for p in common.FUNCTION_DIR.rglob("*") if p.is_file()), default=0
    )
    extensions = sorted({i.filename.rsplit("/", 1)[-1] for i in infos if ".so" in i.filename})
    result: dict[str, Any] = {
        "built": True,
        "built_by_bench": built_now,
        "path": str(zip_path.relative_to(common.REPO)),
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": sum(i.file_size for i in infos),
        "files": len(infos),
        "bytecode_files": sum(1 for i in infos if i.filename.endswith(".pyc")),
        "extension_modules": extensions,
        "older_than_function_code": zip_path.stat().st_mtime < newest_source,
        "largest_unzipped": sorted(tops.items(), key=lambda kv: kv[1], reverse=True)[:8],
    }
    log(
        f"package: {result['zip_bytes'] / MiB:.2f} MiB zipped, "
        f"{result['unzipped_bytes'] / MiB:.2f} MiB unzipped, {result['files']} files"
    )
    return result


# -- the machine --------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) * 1024
                break
    commit = None
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=common.REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "commit": commit,
        "load_average_before": os.getloadavg(),
    }


# -- targets and the table ----------------------------------------------------------------------
def med(entry: dict[str, Any], key: str = "seconds") -> float:
    return float(entry[key]["median"])


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, measured: float | None, limit: float, unit: str) -> None:
        out.append(
            {
                "target": name,
                "limit": limit,
                "measured": None if measured is None else round(measured, 3),
                "unit": unit,
                "met": None if measured is None else measured <= limit,
            }
        )

    warm = results.get("warm", {})
    if "100000" in warm:
        w = warm["100000"]
        add(
            "warm 100 000 callees: function / raw typed call",
            ratio(med(w["function"]), med(w["raw_typed"])),
            0.2,
            "x",
        )
    if "1" in warm:
        w = warm["1"]
        add(
            "warm 1 callee: function / raw typed call",
            ratio(med(w["function"]), med(w["raw_typed"])),
            1.05,
            "x",
        )
    cold = results.get("cold", {})
    if "1" in cold:
        c = cold["1"]
        add(
            "cold 1 callee: function / raw-SDK process",
            ratio(med(c["function"], "wall_s"), med(c["raw_sdk"], "wall_s")),
            1.25,
            "x",
        )
    nobytecode = results.get("cold_no_bytecode", {})
    if "1" in nobytecode:
        c = nobytecode["1"]
        add(
            "cold 1 callee, no bytecode (dev interpreter): function / raw-SDK process",
            ratio(med(c["function"], "wall_s"), med(c["raw_sdk"], "wall_s")),
            1.25,
            "x",
        )
    if "imports" in results:
        add("import of index (-X importtime)", med(results["imports"]["index"]) * 1000, 150, "ms")
    for size, limit in (("1", 64), ("1000", 64), ("100000", 64)):
        if size in cold:
            rss = cold[size]["function"]["max_rss_bytes"]["median"] / MiB
            add(f"cold peak RSS, {_count(size)} callees", rss, limit, "MiB")
    scf_cold.targets(results.get("scf", {}), add)
    parse_candidates.targets(results.get("parsing", {}), add)
    package = results.get("package", {})
    add("package zipped", package["zip_bytes"] / 1e6 if package.get("built") else None, 5, "MB")
    return out


def _count(size: str | int) -> str:
    return f"{int(size):,}".replace(",", " ")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def _mib(size: float) -> str:
    return f"{size / MiB:.1f}"


def cold_table(cold: dict[str, Any], title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| callees | function ms | raw SDK ms | obvious ms | function ÷ raw | obvious ÷ raw "
        "| import + invoke in process, ms: function; raw SDK "
        "| peak RSS MiB: function / raw / obvious |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, entry in cold.items():
        function, raw = entry["function"], entry["raw_sdk"]
        obvious = entry.get("baseline")
        f_wall, r_wall = med(function, "wall_s"), med(raw, "wall_s")
        o_wall = med(obvious, "wall_s") if obvious else None
        rss = " / ".join(
            _mib(e["max_rss_bytes"]["median"]) if e else "–" for e in (function, raw, obvious)
        )
        cells = [
            _count(size),
            _ms(f_wall),
            _ms(r_wall),
            _ms(o_wall) if o_wall is not None else "–",
            f"{ratio(f_wall, r_wall):.2f}",
            f"{ratio(o_wall, r_wall):.2f}" if o_wall is not None else "–",
            f"{_ms(med(function, 'inner_import_s'))} + {_ms(med(function, 'inner_invoke_s'))}; "
            f"{_ms(med(raw, 'inner_import_s'))} + {_ms(med(raw, 'inner_invoke_s'))}",
            rss,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    if results.get("plan", {}).get("quick"):
        lines += ["**Quick run (few repeats): a sanity check, not for docs/benchmarks.md.**", ""]
    lines += scf_cold.section(results.get("scf"))
    lines += parse_candidates.section(results.get("parsing"))
    if "cold" in results:
        lines += cold_table(results["cold"], "Cold start (fresh process, spawn to exit)")
        startup = results.get("python_startup")
        if startup:
            lines += [
                "",
                f"The interpreter alone (`python -c pass`): {_ms(med(startup, 'wall_s'))} ms, "
                f"{_mib(startup['max_rss_bytes']['median'])} MiB.",
            ]
        lines.append("")
    if "cold_no_bytecode" in results:
        lines += cold_table(
            results["cold_no_bytecode"],
            "Cold start without bytecode (dev interpreter, every module compiled on import)",
        )
        lines.append("")
    if "imports" in results:
        imports = results["imports"]
        lines += [
            "### Import time (`python -X importtime`, the statement's own imports)",
            "",
            "| import | ms | modules |",
            "|---|---:|---:|",
        ]
        for name, label in (
            ("index", "`import index`"),
            ("sdk", "the SDK's CCC client and models"),
            ("pydantic", "`import pydantic`"),
        ):
            lines.append(f"| {label} | {_ms(med(imports[name]))} | {imports[name]['modules']} |")
        lines.append("")
    if "warm" in results:
        lines += [
            "### Warm invocation (reused client, default page of 1 000 callees)",
            "",
            "| callees | raw typed call ms | raw `call()` ms | function ms | obvious ms "
            "| function ÷ raw typed | obvious ÷ raw typed | function ÷ obvious | CCC body MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size, entry in results["warm"].items():
            typed, call = med(entry["raw_typed"]), med(entry["raw_call"])
            function, obvious = med(entry["function"]), med(entry["baseline"])
            lines.append(
                f"| {_count(size)} | {_ms(typed)} | {_ms(call)} | {_ms(function)} "
                f"| {_ms(obvious)} | {ratio(function, typed):.2f} | {ratio(obvious, typed):.2f} "
                f"| {ratio(function, obvious):.2f} | {entry['body_bytes'] / 1e6:.2f} |"
            )
        lines.append("")
    package = results.get("package", {})
    lines += ["### Package", ""]
    if package.get("built"):
        lines += [
            "| zip | unzipped | files |",
            "|---:|---:|---:|",
            f"| {package['zip_bytes'] / 1e6:.2f} MB | {package['unzipped_bytes'] / 1e6:.2f} MB "
            f"| {package['files']} |",
        ]
    else:
        lines.append("not built")
    if "shared_rate_limit" in results:
        lines += ["", *shared_limit.render(results["shared_rate_limit"])]
    lines += ["", "### Targets", "", "| target | limit | measured | met |", "|---|---:|---:|:-:|"]
    for target in results["targets"]:
        measured = "–" if target["measured"] is None else f"{target['measured']:g}"
        met = {True: "yes", False: "**no**", None: "–"}[target["met"]]
        lines.append(
            f"| {target['target']} | {target['limit']:g} {target['unit']} "
            f"| {measured} {target['unit']} | {met} |"
        )
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a sanity run (~30 s), few repeats")
    parser.add_argument(
        "--out",
        type=Path,
        help="results JSON (bench/results.json; with --quick bench/.work/results-quick.json)",
    )
    args = parser.parse_args(argv)
    plan = Plan.make(args.quick)
    out: Path = args.out or (QUICK_RESULTS if plan.quick else RESULTS)
    if plan.quick and out.resolve() in {path.resolve() for path in RECORDED}:
        parser.exit(2, f"{parser.prog}: error: --quick never writes over the record ({out})\n")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    log(f"{'quick run, not for the record' if plan.quick else 'full run'}: results to {out}")

    began = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "plan": {
            "quick": plan.quick,
            "import_runs": plan.import_runs,
            "cold_runs": plan.cold_runs,
            "no_bytecode_runs": plan.nobytecode_runs,
            "warm_budget_seconds_per_size": plan.warm_budget_seconds,
            "warm_min_rounds": plan.warm_min_rounds,
            "request": "Function URL GET ?SdkAppId&TaskId: include_callees and callee_limit "
            "defaults (a page of up to 1000 callees)",
            "environment": "RATE_LIMIT_QPS=0 (local rate limit off), other settings default",
        },
    }
    with fake_ccc([*common.SIZES, *common.LARGE_SIZES]) as url:
        env = {**os.environ, **common.bench_environment(url)}
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        log(f"fake CCC on {url}")
        results["imports"] = measure_imports(plan.import_runs, env, log)
        results["cold"] = measure_cold(COLD_KINDS, plan.cold_runs, env, common.FUNCTION_DIR, log)
        with unpacked_without_bytecode() as unpacked:
            no_bytecode = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(unpacked)}
            runs = {1: plan.nobytecode_runs} | ({} if plan.quick else {1_000: plan.nobytecode_runs})
            log("cold, without bytecode:")
            results["cold_no_bytecode"] = measure_cold(
                ("function", "raw_sdk"), runs, no_bytecode, unpacked, log
            )
        results["python_startup"] = measure_cold(
            ("python",), {0: plan.import_runs}, env, common.FUNCTION_DIR, log
        )["0"]["python"]
        results["scf"] = scf_cold.measure(3 if plan.quick else 15, env, run_child, log)
        results["warm"] = measure_warm(plan, common.bench_environment(url), log)
    results["parsing"] = parse_candidates.measure_runtimes(plan.quick, log)
    results["package"] = measure_package(log)
    results["shared_rate_limit"] = shared_limit.measure(plan.quick, log)
    results["targets"] = targets(results)
    results["machine"]["load_average_after"] = os.getloadavg()
    results["duration_seconds"] = round(time.perf_counter() - began, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render(results))
    log(f"\n{out} written in {results['duration_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
