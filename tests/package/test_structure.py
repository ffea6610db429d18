"""The zip holds the function at its root and exactly the runtime dependencies, for its target."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path, PurePosixPath

from autocallout import package
from autocallout.runtimes import RUNTIMES
from tests.package.builds import Built, runtime_interpreter
from tests.paths import REPO

FUNCTION_DIR = REPO / "functions" / package.FUNCTION

# Everything that may sit at the zip root: the function and the import names of what
# functions/requirements.txt pins. A new top-level entry has to be added here on purpose.
ALLOWED_TOP_LEVEL = {
    "index.py",
    "__pycache__",  # index's and typing_extensions' bytecode
    "callout_task",
    "pydantic_core",
    "tencentcloud",
    "typing_extensions.py",
}

# The budget, in bytes: a few MB so that SCF's PullCode phase stays short on a cold start. In
# November 2026 the Python3.12 zip weighed 3.5 MiB with its bytecode (10.2 MiB unzipped), 4.8 MiB
# of it the pydantic-core extension and 2.7 MiB the pycs (0.8 MiB zipped).
ZIPPED_BUDGET = 4 * 1024 * 1024
UNZIPPED_BUDGET = 12 * 1024 * 1024


def function_sources() -> set[str]:
    return {
        path.relative_to(FUNCTION_DIR).as_posix()
        for path in FUNCTION_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_index_py_and_the_function_package_are_at_the_zip_root(built: Built) -> None:
    # Given a built package / When listing it
    names = set(built.names())
    # Then the handler module is at the top and every source file of the function is in it
    assert "index.py" in names
    assert "callout_task/handler.py" in names
    assert function_sources() <= names


def test_the_compiled_extension_is_built_for_the_selected_runtime(built: Built) -> None:
    # Given a package built for a runtime
    tag = package.extension_tag(built.runtime)
    # When listing its compiled modules
    extensions = [name for name in built.names() if name.endswith(".so")]
    # Then there is exactly pydantic-core's, for that CPython on Linux x86_64, and none for
    # another Python
    assert extensions == [f"pydantic_core/_pydantic_core.{tag}.so"]
    assert (
        tag == f"cpython-{built.runtime.removeprefix('Python').replace('.', '')}-x86_64-linux-gnu"
    )


def test_only_the_function_and_its_runtime_dependencies_are_shipped(built: Built) -> None:
    # Given a built package
    names = [PurePosixPath(name) for name in built.names()]
    # When looking at its top-level entries and at every path
    top_level = {name.parts[0] for name in names}
    forbidden = [
        str(name)
        for name in names
        if name.suffix in {".pyo", ".pyi"}
        or (name.suffix == ".pyc") != (name.parent.name == "__pycache__")
        or any(
            part in {"tests", "bin"}
            or part.endswith((".dist-info", ".egg-info"))
            or part.startswith(".")
            for part in name.parts
        )
    ]
    # Then nothing else came along: no tests, fake, CLI, dev tools, install metadata, and no
    # bytecode but in __pycache__
    assert top_level <= ALLOWED_TOP_LEVEL, sorted(top_level - ALLOWED_TOP_LEVEL)
    assert forbidden == []
    assert not top_level & {"autocallout", "pytest", "responses", "hypothesis", "mypy", "ruff"}


def test_the_package_stays_within_its_size_budget(built: Built) -> None:
    # Given a built package / When weighing it
    zipped = built.zip_path.stat().st_size
    unzipped = sum(info.file_size for info in built.infos())
    # Then it is a few MB: quick for SCF to pull on a cold start
    assert zipped < ZIPPED_BUDGET, f"{zipped} bytes zipped"
    assert unzipped < UNZIPPED_BUDGET, f"{unzipped} bytes unzipped"


def pyc_header(built: Built, name: str) -> bytes:
    with zipfile.ZipFile(built.zip_path) as archive:
        return archive.read(name)[:16]


def test_every_module_ships_its_bytecode_for_the_runtime_and_nothing_else(built: Built) -> None:
    # Given a package built with the runtime's own interpreter
    runtime_interpreter(built.runtime)
    tag = package.cache_tag(built.runtime)
    names = set(built.names())
    # When pairing each source with the pyc beside it
    expected = {
        str(
            PurePosixPath(name).parent / "__pycache__" / f"{PurePosixPath(name).stem}.{tag}.pyc"
        ).removeprefix("./")
        for name in names
        if name.endswith(".py")
    }
    pycs = {name for name in names if name.endswith(".pyc")}
    # Then every module has exactly its pyc for this runtime, and no other pyc is shipped
    assert built.bytecode is not None
    assert built.bytecode.rsplit(".", 1)[0] == RUNTIMES[built.runtime]
    assert pycs == expected


def test_the_bytecode_is_the_runtimes_own_and_is_never_checked_against_the_source(
    built: Built,
) -> None:
    # Given a package built with bytecode, and what that runtime's interpreter calls its format
    interpreter = runtime_interpreter(built.runtime)
    magic = subprocess.run(
        [
            str(interpreter.path),
            "-I",
            "-c",
            "import importlib.util as u; print(u.MAGIC_NUMBER.hex())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # When reading every pyc's header (PEP 552: magic, flags, then the source hash)
    headers = [pyc_header(built, name) for name in built.names() if name.endswith(".pyc")]
    # Then each is in that runtime's format, hash-based with the check off (unchecked-hash): the
    # runtime uses it as it is, whatever times the unpacked files carry
    assert headers
    assert {header[:4].hex() for header in headers} == {magic}
    assert {int.from_bytes(header[4:8], "little") for header in headers} == {0b01}


# Run with only the unpacked zip and the standard library: each module named imported in turn,
# the ones that fail printed as "module: error".
IMPORT_EACH = """
import importlib, sys
sys.path[:0] = [sys.argv[1]]
for module in sys.argv[2:]:
    try:
        importlib.import_module(module)
    except Exception as error:
        print(f"{module}: {error!r}")
"""


def test_every_module_shipped_imports_with_only_the_zip_on_its_runtime(
    built: Built, tmp_path: Path
) -> None:
    # Given the zip unpacked, and its runtime's interpreter isolated from anything else
    interpreter = runtime_interpreter(built.runtime)
    with zipfile.ZipFile(built.zip_path) as archive:
        archive.extractall(tmp_path)
    modules = sorted(
        name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for name in built.names()
        if name.endswith(".py")
    )
    # When importing every module it ships
    failed = subprocess.run(
        [str(interpreter.path), "-I", "-S", "-B", "-c", IMPORT_EACH, str(tmp_path), *modules],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.splitlines()
    # Then each one imports: nothing is shipped that needs what is not (the SDK's clients,
    # on requests, were)
    assert "callout_task.handler" in modules
    assert failed == []
