"""Mutation testing (``make mutation``): ``python mutation/run.py [--max-children N] [--out FILE]``.

mutmut changes the code one small way at a time (a mutant) and runs the tests that reach the
changed function; a mutant that no test notices shows a behaviour nothing pins. In scope: the
function's package ``callout_task`` (but ``request_schema``, which is generated data) and the
fake's ``signature``, ``wire`` and ``models``, against the fast tests (``tests/function`` and
``tests/fake`` without the property-based fuzzing and the cold-path subprocess probe).

mutmut derives a module's name from its path under ``src/``, and the function's package lives in
``functions/describe_auto_callout_task/``, so the run happens in a staged copy
(``build/mutation``) where both packages sit under ``src/``. Mutants that ``mypy --strict`` (part
of ``make check``) rejects are not run: the project's checks already refuse them.

Surviving mutants are either killed by a new test or argued equivalent in
``mutation/equivalent/<module>.toml``; the report (``docs/mutation.md``) lists every survivor
with its change and, where there is one, the argument.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import fnmatch
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import tomllib

REPO = Path(__file__).resolve().parent.parent
# Where the run happens (MUTATION_STAGE: another place, to look at the ledger during a run).
STAGE = Path(os.environ.get("MUTATION_STAGE") or REPO / "build" / "mutation")
EQUIVALENT = REPO / "mutation" / "equivalent"  # <module>.toml each
REPORT = REPO / "docs" / "mutation.md"
GOAL = 0.95  # of the non-equivalent mutants of callout_task, killed

FUNCTION_PACKAGE = REPO / "functions" / "describe_auto_callout_task" / "callout_task"
FAKE_MODULES = ("signature", "wire", "models")
TESTS = [
    "tests/function",
    "tests/fake",
    "--ignore=tests/function/test_fuzz.py",  # hypothesis: 2 500 examples, tens of seconds
    "--ignore=tests/function/test_cold_path.py",  # a subprocess: sees no mutant
    # 17 of the suite's 59 s. The first runs the function in child interpreters, where no mutant
    # is switched on; the second paces calls for 4 s, and the limiter it exercises is reached by
    # the faster tests of test_shared_rate_limit and test_rate_limit.
    "--deselect=tests/function/test_shared_rate_limit.py::"
    "test_processes_hammering_together_stay_within_one_budget_and_use_it",
    "--deselect=tests/function/test_shared_rate_limit.py::"
    "test_a_sequential_caller_at_three_quarters_of_the_limit_is_never_refused",
    # 44 s of every surviving mutant's run on the answer's path (17.9, 11.0 and 14.9 s of the
    # 173 s the selection takes): the big task read 7 bytes at a time, and 100 000 callees. The
    # same tests' other cases (1-byte and 256 KiB reads, the 10 000-callee task in the latter)
    # reach the same code; these two are about size, which the benchmarks measure.
    "--deselect=tests/function/test_paging_and_summary.py::"
    "test_every_sample_task_and_page_is_what_the_whole_answer_gives[as CCC writes-7]",
    "--deselect=tests/function/test_paging_and_summary.py::"
    "test_every_sample_task_and_page_is_what_the_whole_answer_gives[spaced-7]",
    "--deselect=tests/function/test_paging_and_summary.py::"
    "test_a_task_of_many_callees_pages_and_counts_as_the_whole_answer_does[100000]",
]

STAGE_PYPROJECT = """\
# Written by mutation/run.py for the staged copy it runs mutmut in; not the project's own.
[tool.pytest.ini_options]
# Plugins are named, not discovered (PYTEST_DISABLE_PLUGIN_AUTOLOAD); unraisableexception's
# forced garbage collection at exit is half a second of every mutant's run.
addopts = "-p no:cacheprovider -p no:unraisableexception -p _hypothesis_pytestplugin"
xfail_strict = true

[tool.mutmut]
source_paths = {source_paths}
only_mutate = {only_mutate}
do_not_mutate = ["src/callout_task/request_schema.py"]
also_copy = ["events", "functions", "infra", "docs", "src/autocallout"]
pytest_add_cli_args_test_selection = {tests}
# A mutant whose tests run longer than 8 times their recorded time (+ 1 s) is stopped and
# counted as a timeout. mutmut's default, 15, let one that hangs hold a worker for 7 minutes;
# surviving mutants, which run every test to the end, took at most 2.8 times it with 2 workers
# (their fixtures, a redis-server's start, are not in the recorded time); 4 workers share 2 cores.
timeout_multiplier = 8.0
type_check_command = ["mypy", "--output", "json", "src/callout_task", "src/autocallout/fake_ccc"]

[tool.mypy]
python_version = "3.10"
strict = true
mypy_path = ["src"]
explicit_package_bases = true
warn_unused_ignores = false  # mutmut marks its own lines with type: ignore

