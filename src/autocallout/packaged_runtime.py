"""Run the built zip the way SCF runs it: the exact artifact, on the runtime's own interpreter.

The zip is unpacked into a directory made read-only (as SCF's code directory is), and one
instance is started: the runtime's CPython with ``-I -S -B`` (no environment-driven paths, no
site-packages, no bytecode writes; ``-I`` ignores PYTHONDONTWRITEBYTECODE, which is set too),
with only the unpacked directory and the standard library on ``sys.path``. It imports ``index``
once and then answers invocations one at a time, warm, as an SCF instance does. An audit hook
records every source file it compiles from the package: with the shipped bytecode, none.

``autocallout invoke --package`` and ``serve --package`` use it, and so do the package smoke
tests, so that what is tested is what runs.
"""

from __future__ import annotations

import json
import os

# The instance is our runtime's interpreter with a fixed command line: subprocess is safe.
import subprocess  # nosec B404
import tempfile
import threading
import zipfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from autocallout.runtimes import (
    RUNTIMES,
    Interpreter,
    RuntimeNotFoundError,
    find_interpreter,
    runtime_of_extension,
    where_searched,
)

# The instance's own code, run with -c. Requests and answers are JSON lines on stdin and on a
# copy of the original stdout; fd 1 then points at stderr, so the function's log lines (which
# SCF collects from stdout) go to stderr and never mix with answers.
BOOTSTRAP = r"""
import json, os, sys, sysconfig, traceback

root = sys.argv[1]
stdlib = tuple({sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")})
sys.path[:] = [root] + [p for p in sys.path if p.startswith(stdlib) or p.endswith(".zip")]
answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
compiled = []


def _record_compile(event, args):
    if event == "compile" and len(args) > 1 and str(args[1]).startswith(root + os.sep):
        compiled.append(str(args[1]))


sys.addaudithook(_record_compile)


def _send(message):
    answers.write(json.dumps(message) + "\n")
    answers.flush()


def _report():
    outside = sorted(
        f"{name}: {path}"
        for name, path in ((n, getattr(m, "__file__", None)) for n, m in list(sys.modules.items()))
        if path and not path.startswith(root + os.sep) and not path.startswith(stdlib)
    )
    return {
        "version": ".".join(map(str, sys.version_info[:3])),
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        "path": sys.path,
        "flags": {
            "isolated": sys.flags.isolated,
            "no_site": sys.flags.no_site,
            "dont_write_bytecode": sys.flags.dont_write_bytecode,
        },
        "compiled": compiled,
        "outside": outside,
    }


try:
    import index
except BaseException:
    _send({"import_error": traceback.format_exc()})
    sys.exit(1)
_send({"ready": True})
for line in sys.stdin:
    request = json.loads(line)
    if "report" in request:
        _send({"report": _report()})
        continue
    try:
        _send({"answer": index.main_handler(request["event"], request["context"])})
    except BaseException:
        _send({"crash": traceback.format_exc()})
    sys.stdout.flush()  # SCF ships an invocation's log lines when it ends, not at exit
"""


class PackageRunError(Exception):
    """The package cannot be run as asked: one line for the user."""


def zip_runtime(zip_path: Path) -> str | None:
    """The runtime a zip is built for, from its compiled modules (None: pure Python)."""
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.endswith(".so"):
                runtime = runtime_of_extension(name)
                if runtime is not None:
                    return runtime
    return None


def resolve_package(path: Path) -> Path:
    """``path`` itself, or for a folder (``dist``) the zip its package manifest names."""
    if not path.is_dir():
        return path
    from autocallout.package import MANIFEST, current_build

    built = current_build(path)
    if built is None:
        raise PackageRunError(f"{path} has no {MANIFEST} naming a zip (build it with make package)")
    return built.zip_path


def choose_interpreter(zip_path: Path, runtime: str | None) -> Interpreter:
    """The interpreter for ``zip_path``: of ``runtime``, which must match the zip's, if given."""
    if not zip_path.is_file():
        raise PackageRunError(f"no such package: {zip_path} (build it with make package)")
    try:
        built_for = zip_runtime(zip_path)
    except zipfile.BadZipFile:
        raise PackageRunError(f"{zip_path} is not a zip") from None
    if runtime is not None and built_for is not None and runtime != built_for:
        raise PackageRunError(
            f"{zip_path.name} is built for {built_for}, not {runtime}: build one for it with "
            f"make package RUNTIME={runtime}"
        )
    chosen = runtime or built_for
    if chosen is None:
        raise PackageRunError(
            f"cannot tell which runtime {zip_path.name} is for: give --runtime"
            f" ({' or '.join(RUNTIMES)})"
        )
    try:
        interpreter = find_interpreter(chosen)
    except RuntimeNotFoundError as problem:
        raise PackageRunError(str(problem)) from None
    if interpreter is None:
        raise PackageRunError(
            f"no CPython {RUNTIMES[chosen]} for {chosen} on this machine (looked at"
            f" {where_searched(chosen)})"
        )
    return interpreter


