"""What an instance keeps between invocations: it stays bounded, ``callout_task.reset_instance()``
forgets all of it, and the garbage-collector pause covers CPU work only, correctly when several
threads run invocations at once."""

from __future__ import annotations

import ast
import gc
import importlib
import threading
import time
from pathlib import Path

import callout_task
import pytest
from callout_task import assume_role, logs

from autocallout.fake_ccc import CccBackend, FakeCredentials
from tests.function.scenarios import Invoke
from tests.seeded import ROLE, TASK


def test_the_role_credential_cache_keeps_only_the_latest_few(
    invoke: Invoke, ccc: CccBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("RATE_LIMIT_QPS", "0")  # no limit: this is about memory
    ccc.roles.add(ROLE)
    assume_role.forget_all()
    for rotation in range(assume_role.MAX_CACHED_ROLES + 4):  # the execution role rotates
        rotated = ccc.add_credentials(FakeCredentials(f"AKIDROTATION{rotation:04d}", "k", "t"))
        monkeypatch.setenv("TENCENTCLOUD_SECRETID", rotated.secret_id)
        monkeypatch.setenv("TENCENTCLOUD_SECRETKEY", rotated.secret_key)
        monkeypatch.setenv("TENCENTCLOUD_SESSIONTOKEN", rotated.token or "")
        assert invoke(dict(TASK))["task_id"] == 3

    assert len(assume_role._cache) == assume_role.MAX_CACHED_ROLES
    assert (ROLE, "AKIDROTATION0011") in assume_role._cache  # the newest is kept


def test_the_collector_runs_while_ccc_is_waited_for(invoke: Invoke, ccc: CccBackend) -> None:
    ccc.faults.inject("latency", delay=0.4)
    seen: list[bool] = []

    def watch() -> None:
        time.sleep(0.1)
        for _ in range(5):
            seen.append(gc.isenabled())
            time.sleep(0.04)

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert invoke(dict(TASK))["task_id"] == 3
    watcher.join()

    assert seen == [True] * 5


def test_after_reset_instance_the_next_invocation_starts_cold(
    invoke: Invoke,
    ccc: CccBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a warm instance: its settings read, a role's credentials kept, its log level chosen
    monkeypatch.setenv("CCC_ROLE_ARN", ROLE)
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    ccc.roles.add(ROLE)
    assert invoke(dict(TASK))["task_id"] == 3
    monkeypatch.setenv("ALLOWED_SDK_APP_IDS", "1400000001")
    assert invoke(dict(TASK))["task_id"] == 3  # settings are read once per instance
    assert len(ccc.calls_to("AssumeRole")) == 1  # and the role's credentials kept
    capsys.readouterr()

    # When it is reset
    callout_task.reset_instance()

    # Then nothing of it is left: the log level is INFO until settings are read again...
    logs.emit("INFO", "after the reset")
    assert "after the reset" in capsys.readouterr().out
    # ...the settings are read again (the allow-list now refuses the task)...
    assert invoke(dict(TASK))["status"] == 403
    # ...and the role is assumed again
    monkeypatch.delenv("ALLOWED_SDK_APP_IDS")
    callout_task.reset_instance()
    assert invoke(dict(TASK))["task_id"] == 3
    assert len(ccc.calls_to("AssumeRole")) == 2


# Every name of the function's modules that a function rebinds (`global`) or fills in place
# (`name[k] = v`, `name.clear()`, `name.attr[k] = v`...), and every cached function: what an
# instance keeps. Found by reading the modules, so that a new module's global is caught without
# anyone remembering to add it here; reset_instance() must forget each, or it is listed below
# with the reason it is not the instance's.
_NOT_INSTANCE_STATE = {
    "watch_tick._local": "wired by `autocallout watch` on the developer's machine, never in SCF",
    "watchdog._current": "each attempt's own watch, set and cleared around it by `watching`",
    "api_document.openapi_document": "the document shipped in the package: every instance's same",
}
_MUTATORS = frozenset(
    {"clear", "append", "add", "update", "pop", "popitem", "setdefault", "move_to_end",
     "discard", "remove", "extend", "insert", "appendleft", "popleft"}
)  # fmt: skip
_PACKAGE = Path(callout_task.__file__).parent


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _kept_by(path: Path) -> dict[str, str]:
    """{name: "rebound" | "filled" | "cached"} of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_names = {
        target.id
        for statement in tree.body
        if isinstance(statement, (ast.Assign, ast.AnnAssign))
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    }
    kept: dict[str, str] = {}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if any("cache" in ast.unparse(decorator) for decorator in function.decorator_list):
            kept[function.name] = "cached"
        local = {a.arg for a in (*function.args.args, *function.args.kwonlyargs)} | {
            n.id
            for n in ast.walk(function)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                kept.update(dict.fromkeys(node.names, "rebound"))
            targets: list[ast.AST] = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = (
                    node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                )
                targets = [t for t in targets if isinstance(t, (ast.Subscript, ast.Attribute))]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
            ):
                targets = [node.func.value]
            for target in targets:
                name = _root(target)
                if name in module_names and name not in local:
                    kept.setdefault(name, "filled")
    return kept


_INSTANCE_STATE = sorted(
    (f"{path.stem}.{name}", how)
    for path in _PACKAGE.glob("*.py")
    for name, how in _kept_by(path).items()
)


def test_the_instance_state_found_includes_what_is_known_to_be_kept() -> None:
    found = dict(_INSTANCE_STATE)
    assert found["handler._instance"] == "rebound"
    assert found["assume_role._cache"] == found["watch_secrets._cache"] == "filled"
    assert found["upstream._clients"] == "filled"
    assert set(_NOT_INSTANCE_STATE) <= set(found)  # no reason kept for a name that is gone


_RESET = [(kept, how) for kept, how in _INSTANCE_STATE if kept not in _NOT_INSTANCE_STATE]


@pytest.mark.parametrize(("kept", "how"), _RESET, ids=[kept for kept, _ in _RESET])
def test_reset_instance_forgets_everything_a_module_keeps(kept: str, how: str) -> None:
    module_name, name = kept.split(".")
    module = importlib.import_module(f"callout_task.{module_name}")
    marker = object()
    if how == "cached":
        pytest.fail(f"{kept} is a cache reset_instance() cannot clear: reset it or say why not")
    if how == "rebound":
        setattr(module, name, marker)
        callout_task.reset_instance()
        assert getattr(module, name) is not marker, f"reset_instance() left {kept} as it was"
        return
    value = getattr(module, name)
    containers = (
        [value]
        if isinstance(value, (dict, list, set))
        else [held for held in vars(value).values() if isinstance(held, (dict, list, set))]
    )
    assert containers, f"{kept} is filled in place but holds no dict, list or set to check"
    for container in containers:
        if isinstance(container, dict):
            container[marker] = marker
        elif isinstance(container, list):
            container.append(marker)
        else:
            container.add(marker)
    callout_task.reset_instance()
    value = getattr(module, name)
    now = [value] if isinstance(value, (dict, list, set)) else list(vars(value).values())
    assert not any(marker in held for held in now if isinstance(held, (dict, list, set))), (
        f"reset_instance() left what {kept} keeps"
    )