[[tool.mypy.overrides]]
module = ["tencentcloud.*", "responses.*", "mutmut.*"]
ignore_missing_imports = true
"""

# mutmut's exit codes, grouped as the report counts them.
KILLED, CAUGHT_BY_TYPES, TIMEOUT, SURVIVED, NO_TESTS, OTHER = (
    "killed",
    "caught by mypy",
    "timeout",
    "survived",
    "no tests",
    "suspicious (mutmut's word: neither passed nor failed cleanly)",
)
_OUTCOME = {1: KILLED, 3: KILLED, 0: SURVIVED, 5: NO_TESTS, 33: NO_TESTS, 37: CAUGHT_BY_TYPES}
_OUTCOME.update(dict.fromkeys((36, -24, 24, 152, 255), TIMEOUT))
NOT_RUN = "not run yet"  # a run stopped (or still going) before reaching the mutant


@dataclass
class Mutant:
    name: str  # e.g. callout_task.normalise.x__summary__mutmut_24
    outcome: str
    change: list[str]  # the diff's changed lines, "-old" then "+new"

    @property
    def module(self) -> str:
        return self.name.split(".x", 1)[0]

    @property
    def group(self) -> str:
        return "callout_task" if self.name.startswith("callout_task.") else "fake"


def source_modules() -> dict[str, str]:
    """Every module in scope, by name, with its path in the stage (src/...)."""
    modules = {
        f"callout_task.{path.stem}": f"src/callout_task/{path.name}"
        for path in sorted(FUNCTION_PACKAGE.glob("*.py"))
        if path.stem not in ("__init__", "request_schema")
    }
    modules.update(
        (f"autocallout.fake_ccc.{m}", f"src/autocallout/fake_ccc/{m}.py") for m in FAKE_MODULES
    )
    return modules


def scope(only: list[str]) -> tuple[list[str], list[str]]:
    """The modules to mutate and the mutant patterns to run for --only's arguments.

    An argument naming modules (``callout_task.answer_stream``, ``callout_task.watch_*``) runs
    every mutant of those modules; one naming mutants (``callout_task.events.x__depth*``,
    ``callout_task.events.*``) runs those. Either way only the modules they fall in are mutated
    and type-checked, which is most of the fixed cost of a run."""
    modules = source_modules()
    chosen: set[str] = set()
    patterns: list[str] = []
    for argument in only:
        named = [m for m in modules if fnmatch.fnmatchcase(m, argument)]
        if named:
            chosen.update(named)
            patterns.append(f"{argument}.*")
            continue
        holding = [
            m
            for m in modules
            if argument.startswith(f"{m}.x") or fnmatch.fnmatchcase(f"{m}.x", argument)
        ]
        if not holding:
            raise SystemExit(f"--only {argument}: no module or mutant of the scope matches it")
        chosen.update(holding)
        patterns.append(argument)
    return sorted(chosen), patterns


_READ_BY_TESTS = ("tests", "events", "functions", "infra", "docs")


def stage(modules: list[str]) -> None:
    """A copy of the project where both packages are under src/, as mutmut expects; only
    ``modules`` (all when empty) are mutated."""
    shutil.rmtree(STAGE, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(FUNCTION_PACKAGE, STAGE / "src" / "callout_task", ignore=ignore)
    shutil.copytree(REPO / "src" / "autocallout", STAGE / "src" / "autocallout", ignore=ignore)
    for folder in _READ_BY_TESTS:
        shutil.copytree(REPO / folder, STAGE / folder, ignore=ignore)
    sources = ["src/callout_task"] + [f"src/autocallout/fake_ccc/{m}.py" for m in FAKE_MODULES]
    every = source_modules()
    only_mutate = [every[m] for m in modules]  # empty: mutmut mutates every source
    (STAGE / "pyproject.toml").write_text(
        STAGE_PYPROJECT.format(
            source_paths=json.dumps(sources),
            only_mutate=json.dumps(only_mutate),
            tests=json.dumps(TESTS),
        ),
        encoding="utf-8",
    )


def refresh_stage() -> list[str]:
    """Brings a stopped run's stage to the project as it is now; returns the sources changed.

    What the tests read is copied afresh, here and in mutmut's own copy (where a file deleted
    since would still be collected). A source is copied only if its text changed, with a new
    modification time: mutmut then makes that file's mutants again and forgets the outcomes of
    the functions whose text changed (it keeps the others'). A copy that kept the old time, or
    every file copied, would have it keep stale outcomes or redo every file. A source deleted
    since goes with its mutants and their outcomes; a package's other files (openapi.json)
    changed since are copied into mutmut's copy too."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in _READ_BY_TESTS:
        for place in (STAGE / folder, STAGE / "mutants" / folder):
            shutil.rmtree(place, ignore_errors=True)
        shutil.copytree(REPO / folder, STAGE / folder, ignore=ignore)
    pairs = [(FUNCTION_PACKAGE, STAGE / "src" / "callout_task")]
    pairs.append((REPO / "src" / "autocallout", STAGE / "src" / "autocallout"))
    changed = []
    for source_root, staged_root in pairs:
        for staged in sorted(_package_files(staged_root)):
            if not (source_root / staged.relative_to(staged_root)).exists():
                # Deleted since: mutmut would still mutate it, and count its recorded outcomes.
                mutant = STAGE / "mutants" / staged.relative_to(STAGE)
                for gone in [staged, mutant, *mutant.parent.glob(f"{mutant.name}.*")]:
                    gone.unlink(missing_ok=True)
                changed.append(str(staged.relative_to(STAGE)))
        for source in sorted(_package_files(source_root)):
            staged = staged_root / source.relative_to(source_root)
            if not staged.exists() or staged.read_bytes() != source.read_bytes():
                staged.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, staged)
                if source.suffix != ".py":
                    # Not mutated, and copied by mutmut only when its copy is missing.
                    mutant = STAGE / "mutants" / staged.relative_to(STAGE)
                    mutant.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, mutant)
                changed.append(str(staged.relative_to(STAGE)))
    return changed