def unpack_read_only(zip_path: Path, destination: Path) -> None:
    """Unzip into ``destination`` and take every write permission away, as SCF's code dir has.

    (root ignores permissions: ``-B`` is what keeps the instance from writing there; the smoke
    test checks that the directory is unchanged after a run.)
    """
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(destination)
    for path in [destination, *destination.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _make_writable(directory: Path) -> None:
    for path in [directory, *directory.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)


class PackagedFunction:
    """One SCF-like instance of the built zip; ``invoke`` is safe from several threads.

    ``environment`` is the whole environment of the instance (as SCF sets the function's
    variables; default: this process's when the instance starts); it gets
    PYTHONDONTWRITEBYTECODE=1 on top. The zip and its interpreter are checked when this object
    is made, before anything starts.
    """

    def __init__(
        self,
        zip_path: Path,
        runtime: str | None = None,
        environment: Mapping[str, str] | None = None,
        stderr: IO[str] | int | None = None,
    ) -> None:
        self.zip_path = resolve_package(zip_path)
        self.interpreter = choose_interpreter(self.zip_path, runtime)
        self.runtime = self.interpreter.runtime
        self._environment = None if environment is None else dict(environment)
        self._stderr = stderr
        self._lock = threading.Lock()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[str] | None = None
        self.root = Path()

    def __enter__(self) -> PackagedFunction:
        self._scratch = tempfile.TemporaryDirectory(prefix="scf-code-")
        self.root = Path(self._scratch.name) / "user"
        try:
            unpack_read_only(self.zip_path, self.root)
            self._process = subprocess.Popen(  # noqa: S603  # nosec B603
                [str(self.interpreter.path), "-I", "-S", "-B", "-c", BOOTSTRAP, str(self.root)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env={
                    **(os.environ if self._environment is None else self._environment),
                    "PYTHONDONTWRITEBYTECODE": "1",
                },
                cwd=self._scratch.name,
                text=True,
                encoding="utf-8",
            )
            started = self._receive()
            if "import_error" in started:
                last = started["import_error"].strip().splitlines()[-1]
                raise PackageRunError(
                    f"{self.zip_path.name} does not import on {self.runtime}: {last}"
                )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if self._scratch is not None:
            _make_writable(self.root)
            self._scratch.cleanup()
            self._scratch = None

    def _receive(self) -> dict[str, Any]:
        if self._process is None or self._process.stdout is None:
            raise PackageRunError("the instance is not running")
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            raise PackageRunError(f"the {self.runtime} instance exited ({code}), see its output")
        message: dict[str, Any] = json.loads(line)
        return message

    def _ask(self, request: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._process is None or self._process.stdin is None:
                raise PackageRunError("the instance is not running")
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            return self._receive()

    def invoke(self, event: Any, context: Mapping[str, Any]) -> Any:
        """``index.main_handler(event, context)`` in the instance, its answer as JSON gives it."""
        reply = self._ask({"event": event, "context": dict(context)})
        if "crash" in reply:
            last = reply["crash"].strip().splitlines()[-1]
            raise PackageRunError(f"main_handler raised: {last}")
        return reply["answer"]

    def description(self) -> str:
        return (
            f"{self.zip_path} on {self.runtime} (CPython {self.interpreter.version},"
            f" {self.interpreter.path}): unpacked read-only, -I -S -B"
        )

    def report(self) -> dict[str, Any]:
        """What the instance ran on and loaded: version, flags, sys.path, modules from outside
        the package or the standard library, and the package's files it had to compile."""
        reply: dict[str, Any] = self._ask({"report": True})["report"]
        return reply


def tree_listing(root: Path) -> dict[str, int]:
    """Every file under ``root`` with its size: what a run must leave unchanged."""
    return {
        str(path.relative_to(root)): path.stat().st_size
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
