"""Parsing CCC's answer: the candidates side by side, on the interpreter that runs this script.

``python bench/parse_candidates.py [--quick]`` writes one JSON line per candidate and answer:
seconds (median of runs, each in a fresh process) and the process's peak RSS (``VmHWM``).
``bench/run.py`` runs it on CPython 3.12 and 3.10 in a virtualenv of their own
(``bench/.work/parse-py3.x``, the PyPI candidates at the versions below); docs/benchmarks.md
("Parsing CCC's answer") has the figures and the choice.

Each run reads the answer from a file in 256 KiB chunks, as the transport hands it over: the
streaming candidates take each chunk as it comes; the others are given the chunks joined, as
a transport that reads the whole body would. Every candidate must produce the same normalised
task as today's ``pydantic_core.from_json`` + ``normalise`` (checked once per answer).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
FUNCTION_DIR = BENCH.parent / "functions" / "describe_auto_callout_task"
CHUNK = 256 * 1024
PINS = (
    "ijson==3.6.0",
    "msgspec==0.22.0",
    "jiter==0.19.0; python_version >= '3.11'",
    "jiter==0.18.0; python_version < '3.11'",  # 0.19.0 needs 3.11: 0.18.0 is its newest for 3.10
    "pydantic-core==2.50.4",
)
# name -> (callees, sessions on every callee?)
ANSWERS = {
    "100 000 callees": (100_000, True),
    "385 000 callees": (385_000, True),
    "32 MiB, 680 000 callees": (680_000, False),
}
CANDIDATES = (
    "today",  # pydantic_core.from_json of the whole body, then normalise (GC paused)
    "stdlib-stream",  # callout_task.answer_stream (the standard library's C scanner), chunks
    "ijson-items",  # ijson yajl2_c items_coro over Response.Callees.item (callees only)
    "msgspec",  # msgspec.json.decode of the whole body, then normalise
    "jiter",  # jiter.from_json of the whole body, then normalise
)


def write_answer(path: Path, callees: int, sessions: bool) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"Response":{"SdkAppId":1400000900,"TaskId":7,"Name":"任务","State":1,')
        out.write('"NotBefore":1729905740,"Callers":["008610086"],"Callees":[')
        for index in range(callees):
            session = f'"5e2c{index:08x}-7a1b-4c3d-9e8f-{index * 7919 % 10**12:012d}"'
            out.write("," if index else "")
            out.write(
                f'{{"Callee":"138{index:08d}","State":{index % 5},'
                f'"Sessions":[{session if sessions else ""}]}}'
            )
        out.write('],"IvrId":2,"RequestId":"bench"}}')


def chunks(path: Path) -> Any:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def run_candidate(name: str, path: Path) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - one branch a candidate
    sys.path.insert(0, str(FUNCTION_DIR))
    from callout_task.answer_stream import valid_unicode
    from callout_task.normalise import CalleeDigest, normalise, normalise_digested
    from callout_task.request import TaskRequest

    request = TaskRequest(1400000900, 7, True, 0, 1000)
    started = time.perf_counter()
    if name == "stdlib-stream":
        from callout_task.answer_stream import AnswerParser

        digest = CalleeDigest(request)
        parser = AnswerParser("Callees", digest)
        for chunk in chunks(path):
            parser.feed(chunk)
        result = normalise_digested(parser.finish()["Response"], digest, request, parser.text_of)
    elif name == "ijson-items":
        import ijson

        digest = CalleeDigest(request)
        found = ijson.sendable_list()
        coroutine = ijson.items_coro(found, "Response.Callees.item", use_float=True)
        for chunk in chunks(path):
            coroutine.send(chunk)
            for entry in found:
                digest.add(entry)
            del found[:]
        coroutine.close()
        # the other fields: not read at all
        result = normalise_digested({}, digest, request, valid_unicode)
    elif name == "ijson-events":
        import ijson

        digest = CalleeDigest(request)
        events = ijson.sendable_list()
        coroutine = ijson.parse_coro(events, use_float=True)
        builder: Any = None
        response: dict[str, Any] = {}
        for chunk in chunks(path):
            coroutine.send(chunk)
            for prefix, event, value in events:
                if prefix.startswith("Response.Callees.item"):
                    if builder is None:
                        builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                    if prefix == "Response.Callees.item" and event in ("end_map", "end_array"):
                        digest.add(builder.value)
                        builder = None
                elif prefix.count(".") == 1 and event in ("string", "number", "boolean", "null"):
                    response[prefix[9:]] = value
            del events[:]
        coroutine.close()
        result = normalise_digested(response, digest, request, valid_unicode)
    else:
        body = b"".join(chunks(path))
        if name == "today":
            import gc

            from pydantic_core import from_json

            gc.disable()  # as the function did while it parsed (its gc_pause)
            envelope = from_json(body)
        elif name == "msgspec":
            import msgspec

            envelope = msgspec.json.decode(body)
        else:
            import jiter

            envelope = jiter.from_json(body)
        del body
        result = normalise(envelope["Response"], request)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb(), "result": result}


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1000
    return float("nan")


def measure(runs: int, names: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for label, (callees, sessions) in ANSWERS.items():
            path = Path(folder) / f"{callees}.json"
            write_answer(path, callees, sessions)
            size_mb = path.stat().st_size / 2**20
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for turn in range(runs):
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    child = subprocess.run(  # noqa: S603 - this script, this interpreter
                        [sys.executable, __file__, "--child", name, str(path)],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if child.returncode:
                        raise RuntimeError(f"{name} failed: {child.stderr[-2000:]}")
                    results[name].append(json.loads(child.stdout))
            reference = results["today"][0]["result"] if "today" in results else None
            for name, samples in results.items():
                same = reference is None or samples[0]["result"] == reference
                if name.startswith("ijson") and reference is not None:
                    # They read the callees only (items) or the scalars besides (events): judged
                    # on what they read.
                    got = samples[0]["result"]
                    same = all(got[k] == reference[k] for k in ("callee_summary", "callees"))
                out.append(
                    {
                        "answer": label,
                        "mib": round(size_mb, 1),
                        "candidate": name,
                        "seconds": statistics.median(s["seconds"] for s in samples),
                        "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
                        "same_output": same,
                        "runs": len(samples),
                    }
                )
    return out


# -- for bench/run.py: each runtime in a virtualenv of its own, with the candidates installed --
def measure_runtimes(quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    from autocallout.runtimes import find_interpreter

    results: dict[str, Any] = {}
    for runtime in ("Python3.12", "Python3.10"):
        interpreter = find_interpreter(runtime)
        if interpreter is None:
            results[runtime] = {"skipped": "no interpreter"}
            continue
        venv = BENCH / ".work" / f"parse-{runtime}"
        python = venv / "bin" / "python"
        if not python.exists():
            subprocess.run([str(interpreter.path), "-m", "venv", str(venv)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - pip with the pins above
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS],
            check=True,
        )
        runs = ["--runs", "1" if quick else "3"]
        done = subprocess.run(  # noqa: S603 - this script, that runtime
            [str(python), __file__, *runs], capture_output=True, text=True, check=True
        )
        results[runtime] = json.loads(done.stdout)
        for figure in results[runtime]["figures"]:
            log(
                f"parse {runtime} {figure['answer']}: {figure['candidate']}"
                f" {figure['seconds']:.3f} s {figure['peak_rss_mb']:.0f} MB"
            )
    return results


def _figure(result: dict[str, Any], answer: str, candidate: str) -> dict[str, Any] | None:
    for figure in result.get("figures", []):
        if figure["answer"] == answer and figure["candidate"] == candidate:
            return figure
    return None


def targets(parsing: dict[str, Any], add: Callable[[str, float | None, float, str], None]) -> None:
    for runtime, result in parsing.items():
        chosen = _figure(result, "100 000 callees", "stdlib-stream")
        today = _figure(result, "100 000 callees", "today")
        if chosen and today:
            add(
                f"parse 100 000 callees, {runtime}: streaming parse / today's whole-body parse",
                chosen["seconds"] / today["seconds"],
                1.0,
                "x",
            )
        for answer in ("385 000 callees", "32 MiB, 680 000 callees"):
            figure = _figure(result, answer, "stdlib-stream")
            if figure:
                add(f"parse {answer}, {runtime}: peak RSS", figure["peak_rss_mb"], 64, "MB")


def section(parsing: dict[str, Any] | None) -> list[str]:
    if not parsing:
        return []
    lines = [
        "### Parsing CCC's answer (bench/parse_candidates.py: median seconds, peak RSS MB)",
        "",
        "| runtime | answer | " + " | ".join(CANDIDATES) + " |",
        "|---|---|" + "---:|" * len(CANDIDATES),
    ]
    for runtime, result in parsing.items():
        if "figures" not in result:
            continue
        for answer in ANSWERS:
            cells = []
            for candidate in CANDIDATES:
                figure = _figure(result, answer, candidate)
                cells.append(
                    f"{figure['seconds']:.2f} s, {figure['peak_rss_mb']:.0f} MB"
                    + ("" if figure["same_output"] else " (differs)")
                    if figure
                    else "–"
                )
            lines.append(
                f"| {runtime} ({result['python']}) | {answer} | " + " | ".join(cells) + " |"
            )
    return [*lines, ""]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=list(CANDIDATES))
    args = parser.parse_args(argv)
    if args.child:
        name, path = args.child
        sys.stdout.write(json.dumps(run_candidate(name, Path(path))))
        return 0
    result = {
        "python": sys.version.split()[0],
        "figures": measure(args.runs, tuple(args.only)),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