def _package_files(root: Path) -> list[Path]:
    """The files of a package as the stage copies them (no bytecode)."""
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    ]


# The kills a run under load may have made falsely: the mutant's tests failed only after this
# share of the time they took in the clean run (a test with a deadline losing its race on a
# crowded machine looks just like a test catching the mutant), for tests of at least 5 s.
_LATE = 0.8


_REDO = {
    "late_kills": f"kills that came after {_LATE:.0%} of their tests' time",
    "survivors": "survivors not argued equivalent (against the tests written since)",
}


def _late(name: str, took: dict[str, float], expected: dict[str, float]) -> bool:
    return expected.get(name, 0) >= 5 and took.get(name, 0) >= _LATE * expected[name]


def forget(late_kills: bool, survivors: bool) -> int:
    """Marks as not run the kills that came late in their tests' time (``late_kills``) and the
    survivors no argument stands for (``survivors``: they may have survived only tests older
    than the ones now); returns how many."""
    unargued: set[str] = set()
    if survivors:
        ledger = equivalence_arguments()
        unargued = {m.name for m in collect() if m.outcome == SURVIVED and not _argument(m, ledger)}
    forgotten = 0
    for meta in (STAGE / "mutants" / "src").rglob("*.py.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes, took = data["exit_code_by_key"], data["durations_by_key"]
        expected = data["estimated_durations_by_key"]
        chosen = [
            name
            for name, code in codes.items()
            if name in unargued
            or (late_kills and _OUTCOME.get(code) == KILLED and _late(name, took, expected))
        ]
        if chosen:
            codes.update(dict.fromkeys(chosen))
            meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
            forgotten += len(chosen)
    return forgotten


# mutmut's own command line, with one change: string literals holding a space (prose: messages,
# log text) are not mutated. Their wording is not a contract, and "XX" around a message or the
# message in upper case would only ask for tests that pin words. Each one skipped is recorded.
_MUTMUT_WITHOUT_PROSE = """
import sys
import libcst
from mutmut.mutation import mutators

original = mutators.operator_string

def operator_string_except_prose(node):
    value = node.evaluated_value if isinstance(node, libcst.SimpleString) else ""
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if " " in text:
        with open("prose-not-mutated.txt", "a", encoding="utf-8") as record:
            record.write(repr(text) + "\\n")
        return
    yield from original(node)

mutators.mutation_operators[:] = [
    (kind, operator_string_except_prose if operator is original else operator)
    for kind, operator in mutators.mutation_operators
]

# A Protocol class (an interface: watch_memory.Memory, rate_limit.Limiter) is not mutated: its
# methods are stubs that never run, and mutmut's trampoline around a stub's default argument
# makes mypy find the real class no longer matches the protocol, which stops the whole run.
from mutmut.mutation import file_mutation

skip_node = file_mutation.MutationVisitor._skip_node_and_children

def is_protocol(node):
    return isinstance(node, libcst.ClassDef) and any(
        libcst.ensure_type(base, libcst.Arg).value.deep_equals(libcst.Name("Protocol"))
        or (
            isinstance(base.value, libcst.Attribute) and base.value.attr.value == "Protocol"
        )
        for base in node.bases
    )

def skip_node_or_protocol(self, node):
    return is_protocol(node) or skip_node(self, node)

file_mutation.MutationVisitor._skip_node_and_children = skip_node_or_protocol

# Each package is judged by its own tests: the fake's mutants by tests/fake, the function's by
# tests/function. (Without this, a surviving mutant of the fake's wire ran the 300 function tests
# that go through the fake: 22 s instead of 4.)
import mutmut.__main__ as mutmut_main
from mutmut.state import state

collect_stats = mutmut_main.collect_or_load_stats

def collect_stats_own_tests_only(*args, **kwargs):
    collect_stats(*args, **kwargs)
    for function, tests in state().tests_by_mangled_function_name.items():
        own = "tests/fake/" if function.startswith("autocallout.") else "tests/function/"
        tests.intersection_update([test for test in tests if test.startswith(own)])

mutmut_main.collect_or_load_stats = collect_stats_own_tests_only

if sys.argv[1:2] == ["generate"]:
    # Only make the mutants (a --sample is drawn from their names), as `mutmut run` first does.
    import os
    from mutmut.utils import file_utils
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    file_utils.copy_src_dir()
    file_utils.copy_also_copy_files()
    file_utils.setup_source_paths()
    mutmut_main.store_lines_covered_by_tests()
    mutmut_main.create_mutants(int(sys.argv[2]))
    sys.exit(0)

from mutmut.__main__ import cli
sys.argv = ["mutmut", *sys.argv[1:]]
cli()
"""


def _mutmut(*args: str) -> None:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    subprocess.run(  # noqa: S603 - our own interpreter and a fixed command line
        [sys.executable, "-c", _MUTMUT_WITHOUT_PROSE, *args], cwd=STAGE, env=env, check=True
    )


def run_mutmut(max_children: int, only: list[str]) -> tuple[float, bool]:
    """Runs mutmut in the stage; returns the wall time taken, and whether mutmut was stopped
    (SIGTERM or Ctrl-C to it: what it finished is kept, and ``--again`` goes on from there)."""
    started = time.monotonic()
    try:
        _mutmut("run", "--max-children", str(max_children), *only)
    except subprocess.CalledProcessError as failed:
        if failed.returncode not in _INTERRUPTED:
            raise
        return time.monotonic() - started, True
    return time.monotonic() - started, False


def started_at() -> str:
    return f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"


# Exit codes of a mutant's run that a stop (Ctrl-C, SIGTERM to mutmut) gave it: no outcome.
_INTERRUPTED = (-2, -15, 130, 143)


def forget_interrupted() -> int:
    """Marks the mutants a stopped run was in the middle of as not run; returns how many."""
    forgotten = 0
    for meta in (STAGE / "mutants" / "src").rglob("*.py.meta"):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data["exit_code_by_key"]
        stopped = [name for name, code in codes.items() if code in _INTERRUPTED]
        if stopped:
            codes.update(dict.fromkeys(stopped))
            meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
            forgotten += len(stopped)
    return forgotten


def sample(size: int, seed: int, max_children: int) -> tuple[list[str], int]:
    """``size`` mutant names drawn at random from every mutant the stage makes, and how many
    there are: the mutants are made (and only made) first, to draw from their names."""
    _mutmut("generate", str(max_children))
    names = sorted(m.name for m in collect())
    drawn = random.Random(seed).sample(names, min(size, len(names)))  # noqa: S311 - no secret
    return sorted(drawn), len(names)


def _change(mutated_file: list[str], spans: dict[str, list[int]], function: str) -> list[str]:
    """The lines a mutant changed, from mutmut's record of where each function copy lies."""
    base = function.rsplit("__mutmut_", 1)[0]

    def text(name: str) -> list[str]:
        first, last = spans[name]
        lines = mutated_file[first - 1 : last]
        return [line.replace(name, base) for line in lines]

    diff = difflib.unified_diff(text(f"{base}__mutmut_orig"), text(function), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def collect() -> list[Mutant]:
    mutants: list[Mutant] = []
    for meta in sorted((STAGE / "mutants" / "src").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        source = meta.with_suffix("")
        spans = json.loads(source.with_suffix(".py.spans").read_text(encoding="utf-8"))["spans"]
        lines = source.read_text(encoding="utf-8").splitlines()
        for name, code in codes.items():
            outcome = NOT_RUN if code is None else _OUTCOME.get(code, OTHER)
            function = name.rsplit(".", 1)[1]
            # Every mutant's change, not only a survivor's: an argument that now matches a
            # killed mutant is stale too.
            change = _change(lines, spans, function) if function in spans else []
            mutants.append(Mutant(name, outcome, change))
    return mutants


@dataclass
class Argument:
    """One entry of mutation/equivalent/<module>.toml."""

    file: str  # the .toml it is in
    kind: str  # "equivalent" (one mutant) or "import time" (every mutant of a function)
    function: str  # e.g. callout_task.events.x__depth
    change: str  # the line the mutant adds ("" for an import-time entry)
    why: str
    name: str = ""  # the mutant's name when it was argued (its number moves with the code)

    @property
    def module(self) -> str:
        return self.function.split(".x", 1)[0]


def equivalence_arguments() -> list[Argument]:
    """The ledger: every argument of mutation/equivalent/*.toml.

    A ``[[mutant]]`` entry stands for the surviving mutant of its function whose added line is
    its ``change``, whatever number mutmut gives it today: an edit elsewhere in the function
    renumbers the mutants without touching the argument. When the line itself changes (or goes),
    the entry matches nothing and the report lists it as stale, as it does an entry whose mutant
    a test now kills: an argument is never applied to code it was not written for, and never
    dropped without a word. An ``[[import_time]]`` entry stands for every surviving mutant of a
    function that runs only while its module is imported."""
    ledger: list[Argument] = []
    for path in sorted(EQUIVALENT.glob("*.toml")):
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in loaded.get("mutant", []):
            function = entry["name"].rsplit("__mutmut_", 1)[0]
            change = entry["change"].strip()
            why = entry["why"]
            ledger.append(Argument(path.name, "equivalent", function, change, why, entry["name"]))
        for entry in loaded.get("import_time", []):
            ledger.append(Argument(path.name, "import time", entry["function"], "", entry["why"]))
    return ledger


def _function(mutant: Mutant) -> str:
    return mutant.name.rsplit("__mutmut_", 1)[0]


def _matches(argument: Argument, mutant: Mutant) -> bool:
    if _function(mutant) != argument.function:
        return False
    return argument.kind == "import time" or _added(mutant) == argument.change


def _argument(mutant: Mutant, ledger: list[Argument]) -> Argument | None:
    """The argument standing for a survivor, if any (one for its line before one for its
    whole function)."""
    found = [a for a in ledger if _matches(a, mutant)]
    return min(found, key=lambda a: a.kind != "equivalent") if found else None


def stale_arguments(mutants: list[Mutant], ledger: list[Argument]) -> list[tuple[Argument, str]]:
    """The arguments of the modules this run covered that stand for no surviving mutant, each
    with what became of it. An argument whose mutants were not run yet is not judged."""
    covered = {m.module for m in mutants}
    stale: list[tuple[Argument, str]] = []
    for argument in ledger:
        if argument.module not in covered:
            continue
        matching = [m for m in mutants if _matches(argument, m)]
        if any(m.outcome in (SURVIVED, NOT_RUN, NO_TESTS, OTHER) for m in matching):
            continue
        if matching:
            stale.append((argument, "a test kills it now: the argument can go"))
        elif argument.kind == "import time":
            stale.append((argument, "the function has no mutants now (renamed or gone)"))
        elif any(_function(m) == argument.function for m in mutants):
            stale.append((argument, "its function has no mutant adding this line now"))
        else:
            stale.append((argument, "its function has no mutants now (renamed or gone)"))
    modules = {path.stem for path in EQUIVALENT.glob("*.toml")}
    for module in sorted(modules - set(source_modules())):
        gone = Argument(f"{module}.toml", "file", module, "", "")
        stale.append((gone, "the module is not in scope now (renamed or gone)"))
    return stale


def _added(mutant: Mutant) -> str:
    return next((line[1:].strip() for line in mutant.change if line.startswith("+")), "")


def commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - a fixed command line
            ["git", *args],  # noqa: S607 - git from PATH, as make itself finds it
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" with uncommitted changes" if git("status", "--porcelain", "--", ".") else "")


def report(mutants: list[Mutant], run: dict[str, Any], max_children: int) -> str:
    ledger = equivalence_arguments()
    argued = {m.name: _argument(m, ledger) for m in mutants if m.outcome == SURVIVED}
    stale = stale_arguments(mutants, ledger)
    by_module: dict[str, Counter[str]] = {}
    for mutant in mutants:
        counts = by_module.setdefault(mutant.module, Counter())
        counts[mutant.outcome] += 1
        argument = argued.get(mutant.name)
        if argument:
            counts[argument.kind] += 1

    def score(counts: Counter[str]) -> tuple[int, int, float]:
        caught = counts[KILLED] + counts[CAUGHT_BY_TYPES] + counts[TIMEOUT]
        judged = sum(counts[o] for o in (KILLED, CAUGHT_BY_TYPES, TIMEOUT, SURVIVED, NO_TESTS))
        judged += counts[OTHER]
        considered = judged - counts["equivalent"] - counts["import time"]
        return caught, considered, caught / considered if considered else 1.0

    groups = {g: Counter[str]() for g in ("callout_task", "fake")}
    for module, counts in by_module.items():
        groups["callout_task" if module.startswith("callout_task") else "fake"].update(counts)
    caught, considered, function_score = score(groups["callout_task"])
    wall = (
        f"{run['seconds'] / 60:.1f} min wall time"
        + (" (then stopped: resumed below)" if run.get("stopped") else "")
        if run["seconds"] is not None
        else "wall time not recorded: the run had not finished when this was written"
    )
    again = STAGE / "again.txt"
    names = again.read_text(encoding="utf-8").split() if again.exists() else []
    rerun = f"{len(names)} mutants or patterns" if names else "none"
    prose_file = STAGE / "prose-not-mutated.txt"
    prose = len(prose_file.read_text(encoding="utf-8").splitlines()) if prose_file.exists() else 0
    verdict = "met" if function_score >= GOAL else "NOT met"
    not_run = sum(1 for m in mutants if m.outcome == NOT_RUN)
    completeness = (
        "the run was complete"
        if not not_run
        else f"PARTIAL: {not_run} of {len(mutants)} mutants were not run (left out of the scores)"
    )
    out = [
        "# Mutation testing",
        "",
        "Written by `make mutation` (`mutation/run.py`); do not edit by hand. How to read it and",
        "why mutmut: the end of this file.",
        "",
        f"- Code: commit `{run['commit']}`, run started {run['started']}",
        *(
            [f"- Scope: ONLY {', '.join(run['scope'])} (`--only`): not a whole run"]
            if run.get("scope")
            else []
        ),
        *(
            [
                f"- SAMPLE (`--sample`): {run['sample']['size']} of {run['sample']['of']} "
                f"mutants drawn at random (seed {run['sample']['seed']}); the others were not "
                "run, so every score below is an estimate"
            ]
            if run.get("sample")
            else []
        ),
        f"- Tool: mutmut {metadata.version('mutmut')}, {max_children} workers, "
        f"{wall} (load average before the run: {run['load']})",
        f"- Tests: `{' '.join(TESTS)}`",
        f"- Re-run after tests were added (`--again`): {rerun}",
        *(
            f"- Stopped and resumed (`--again` without names: the mutants not run yet, against "
            f"the tests of commit `{r['commit']}`) at {r['started']} with {r['workers']} workers, "
            f"{r['seconds'] / 60:.1f} min{' (stopped again)' if r.get('stopped') else ''}; "
            f"{r['interrupted']} mutants it had stopped in the middle run again"
            + (
                f"; run again too: {r['redone']} " + " and ".join(_REDO[flag] for flag in r["redo"])
                if r.get("redone")
                else ""
            )
            + (
                f"; sources changed since, their changed functions' mutants made afresh: "
                f"{', '.join(r['refreshed'])}"
                if r.get("refreshed")
                else ""
            )
            for r in run.get("resumed", [])
        ),
        f"- Prose strings left unmutated (messages, log text): {prose}",
        f"- Completeness: {completeness}",
        f"- Ledger (`mutation/equivalent/`): {sum(1 for a in argued.values() if a)} survivors "
        f"argued; stale arguments: {len(stale) or 'none'}"
        + (" (**listed at the end: refresh the ledger**)" if stale else ""),
        *([f"- Note: {run['note']}"] if run.get("note") else []),
        "",
        f"**callout_task: {caught} of {considered} non-equivalent mutants killed, "
        f"{function_score:.1%}** (goal {GOAL:.0%}: {verdict})"
        + (
            " — of a random sample: the whole's score lies in {:.1%} to {:.1%} "
            "(95 % Wilson interval)".format(*wilson(caught, considered))
            if run.get("sample")
            else f" — of the mutants run: {not_run} were not, so this is no whole run's score"
            if not_run
            else ""
        ),
        "",
        "| module | mutants | killed by tests | rejected by mypy | timeout | equivalent "
        "| never live | survived, not argued | no test reaches | score |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = sorted(by_module.items()) + [(f"**{g}**", c) for g, c in groups.items()]
    for module, counts in rows:
        _, considered_here, module_score = score(counts)
        shown = f"{module_score:.1%}" if considered_here else "none run"
        out.append(
            f"| {module} | {sum(counts[o] for o in _OUTCOMES)} | {counts[KILLED]} "
            f"| {counts[CAUGHT_BY_TYPES]} | {counts[TIMEOUT]} | {counts['equivalent']} "
            f"| {counts['import time']} "
            f"| {counts[SURVIVED] - counts['equivalent'] - counts['import time']} "
            f"| {counts[NO_TESTS]} "
            f"| {shown} |"
        )
    out += ["", "## Every surviving mutant", ""]
    survivors = [m for m in mutants if m.outcome in (SURVIVED, NO_TESTS, OTHER)]
    if not survivors:
        out.append("None.")
    for mutant in survivors:
        argument = argued.get(mutant.name)
        verdict = (
            f"{argument.kind}: {argument.why}"
            if argument
            else f"**{mutant.outcome}, not argued equivalent**"
        )
        out.append(f"- `{mutant.name}` — {verdict}")
        if mutant.change:
            out += ["  ```diff", *(f"  {line}" for line in mutant.change), "  ```"]
    if stale:
        out += [
            "",
            "## Stale arguments",
            "",
            "Arguments in `mutation/equivalent/` that stand for no surviving mutant of this run: "
            "re-argue the survivor they were written for (it is listed above, not argued) or "
            "delete them.",
            "",
        ]
        for argument, what in stale:
            shown = f" — `{argument.change}`" if argument.change else ""
            out.append(
                f"- `{argument.file}`: `{argument.name or argument.function}`{shown} — {what}"
            )
    out += ["", ABOUT]
    return "\n".join(out) + "\n"


def wilson(hits: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion seen as hits of trials."""
    if not trials:
        return 0.0, 1.0
    share = hits / trials
    centre = share + z * z / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    scale = 1 + z * z / trials
    return (centre - spread) / scale, (centre + spread) / scale


_OUTCOMES = (KILLED, CAUGHT_BY_TYPES, TIMEOUT, SURVIVED, NO_TESTS, OTHER, NOT_RUN)

ABOUT = """\
## How to read this

A mutant is one small change to the code (a comparison flipped, a constant moved by one, an
argument dropped, a string changed); it is *killed* when a test fails with it. The score is the
killed share of the mutants that are not equivalent (that behave exactly like the original,
argued in one line each in `mutation/equivalent/<module>.toml`). Rejected by mypy: a change
`make check` refuses before any test runs. No test reaches: no selected test runs that function
at all. Never live: the function runs only while its module is imported (a class factory, a
table built once), before mutmut switches any mutant on, so no test can see its mutants; they
are left out of the score and
the reason is given for each such function in `mutation/equivalent/`.

mutmut changes code inside functions and methods only: module-level constants and tables (the
state names, `MAX_TIMER_TASKS`, the refresh margin, the error-code table) are not mutated. The
tests pin those by behaviour, each in the file of the behaviour its constant governs (the timer's
50 tasks in `test_timer.py`, the refresh margin in `test_assumed_role.py`, the state names in
`test_task_answer.py` and `test_paging_and_summary.py`, the fake's tables in tests/fake), each
shown to fail when its constant is changed.

## Why mutmut (and not cosmic-ray)

Both are maintained (mutmut 3.8.1, cosmic-ray 8.7.0) and both were tried on this code.
cosmic-ray mutates everything, module level included, but runs the test command afresh for each
mutant: a pytest start here imports hypothesis, schemathesis, the SDK and the fake, 2 to 10 s on
this shared 2-core machine before any test runs, and it finds about 1 600 mutants in
`callout_task` alone (before issue 12 grew it), which is hours. mutmut forks each mutant's run
from a process that has imported and collected everything already, and runs only the tests that
reached the mutated function (recorded once, fastest first); with plugin autoloading off and
pytest's forced garbage collection at exit skipped, a forked run costs about 0.85 s before its
first test under a load of 10 (1.75 s without those two). It also drops the mutants
`mypy --strict` refuses. Its blind spot, module-level code, is covered as said above.

## What is left out, and why

- Prose: string literals holding a space (messages, log text) are not mutated (a small wrapper
  around mutmut's string operator, in `mutation/run.py`); "XX" around a message or the message in
  capitals would only ask for tests that pin words. Keys, codes, header and variable names are
  mutated.
- Protocol classes (`rate_limit.Limiter`, `watch_memory.Memory`...): interfaces whose method
  stubs never run; and mutmut's wrapper around a stub's mutated default argument makes mypy
  reject the module as a whole (the real class no longer matches the protocol), which stopped
  the run.
- `request_schema.py`, generated data; among the tests, the property-based fuzzing (tens of
  seconds per run), the cold-path probe (a subprocess, which no mutant reaches) and the two
  multi-process rate-limit tests (17 of the 59 s the selected tests took; the first runs the
  function in child interpreters, where no mutant is on, and the second paces its calls for 4 s
  through limiter code the faster rate-limit tests reach).

## What the run's time is made of

A killed mutant costs its fork plus the tests run until the first failure (fastest first); a
surviving one costs every test that reaches its function, 20 to 30 s for the handler's or the
fake's wire. The fixed part (making the mutants, mypy over all of them, one traced and one clean
run of the tests) is 3 to 5 minutes. What pytest reports as a test's time leaves its fixtures
out: profiling a forked run of 100 tests showed 70 % of it in the `ccc` fixture decoding the
fake's 860 kB seed file for every test; the fake now decodes a file once per process (8.7 s ->
3.5 s for those 100 tests). Killing survivors is the other lever: each one killed saves its 20 to
30 s.

## Running part of it

`python mutation/run.py --only callout_task.events` (or `'callout_task.watch_*'`, or a mutant's
name or a glob of names) mutates and type-checks only the modules named, runs their mutants
only, and writes its report to `build/mutation/report.md`, headed "Scope: ONLY ...", leaving
this file alone. After adding a test, `python mutation/run.py --again --only NAME...` runs those
mutants again against the tests as they are now, in the same stage; `--report-only` rewrites
the report from the stage. Each run's commit, start and wall time are in its report's header.
A whole run stopped part way (Ctrl-C, or SIGTERM to mutmut) goes on with `--again` and no
names: the mutants not run yet, against the code and tests as they are now (a function changed
since has its mutants made afresh); the header lists each resume. Keep the workers within what
the cores carry (`--max-children 4` on 2 cores): at a load of 7 to 14 (8 and 12 workers) deadline
tests failed under load and counted survivors as killed. `--again --late-kills` also runs again
every kill that came only after 80 % of its tests' time, which is how such false kills look;
`--again --survivors` every survivor not argued equivalent, against the tests written since.

When there is no time for every mutant (a whole run took 20 minutes with 4 workers on an idle
2-core machine in early December; since the watch and the http.client transport, the 7 430
mutants of e03ccdd took 59 minutes for the cheapest 3 970 and hours for the rest, whose
functions are reached by ~1 400 tests each), `--sample N` runs N
mutants drawn at random (`--seed`) from all those of the scope: its report says it is a sample
and gives the interval the whole's score lies in. And `--ledger` only makes the mutants (about a
minute) and lists the arguments whose line is gone, without running anything.

## Refreshing the ledger after a refactor

An argument in `mutation/equivalent/<module>.toml` stands for the surviving mutant of its
function (`name` up to `__mutmut_`) that adds the line `change`, whatever its number is today:
an edit elsewhere in the function renumbers mutants without losing their arguments. When the
line itself changes, moves to another function, or a test now kills the mutant, the argument
stands for nothing: the report lists it under "Stale arguments" (and its header counts them)
instead of applying it to other code or dropping it silently. After moving code:

1. `python mutation/run.py --ledger` (a minute): the arguments whose line moved or went. Then
   `python mutation/run.py --only MODULE...` for the modules that changed (or `make mutation`).
2. In the report: each "survived, not argued" mutant gets a test in the file of the behaviour it
   changes (then `--again --only` its name) or, if it really behaves like the original, an entry
   `[[mutant]]` with its current `name`, its added line as `change` (copied from the report's
   diff, after the `+`) and `why`, one line. Each stale argument is deleted, or rewritten for the
   survivor it was written for if the argument still holds for the moved code.
3. `python mutation/run.py --report-only` until the header says "stale arguments: none" and
   no survivor is left unargued; commit the tests and the ledger together.

An argument is also checked only as far as its line: one that leans on code elsewhere ("the
caller never passes None") is re-read by whoever changes that code, which the `why` names.

## A trap: state built once per process

mutmut forks every mutant's run from a process whose clean run of the tests has already gone
through the code. Whatever the code builds once and keeps (sdk_transport's adapter class) was
built there from the original, so a mutant of the builder is never live unless each test starts
without it: `cold_instance` in `tests/function/scf_instance.py` resets such state for every test, as
a new SCF instance would have it. Sixteen mutants "survived" this way before it did.
"""


def again(only: list[str], max_children: int, redo: dict[str, bool], load: str) -> None:
    """``--again``: the named mutants, or a stopped run's rest, against the project as it is now."""
    tests_of, started = commit(), started_at()
    refreshed = refresh_stage()
    prose = STAGE / "prose-not-mutated.txt"
    recorded = prose.read_bytes() if prose.exists() else b""
    # Without --only: a stopped run goes on with the mutants it had not run yet, against the
    # code and tests as they are now; the ones it stopped in the middle are not run yet either.
    interrupted = 0 if only else forget_interrupted()
    redone = forget(**redo) if any(redo.values()) else 0
    seconds, stopped = run_mutmut(max_children, only)
    # mutmut makes some files' mutants again, and the wrapper would count their prose twice.
    prose.write_bytes(recorded)
    with (STAGE / "again.txt").open("a", encoding="utf-8") as record:
        record.writelines(f"{name}\n" for name in only)
    if not only:
        run = json.loads((STAGE / "run.json").read_text(encoding="utf-8"))
        run.setdefault("resumed", []).append(
            {
                "commit": tests_of,
                "started": started,
                "workers": max_children,
                "seconds": seconds,
                "stopped": stopped,
                "interrupted": interrupted,
                "redone": redone,
                "redo": [flag for flag, chosen in redo.items() if chosen],
                "refreshed": refreshed,
                "load": load,
            }
        )
        (STAGE / "run.json").write_text(json.dumps(run), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    # Two workers a core: the slowest mutants are the survivors of the widest functions, whose
    # tests mostly wait (on a deadline, a socket); with one worker a core the end of a run kept
    # 2 cores at a load of 0.6.
    parser.add_argument("--max-children", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--out",
        type=Path,
        help="the report; default docs/mutation.md for a whole run, build/mutation/report.md "
        "(in the stage) for a run of some modules (--only)",
    )
    parser.add_argument(
        "--only", nargs="*", default=[], help="mutant names or globs (callout_task.normalise.*)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        help="run only this many mutants, drawn at random from all (of --only's modules): "
        "an estimate of the scores when there is no time for every mutant",
    )
    parser.add_argument("--seed", type=int, default=0, help="the draw of --sample")
    parser.add_argument(
        "--ledger",
        action="store_true",
        help="only make the mutants (a minute) and list the arguments of mutation/equivalent/ "
        "whose line is gone; exit 1 if there is one",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the last run"
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="keep the last run, take the code and tests as they are now and run --only those "
        "mutants (without --only: the mutants not run yet)",
    )
    parser.add_argument(
        "--late-kills",
        action="store_true",
        help="with --again and no --only: also run again the kills that came only after "
        f"{_LATE:.0%} of their tests' time (a run on an overloaded machine makes false ones)",
    )
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="with --again and no --only: also run again every surviving mutant not argued "
        "equivalent, against the tests as they are now",
    )
    args = parser.parse_args(argv)
    if (args.late_kills or args.survivors) and (args.only or not args.again):
        parser.error("--late-kills and --survivors go with --again and no --only")
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    if args.ledger:
        stage(scope(args.only)[0])
        _mutmut("generate", str(args.max_children))
        stale = stale_arguments(collect(), equivalence_arguments())
        for argument, what in stale:
            print(f"stale: {argument.file}: {argument.name or argument.function}: {what}")
        print(f"{len(stale)} stale arguments (a run also finds those whose mutant is killed now)")
        return 1 if stale else 0
    if args.again:
        redo = {"late_kills": args.late_kills, "survivors": args.survivors}
        again(args.only, args.max_children, redo, load)
    elif not args.report_only:
        modules, patterns = scope(args.only)
        stage(modules)
        started = started_at()
        # Recorded before the run, so that a report of a run still going (--report-only) can
        # say what it ran on; the wall time is added at the end.
        run = {
            "seconds": None,
            "load": load,
            "commit": commit(),
            "started": started,
            "workers": args.max_children,
            "scope": modules,
        }
        if args.sample:
            patterns, population = sample(args.sample, args.seed, args.max_children)
            run["sample"] = {"size": len(patterns), "of": population, "seed": args.seed}
        (STAGE / "run.json").write_text(json.dumps(run), encoding="utf-8")
        run["seconds"], run["stopped"] = run_mutmut(args.max_children, patterns)
        (STAGE / "run.json").write_text(json.dumps(run), encoding="utf-8")
    run = json.loads((STAGE / "run.json").read_text(encoding="utf-8"))
    mutants = collect()
    out = args.out or (STAGE / "report.md" if run.get("scope") else REPORT)
    out.write_text(report(mutants, run, run.get("workers", args.max_children)), encoding="utf-8")
    ledger = equivalence_arguments()
    unargued = [m for m in mutants if m.outcome == SURVIVED and not _argument(m, ledger)]
    stale = stale_arguments(mutants, ledger)
    print(
        f"{len(mutants)} mutants; {len(unargued)} survived, not argued; "
        f"{len(stale)} stale arguments; report: {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
