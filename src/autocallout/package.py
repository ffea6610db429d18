"""Build the SCF deployment zip: the function folder plus its pinned runtime dependencies.

``python -m autocallout.package [--runtime Python3.12] [--out dist]``. The dependencies come from
``functions/requirements.txt`` (hash-pinned), installed as wheels for the runtime's CPython on
manylinux x86_64 whatever this machine is. Every module is compiled by the runtime's own
interpreter (``autocallout.runtimes`` finds it) into ``__pycache__`` beside its source, with
unchecked-hash pycs: SCF unpacks the zip into a read-only directory, so without them every cold
start compiles every module it imports. The zip is reproducible (sorted entries, fixed
timestamps and permissions, pycs compiled with a fixed hash seed) and named by its content hash;
``<out>/describe_auto_callout_task.json`` names the current one for infra/ and the tools.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil

# pip and the compiler run with fixed command lines built here: subprocess is safe (nosec below).
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from autocallout.runtimes import (
    DEFAULT_RUNTIME,
    RUNTIMES,
    Interpreter,
    RuntimeNotFoundError,
    find_interpreter,
    where_searched,
)

FUNCTION = "describe_auto_callout_task"
REPO = Path(__file__).resolve().parents[2]
PLATFORM = "manylinux2014_x86_64"
MANIFEST = f"{FUNCTION}.json"  # in the output folder, beside the zip it names

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
FILE_MODE = 0o100644  # regular file, rw-r--r--
UNIX = 3  # ZipInfo.create_system: external_attr holds Unix mode bits

# Never taken from the inputs: bytecode (compiled afresh below, by the runtime's interpreter),
# typing-only files, hidden files.
DROPPED_NAMES = {"__pycache__", "py.typed"}
DROPPED_SUFFIXES = {".pyc", ".pyo", ".pyi"}
# Also never shipped from the installed dependencies: install metadata (nothing imports it:
# the smoke test runs without it), console scripts whose shebang names this machine's Python,
# and the packages' own test suites.
DROPPED_DEPENDENCY_TOP = {"bin"}
DROPPED_DEPENDENCY_PARTS = {"tests"}
# Of the SDK's common package, only what the function imports: the TC3 signer and the exception
# it raises (callout_task/sdk_transport.py). The rest is the SDK's clients, which import requests
# (not shipped): they could not even be imported from the zip.
SDK_PACKAGE = "tencentcloud"
SDK_KEPT = frozenset(
    {
        "tencentcloud/__init__.py",
        "tencentcloud/common/__init__.py",
        "tencentcloud/common/sign.py",
        "tencentcloud/common/exception/__init__.py",
        "tencentcloud/common/exception/tencent_cloud_sdk_exception.py",
    }
)

# Run by the target runtime's interpreter: compile each listed module (names relative to the
# tree, one a line on stdin) into its __pycache__, as unchecked-hash pycs (the runtime loads
# them without looking at the source's mtime, which a zip does not keep). The file name stored in
# the code is the relative one, so the bytes do not depend on where the build ran.
COMPILE = """
import py_compile, sys
root = sys.argv[1]
for name in sys.stdin.read().split():
    py_compile.compile(
        root + "/" + name,
        dfile=name,
        doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
"""


class BuildError(Exception):
    """The package cannot be built as asked: printed as one line, exit code 1."""


def extension_tag(runtime: str) -> str:
    """The filename tag of a compiled module for ``runtime`` (``cpython-312-x86_64-linux-gnu``)."""
    return f"cpython-{RUNTIMES[runtime].replace('.', '')}-x86_64-linux-gnu"


def is_shipped(relative: PurePosixPath, *, dependency: bool) -> bool:
    if any(part in DROPPED_NAMES or part.startswith(".") for part in relative.parts):
        return False
    if relative.suffix in DROPPED_SUFFIXES:
        return False
    if dependency:
        top = relative.parts[0]
        if top in DROPPED_DEPENDENCY_TOP or top.endswith(".dist-info"):
            return False
        if DROPPED_DEPENDENCY_PARTS.intersection(relative.parts[:-1]):
            return False
        if top == SDK_PACKAGE and str(relative) not in SDK_KEPT:
            return False
    return True


def shipped_files(root: Path, *, dependency: bool) -> dict[str, Path]:
    """Archive name -> file, for every file under ``root`` that belongs in the package."""
    files: dict[str, Path] = {}
    for path in root.rglob("*"):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        if path.is_file() and is_shipped(relative, dependency=dependency):
            files[str(relative)] = path
    return files


def install_dependencies(requirements: Path, runtime: str, target: Path) -> None:
    """pip-install the hash-pinned wheels for ``runtime`` into ``target``, whatever this host is."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--no-compile",
        "--no-warn-conflicts",  # about the interpreter running pip, not the target
        "--require-hashes",
        # What requirements.txt lists and nothing else: the SDK's common package declares
        # requests for its clients, which the function never imports (requirements.txt says so).
        # The zip's smoke test runs it on each runtime: a package missing would fail there.
        "--no-deps",
        "--only-binary=:all:",
        f"--platform={PLATFORM}",
        "--implementation=cp",
        f"--python-version={RUNTIMES[runtime]}",
        f"--target={target}",
        f"--requirement={requirements}",
    ]
    result = subprocess.run(command, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BuildError(f"pip could not install {requirements} for {runtime} (see above)")


def check_extensions(files: Mapping[str, Path], runtime: str) -> None:
    tag = extension_tag(runtime)
    for name in files:
        if name.endswith(".so") and not name.endswith((f".{tag}.so", ".abi3.so")):
            raise BuildError(f"{name} is not built for {runtime} ({tag})")


def write_zip(files: Mapping[str, Path], destination: Path) -> None:
    """Write ``files`` to ``destination`` byte-for-byte reproducibly, replacing it atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
                info.create_system = UNIX
                info.external_attr = FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, files[name].read_bytes(), compresslevel=9)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def size_report(path: Path, *, largest: int = 8) -> str:
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    unzipped = sum(entry.file_size for entry in entries)
    lines = [
        f"{_shown(path)}: {_size(path.stat().st_size)} zipped, {_size(unzipped)} unzipped,"
        f" {len(entries)} files"
    ]
    for entry in sorted(entries, key=lambda entry: (-entry.file_size, entry.filename))[:largest]:
        lines.append(
            f"  {_size(entry.file_size):>10} ({_size(entry.compress_size):>10} zipped)"
            f"  {entry.filename}"
        )
    return "\n".join(lines)


def _top_level(files: Mapping[str, Path]) -> set[str]:
    """The import names at the archive root: ``idna/…`` and ``idna.py`` are both ``idna``."""
    return {name.split("/", 1)[0].split(".", 1)[0] for name in files}


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _size(count: int) -> str:
    return f"{count / 1024:.1f} KiB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.2f} MiB"


class Built:
    """What one build wrote: the zip (named by its content) and the manifest naming it."""

    def __init__(self, zip_path: Path, manifest_path: Path, manifest: Mapping[str, Any]) -> None:
        self.zip_path = zip_path
        self.manifest_path = manifest_path
        self.runtime: str = manifest["runtime"]
        self.sha256: str = manifest["sha256"]
        self.bytecode: str | None = manifest["bytecode"]


def compile_bytecode(
    files: Mapping[str, Path], interpreter: Interpreter, scratch: Path
) -> dict[str, Path]:
    """Archive name -> pyc for every module of ``files``, compiled by ``interpreter``.

    The files are laid out as in the zip under ``scratch`` first: code and dependencies come
    from two folders, and a pyc belongs in the ``__pycache__`` beside its source.
    """
    tree = scratch / "tree"
    for name, source in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tree / name)
    modules = sorted(name for name in files if name.endswith(".py"))
    # Not -I/-E: those ignore PYTHONHASHSEED, and a fixed seed keeps the order of set constants
    # (``x in {"a", "b"}``) in the pyc the same from one build to the next. -S -s: no site.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [str(interpreter.path), "-S", "-s", "-c", COMPILE, str(tree)],
        input="\n".join(modules),
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")},
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no error output"])[-1]
        raise BuildError(f"Python {interpreter.version} could not compile the package: {last}")
    tag = cache_tag(interpreter.runtime)
    pycs: dict[str, Path] = {}
    for name in modules:
        module = PurePosixPath(name)
        pyc = str(module.parent / "__pycache__" / f"{module.stem}.{tag}.pyc")
        if not (tree / pyc).is_file():
            raise BuildError(f"Python {interpreter.version} wrote no {pyc}")
        pycs[pyc.removeprefix("./")] = tree / pyc
    return pycs


def cache_tag(runtime: str) -> str:
    """``cpython-312``: how the runtime names its pycs (``sys.implementation.cache_tag``)."""
    return "cpython-" + RUNTIMES[runtime].replace(".", "")


def zip_name(runtime: str, sha256: str) -> str:
    return f"{FUNCTION}-py{RUNTIMES[runtime].replace('.', '')}-{sha256[:16]}.zip"


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build(
    runtime: str = DEFAULT_RUNTIME,
    out: Path = REPO / "dist",
    *,
    repo: Path = REPO,
    say: Any = _say,
) -> Built:
    """Build the function zip for ``runtime`` into ``out`` and write the manifest naming it.

    The zip holds the code and the dependencies, with bytecode from the runtime's interpreter
    when this machine has one (``say`` tells, in one line, when it has not). Zips of earlier
    builds in ``out`` are removed: the manifest names the one current build.
    """
    if runtime not in RUNTIMES:
        raise BuildError(f"unknown runtime {runtime!r}: choose from {', '.join(RUNTIMES)}")
    function_dir = repo / "functions" / FUNCTION
    requirements = repo / "functions" / "requirements.txt"
    if not (function_dir / "index.py").is_file() or not requirements.is_file():
        raise BuildError(
            f"{repo} has no functions/{FUNCTION}/index.py or functions/requirements.txt"
        )
    try:
        interpreter = find_interpreter(runtime)
    except RuntimeNotFoundError as problem:
        raise BuildError(str(problem)) from None
    code = shipped_files(function_dir, dependency=False)
    with tempfile.TemporaryDirectory(prefix="scf-package-") as scratch:
        installed = Path(scratch) / "installed"
        install_dependencies(requirements, runtime, installed)
        dependencies = shipped_files(installed, dependency=True)
        check_extensions(dependencies, runtime)
        clashes = sorted(_top_level(code) & _top_level(dependencies))
        if clashes:
            raise BuildError(f"the function and its dependencies both ship {', '.join(clashes)}")
        files = {**code, **dependencies}
        if interpreter is None:
            say(
                f"package: no CPython {RUNTIMES[runtime]} here (looked at"
                f" {where_searched(runtime)}): shipping sources only, no bytecode"
            )
        else:
            files.update(compile_bytecode(files, interpreter, Path(scratch)))
        building = out / f"{FUNCTION}.zip.building"
        write_zip(files, building)
        sha256 = hashlib.sha256(building.read_bytes()).hexdigest()
        zip_path = out / zip_name(runtime, sha256)
        os.replace(building, zip_path)
    manifest = {
        "function": FUNCTION,
        "runtime": runtime,
        "zip": zip_path.name,
        "sha256": sha256,
        "bytecode": None if interpreter is None else interpreter.version,
    }
    manifest_path = out / MANIFEST
    partial = manifest_path.with_name(manifest_path.name + ".partial")
    partial.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, manifest_path)
    for stale in out.glob(f"{FUNCTION}*.zip"):
        if stale != zip_path:  # earlier builds, and the fixed-name zips of earlier versions
            stale.unlink()
    return Built(zip_path, manifest_path, manifest)


def current_build(out: Path = REPO / "dist") -> Built | None:
    """The build the manifest in ``out`` names, or None when there is none (or its zip is gone)."""
    manifest_path = out / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    zip_path = out / str(manifest.get("zip"))
    if not zip_path.is_file():
        return None
    return Built(zip_path, manifest_path, manifest)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m autocallout.package",
        description="Build the SCF zip of functions/describe_auto_callout_task with its pinned"
        " runtime dependencies and the runtime's bytecode, for the chosen SCF Python runtime;"
        f" the zip is named by its content hash and {MANIFEST} names the current one.",
    )
    parser.add_argument(
        "--runtime",
        default=DEFAULT_RUNTIME,
        choices=list(RUNTIMES),
        help=f"SCF runtime to build for (default {DEFAULT_RUNTIME})",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "dist", help="output folder (default: dist/)"
    )
    parser.add_argument(
        "--unpacked",
        type=Path,
        metavar="DIR",
        help="also unpack the zip into DIR, replacing it (serverless.yml deploys that folder)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        built = build(args.runtime, args.out)
    except BuildError as problem:
        print(f"package: error: {problem}", file=sys.stderr)
        return 1
    if args.unpacked is not None:
        shutil.rmtree(args.unpacked, ignore_errors=True)
        with zipfile.ZipFile(built.zip_path) as archive:
            archive.extractall(args.unpacked)
    print(size_report(built.zip_path))
    bytecode = f"bytecode by Python {built.bytecode}" if built.bytecode else "no bytecode"
    print(f"{built.runtime}, {bytecode}; {_shown(built.manifest_path)} names it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
