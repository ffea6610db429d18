"""Cold start as SCF runs the zip, on each runtime's own interpreter (part of ``make bench``).

For Python3.12 and Python3.10, when this machine has the interpreter: the function's zip as
``make package`` builds it (bytecode included), and a raw-SDK zip built the obvious way (pip
installs ``tencentcloud-sdk-python-ccc`` next to ``bench/raw_sdk_index.py``, no bytecode). Each
is unpacked into a read-only directory; every run is a fresh ``python -I -S -B`` of that runtime
(PYTHONDONTWRITEBYTECODE=1 too) with only that directory on ``sys.path``, answering one Function
URL GET: timed from spawn to exit, its peak RSS from its own VmHWM (``wait4`` reports the
parent's size when that was larger at fork). The two zips alternate, and each ratio divides
medians of the same run.
"""

from __future__ import annotations

import statistics

# pip and the runtimes' interpreters with fixed command lines: subprocess is safe.
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import common

from autocallout import package
from autocallout.packaged_runtime import unpack_read_only
from autocallout.runtimes import RUNTIMES, find_interpreter

CHILD = common.BENCH / "scf_cold_child.py"
RAW_SDK_HANDLER = common.BENCH / "raw_sdk_index.py"
# The SDK at the function's versions, and whatever they pull in, resolved by pip as anyone would.
RAW_SDK_REQUIREMENTS = (
    "tencentcloud-sdk-python-ccc==3.1.177",
    "tencentcloud-sdk-python-common==3.1.195",
)
KINDS = ("function", "raw_sdk", "raw_sdk_pyc")
SIZES = (1, 1_000)
# The function alone (the raw SDK needs 250 MB and more there): peak RSS at the answers issue 26
# names, 385 000 callees with a session each (33.5 MB) and 680 000 without (31.8 MiB).
LARGE_SIZES = common.LARGE_SIZES
LARGE_RUNS = 3
MB = 1_000_000

RunChild = Callable[[Sequence[str], dict[str, str]], Any]  # run.run_child


def raw_sdk_zip(runtime: str, out: Path, interpreter: Path | None = None) -> Path:
    """The raw-SDK function zipped the obvious way: pip's install of the SDK, plus index.py;
    given the runtime's ``interpreter``, with every module compiled by it (as the function's
    zip is): the fair floor, the bare typed call done right."""
    with tempfile.TemporaryDirectory(prefix="bench-raw-sdk-") as scratch:
        target = Path(scratch)
        subprocess.run(  # noqa: S603  # nosec B603
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-input",
                "--no-compile",
                "--disable-pip-version-check",
                "--no-warn-conflicts",
                "--only-binary=:all:",
                f"--platform={package.PLATFORM}",
                "--implementation=cp",
                f"--python-version={RUNTIMES[runtime]}",
                f"--target={target}",
                *RAW_SDK_REQUIREMENTS,
            ],
            check=True,
        )
        (target / "index.py").write_bytes(RAW_SDK_HANDLER.read_bytes())
        if interpreter is not None:
            subprocess.run(  # noqa: S603  # nosec B603
                [
                    str(interpreter),
                    "-m",
                    "compileall",
                    "-q",
                    "--invalidation-mode",
                    "unchecked-hash",
                    str(target),
                ],
                check=True,
            )
        destination = out / f"raw-sdk-{runtime}{'-pyc' if interpreter else ''}.zip"
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file() and (interpreter or "__pycache__" not in path.parts):
                    archive.write(path, path.relative_to(target).as_posix())
    return destination


@contextmanager
def unpacked(zips: dict[str, Path]) -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="bench-scf-") as scratch:
        roots = {}
        for kind, zip_path in zips.items():
            roots[kind] = Path(scratch) / kind
            unpack_read_only(zip_path, roots[kind])
        try:
            yield roots
        finally:
            for root in roots.values():
                for path in [root, *root.rglob("*")]:
                    if path.is_dir():
                        path.chmod(0o755)


