"""``autocallout demo``: every sample event through the function on the fake, summarised."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

from autocallout.fake_ccc import CccBackend, mock_ccc
from autocallout.local_invoke import (
    DEFAULT_TIME_LIMIT_MS,
    fake_environment,
    seeded_backend,
    status_of,
    trigger_of,
)


def _summary(answer: Any) -> tuple[str, str]:
    """(task state, callee summary) of an answer, or of its first result for timers."""
    if isinstance(answer, dict) and "statusCode" in answer:
        answer = json.loads(answer["body"]) if answer.get("body") else {}
    if isinstance(answer, dict) and isinstance(answer.get("results"), list):
        states = [r.get("state") or f"problem {r.get('status')}" for r in answer["results"]]
        return ", ".join(states), f"{len(states)} result(s)"
    if not isinstance(answer, dict) or "state" not in answer:
        detail = answer.get("title", "") if isinstance(answer, dict) else ""
        return "-", detail
    summary = answer["callee_summary"]
    counts = ", ".join(
        f"{name} {count}" for name, count in summary.items() if name != "total" and count
    )
    total = summary["total"]
    noun = "callee" if total == 1 else "callees"
    return answer["state"], f"{total} {noun}" + (f" ({counts})" if counts else "")


def _event(path: Path) -> Any:
    """The event in ``path``; ValueError naming the file when it cannot be read as JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ValueError(f"cannot read {path}: not UTF-8 text") from None
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ValueError(f"cannot read {path}: not JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"cannot read {path}: not JSON (nested too deeply)") from None


def run_demo(
    events_dir: Path, show: str, out: Any = None, backend: CccBackend | None = None
) -> int:
    from callout_task.handler import main_handler

    out = out or sys.stdout
    paths = sorted(events_dir.glob("*.json"))
    if not paths:
        raise ValueError(f"no sample events (*.json) in {events_dir}")
    rows = []
    full: Any = None
    with fake_environment(), mock_ccc(backend or seeded_backend(None)):
        for path in paths:
            event = _event(path)
            with contextlib.redirect_stdout(io.StringIO()):  # the function's own log lines
                answer = main_handler(event, {"time_limit_in_ms": DEFAULT_TIME_LIMIT_MS})
            rows.append((path.name, trigger_of(event), str(status_of(answer)), *_summary(answer)))
            if path.name == show:
                full = answer
    headings = ("event", "trigger", "status", "task state", "callees")
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    print("The function on the fake CCC, one invocation per file in events/:\n", file=out)
    for row in [headings, tuple("-" * w for w in widths), *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=out,
        )
    if full is not None:
        print(f"\nFull answer to events/{show}:", file=out)
        print(json.dumps(full, ensure_ascii=False, indent=2), file=out)
        if isinstance(full, dict) and full.get("body"):
            print("\nIts body, decoded:", file=out)
            print(json.dumps(json.loads(full["body"]), ensure_ascii=False, indent=2), file=out)
    return 0
