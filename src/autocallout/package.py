"""Build the SCF deployment zip: the function folder plus its pinned runtime dependencies.

``python -m autocallout.package [--runtime Python3.12] [--out dist] [--layer]``. The dependencies
come from ``functions/requirements.txt`` (hash-pinned), installed as wheels for the runtime's
CPython on manylinux x86_64 whatever this machine is. The zip is reproducible: sorted entries,
fixed timestamps and permissions, so its hash changes only when the code or a dependency does.
"""

from __future__ import annotations

import argparse
import os

# pip runs with a fixed command line built here: subprocess is safe (nosec below).
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import NoReturn

FUNCTION = "describe_auto_callout_task"
REPO = Path(__file__).resolve().parents[2]
PLATFORM = "manylinux2014_x86_64"
# SCF runtime name -> CPython version. SCF has no Python 3.11: it is here so the package can be
# smoke-tested on this repository's development interpreter.
RUNTIMES = {"Python3.10": "3.10", "Python3.11": "3.11", "Python3.12": "3.12"}
DEFAULT_RUNTIME = "Python3.12"

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
FILE_MODE = 0o100644  # regular file, rw-r--r--
UNIX = 3  # ZipInfo.create_system: external_attr holds Unix mode bits

# Never shipped: bytecode (the runtime writes its own), typing-only files, hidden files.
DROPPED_NAMES = {"__pycache__", "py.typed"}
DROPPED_SUFFIXES = {".pyc", ".pyo", ".pyi"}
# Also never shipped from the installed dependencies: install metadata (nothing imports it:
# the smoke test runs without it), console scripts whose shebang names this machine's Python,
# and the packages' own test suites.
DROPPED_DEPENDENCY_TOP = {"bin"}
DROPPED_DEPENDENCY_PARTS = {"tests"}


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
        "--require-hashes",  # also refuses a dependency that requirements.txt does not pin
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


def build(
    runtime: str = DEFAULT_RUNTIME,
    out: Path = REPO / "dist",
    *,
    layer: bool = False,
    repo: Path = REPO,
) -> list[Path]:
    """Build the function zip (and with ``layer``, a separate dependency layer zip for /opt).

    Without ``layer`` the function zip holds the code and the dependencies; with it, only the
    code, and ``<function>-layer.zip`` holds the dependencies at its root (SCF puts /opt on
    PYTHONPATH). Returns the zips written.
    """
    if runtime not in RUNTIMES:
        raise BuildError(f"unknown runtime {runtime!r}: choose from {', '.join(RUNTIMES)}")
    function_dir = repo / "functions" / FUNCTION
    requirements = repo / "functions" / "requirements.txt"
    if not (function_dir / "index.py").is_file() or not requirements.is_file():
        raise BuildError(
            f"{repo} has no functions/{FUNCTION}/index.py or functions/requirements.txt"
        )
    code = shipped_files(function_dir, dependency=False)
    with tempfile.TemporaryDirectory(prefix="scf-package-") as scratch:
        install_dependencies(requirements, runtime, Path(scratch))
        dependencies = shipped_files(Path(scratch), dependency=True)
        check_extensions(dependencies, runtime)
        clashes = sorted(_top_level(code) & _top_level(dependencies))
        if clashes:
            raise BuildError(f"the function and its dependencies both ship {', '.join(clashes)}")
        function_zip = out / f"{FUNCTION}.zip"
        layer_zip = out / f"{FUNCTION}-layer.zip"
        if layer:
            write_zip(code, function_zip)
            write_zip(dependencies, layer_zip)
            return [function_zip, layer_zip]
        write_zip({**code, **dependencies}, function_zip)
        layer_zip.unlink(missing_ok=True)  # a stale layer would not match this function zip
        return [function_zip]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m autocallout.package",
        description="Build the SCF zip of functions/describe_auto_callout_task with its pinned"
        " runtime dependencies, for the chosen SCF Python runtime.",
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
        "--layer",
        action="store_true",
        help=f"put the dependencies in {FUNCTION}-layer.zip (an SCF layer) and only the code in"
        f" {FUNCTION}.zip",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        written = build(args.runtime, args.out, layer=args.layer)
    except BuildError as problem:
        print(f"package: error: {problem}", file=sys.stderr)
        return 1
    for path in written:
        print(size_report(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