def summarise(values: Sequence[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def measure_runtime(
    runtime: str, runs: int, env: dict[str, str], run_child: RunChild, log: Callable[[str], None]
) -> dict[str, Any]:
    interpreter = find_interpreter(runtime)
    if interpreter is None:
        log(f"scf cold {runtime}: SKIPPED, no CPython {RUNTIMES[runtime]} on this machine")
        return {"skipped": f"no CPython {RUNTIMES[runtime]} on this machine"}
    work = Path(tempfile.mkdtemp(prefix=f"bench-{runtime}-"))
    built = package.build(runtime, work / "dist", say=log)
    zips = {
        "function": built.zip_path,
        "raw_sdk": raw_sdk_zip(runtime, work),
        "raw_sdk_pyc": raw_sdk_zip(runtime, work, interpreter.path),
    }
    child_env = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
    result: dict[str, Any] = {
        "interpreter": interpreter.version,
        "zip_bytes": {kind: path.stat().st_size for kind, path in zips.items()},
        "bytecode_files": {
            kind: sum(1 for n in zipfile.ZipFile(path).namelist() if n.endswith(".pyc"))
            for kind, path in zips.items()
        },
    }
    with unpacked(zips) as roots:
        for size in SIZES:
            samples: dict[str, list[Any]] = {kind: [] for kind in KINDS}
            for turn in range(runs):
                order = KINDS[turn % len(KINDS) :] + KINDS[: turn % len(KINDS)]
                for kind in order:
                    argv = [
                        str(interpreter.path),
                        "-I",
                        "-S",
                        "-B",
                        str(CHILD),
                        str(roots[kind]),
                        str(size),
                    ]
                    samples[kind].append(run_child(argv, child_env))
            entry = {
                kind: {
                    "wall_s": summarise([r.wall for r in kind_runs]),
                    "max_rss_bytes": summarise([r.inner["peak"] for r in kind_runs]),
                    "inner_import_s": summarise([r.inner.get("import", 0.0) for r in kind_runs]),
                    "inner_invoke_s": summarise([r.inner.get("invoke", 0.0) for r in kind_runs]),
                }
                for kind, kind_runs in samples.items()
            }
            result[str(size)] = entry
            f, r, p = entry["function"], entry["raw_sdk"], entry["raw_sdk_pyc"]
            log(
                f"scf cold {runtime} {size:>5} callees: function"
                f" {f['wall_s']['median'] * 1000:.0f} ms {mb(f['max_rss_bytes']['median'])} MB,"
                f" raw SDK {r['wall_s']['median'] * 1000:.0f} ms"
                f" {mb(r['max_rss_bytes']['median'])} MB,"
                f" raw SDK with bytecode {p['wall_s']['median'] * 1000:.0f} ms"
            )
        for size in LARGE_SIZES:
            argv = [str(interpreter.path), "-I", "-S", "-B", str(CHILD), str(roots["function"])]
            runs_large = [run_child([*argv, str(size)], child_env) for _ in range(LARGE_RUNS)]
            result[f"large-{size}"] = {
                "wall_s": summarise([r.wall for r in runs_large]),
                "max_rss_bytes": summarise([r.inner["peak"] for r in runs_large]),
                "inner_invoke_s": summarise([r.inner.get("invoke", 0.0) for r in runs_large]),
            }
            log(
                f"scf cold {runtime} {size:>6} callees: function peak"
                f" {mb(result[f'large-{size}']['max_rss_bytes']['max'])} MB"
            )
    for path in sorted(work.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    work.rmdir()
    return result


def measure(
    runs: int, env: dict[str, str], run_child: RunChild, log: Callable[[str], None]
) -> dict[str, Any]:
    return {
        runtime: measure_runtime(runtime, runs, env, run_child, log)
        for runtime in ("Python3.12", "Python3.10")
    }


def targets(scf: dict[str, Any], add: Callable[[str, float | None, float, str], None]) -> None:
    """The issue's goals, for each runtime measured: cold ratio, peak RSS, zip size."""
    for runtime, result in scf.items():
        if "1" not in result:
            continue
        cold = result["1"]
        add(
            f"cold 1 callee as SCF runs it, {runtime}: function zip / raw-SDK zip",
            cold["function"]["wall_s"]["median"] / cold["raw_sdk"]["wall_s"]["median"],
            0.6,
            "x",
        )
        add(
            f"cold 1 callee as SCF runs it, {runtime}: function zip / raw-SDK zip with bytecode",
            cold["function"]["wall_s"]["median"] / cold["raw_sdk_pyc"]["wall_s"]["median"],
            0.8,
            "x",
        )
        for size in LARGE_SIZES:
            if f"large-{size}" in result:
                add(
                    f"peak RSS as SCF runs it, {size:,} callees, {runtime} (highest of"
                    f" {LARGE_RUNS})",
                    result[f"large-{size}"]["max_rss_bytes"]["max"] / MB,
                    64,
                    "MB",
                )
        add(
            f"peak RSS as SCF runs it, 1 000 callees, {runtime}",
            result["1000"]["function"]["max_rss_bytes"]["median"] / MB,
            64,
            "MB",
        )
        add(f"function zip with bytecode, {runtime}", result["zip_bytes"]["function"] / MB, 5, "MB")


def mb(count: float, digits: int = 1) -> str:
    return f"{count / MB:.{digits}f}"


def section(scf: dict[str, Any] | None) -> list[str]:
    """The table and a blank line, or nothing when this part was not measured."""
    return [*render(scf), ""] if scf else []


def render(scf: dict[str, Any]) -> list[str]:
    lines = [
        "### Cold start as SCF runs the zip (the runtime's CPython, read-only, -I -S -B)",
        "",
        "| runtime | callees | function zip ms | raw-SDK zip ms | raw-SDK zip with bytecode ms"
        " | function ÷ raw | function ÷ raw with bytecode"
        " | import + invoke ms: function; raw; raw with bytecode | peak RSS MB: function / raw"
        " | zip MB: function / raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for runtime, result in scf.items():
        if "skipped" in result:
            lines.append(f"| {runtime} | – | skipped: {result['skipped']} | | | | | | | |")
            continue
        for size in SIZES:
            f, r = result[str(size)]["function"], result[str(size)]["raw_sdk"]
            p = result[str(size)]["raw_sdk_pyc"]
            sizes = result["zip_bytes"]

            def ms(entry: dict[str, Any], key: str) -> str:
                return f"{entry[key]['median'] * 1000:.0f}"

            lines.append(
                f"| {runtime} (CPython {result['interpreter']}) | {size:,} | {ms(f, 'wall_s')} |"
                f" {ms(r, 'wall_s')} | {ms(p, 'wall_s')} |"
                f" {f['wall_s']['median'] / r['wall_s']['median']:.2f} |"
                f" {f['wall_s']['median'] / p['wall_s']['median']:.2f} |"
                f" {ms(f, 'inner_import_s')} + {ms(f, 'inner_invoke_s')};"
                f" {ms(r, 'inner_import_s')} + {ms(r, 'inner_invoke_s')};"
                f" {ms(p, 'inner_import_s')} + {ms(p, 'inner_invoke_s')} |"
                f" {mb(f['max_rss_bytes']['median'])} / {mb(r['max_rss_bytes']['median'])} |"
                f" {mb(sizes['function'], 2)} / {mb(sizes['raw_sdk'], 2)} |"
            )
    lines += [
        "",
        "Peak RSS of the function's zip at the large answers (function only, highest of"
        f" {LARGE_RUNS} runs):",
        "",
        "| runtime | callees | CCC body | peak RSS MB | invoke ms (median) |",
        "|---|---:|---|---:|---:|",
    ]
    for runtime, result in scf.items():
        for size in LARGE_SIZES:
            entry = result.get(f"large-{size}")
            if entry:
                lines.append(
                    f"| {runtime} | {size:,} | {common.LARGE_SIZES[size]} |"
                    f" {mb(entry['max_rss_bytes']['max'])} |"
                    f" {entry['inner_invoke_s']['median'] * 1000:.0f} |"
                )
    return lines
