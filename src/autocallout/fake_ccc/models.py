"""The fake's state: tasks keyed by (SdkAppId, TaskId), known credentials, faults and a call log.

Tasks are kept as the CCC response objects they were given (unknown and null fields included), so
the fake answers with exactly what it was seeded with. A task can be moved along the way CCC would
move it (``advance_task``), like moto's managed states.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from autocallout.fake_ccc.exceptions import CccError
from autocallout.fake_ccc.faults import FaultQueue

TaskKey = tuple[int, int]
JSONObject = dict[str, Any]

# Task states (State): 0 initial, 1 running, 2 completed, 3 ending, 4 terminated, 5 paused.
# Callee states: 0 initial, 1 answered, 2 not answered, 3 calling, 4 waiting to retry.
_TASK_NEXT_STATE = {0: 1, 3: 4}


@dataclass(frozen=True)
class FakeCredentials:
    """A SecretId/SecretKey the fake accepts; with a token they are temporary, as a role's are."""

    secret_id: str
    secret_key: str
    token: str | None = None
    expires_at: float | None = None  # temporary credentials from AssumeRole expire


# Well-known local values: they open nothing but the fake; `autocallout fake-ccc` prints them
# (hence the nosec/noqa for hard-coded passwords).
DEFAULT_CREDENTIALS = FakeCredentials(
    secret_id="AKIDLOCALFAKECCC0000000000000000",  # noqa: S106  # nosec B106
    secret_key="local-fake-ccc-key-opens-nothing",  # noqa: S106  # nosec B106
    token="local-fake-ccc-session-token",  # noqa: S106  # nosec B106
)


def bundled_seed_path() -> Path:
    """The seed tasks shipped with the fake (``autocallout/fake_ccc/data/tasks.json``)."""
    return Path(str(resources.files("autocallout.fake_ccc") / "data" / "tasks.json"))


# Seed files already decoded in this process, by (path, size, modification time): decoding the
# bundled seed (a task of 10 000 callees among them) was most of the time it takes to start a
# backend, which every test does. An edited file has another key and is read again.
_decoded_seeds: dict[tuple[str, int, int], list[Any]] = {}
_DECODED_SEEDS_KEPT = 4


def _seed_file(path: str | Path) -> list[Any]:
    """A seed file's entries, each copied two levels deep: the task, and the objects in its lists
    and fields (a callee, a caller). Deeper values, such as a callee's Sessions, are shared with
    every backend seeded from the same file: the fake replaces them and never changes them in
    place, and a test must do the same."""
    status = os.stat(path)
    key = (os.path.abspath(path), status.st_size, status.st_mtime_ns)
    entries = _decoded_seeds.get(key)
    if entries is None:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)
        if not isinstance(entries, list):
            raise ValueError("the seed file must hold a JSON list of tasks")
        while len(_decoded_seeds) >= _DECODED_SEEDS_KEPT:
            del _decoded_seeds[next(iter(_decoded_seeds))]
        _decoded_seeds[key] = entries
    return [_copied(entry) for entry in entries]


def _copied(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return entry  # put_task refuses it
    return {name: _copied_value(value) for name, value in entry.items()}


def _copied_value(value: Any) -> Any:
    if isinstance(value, list):
        return [dict(item) if isinstance(item, dict) else item for item in value]
    return dict(value) if isinstance(value, dict) else value


@dataclass(frozen=True)
class CallRecord:
    """One request the fake received, after authentication (None when it was refused before)."""

    action: str
    params: Mapping[str, Any]
    secret_id: str | None
    error_code: str | None
    request_id: str
    at: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "params": dict(self.params),
            "secret_id": self.secret_id,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "at": self.at,
        }


@dataclass
class CccBackend:
    """One CCC account's worth of state. Thread-safe: the server mode shares it between threads."""

    credentials: dict[str, FakeCredentials] = field(default_factory=dict)
    tasks: dict[TaskKey, JSONObject] = field(default_factory=dict)
    faults: FaultQueue = field(default_factory=FaultQueue)
    calls: list[CallRecord] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    max_clock_skew: float = 300.0
    auto_advance: bool = False
    roles: set[str] = field(default_factory=set)  # RoleArns AssumeRole may issue credentials for
    # The longest a role's credentials live, whatever DurationSeconds asked (a role whose
    # sessions are limited, or an STS that gives less than asked).
    role_max_seconds: int = 43200
    # SSM secrets GetSecretValue answers: (SecretName, VersionId) -> SecretString.
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._encoded: dict[TaskKey, bytes] = {}

    @classmethod
    def seeded(
        cls,
        tasks: str | Path | Iterable[Mapping[str, Any]] | None = None,
        credentials: Iterable[FakeCredentials] = (DEFAULT_CREDENTIALS,),
    ) -> CccBackend:
        """A backend with the default credentials and the bundled seed tasks (or ``tasks``)."""
        backend = cls()
        for credential in credentials:
            backend.add_credentials(credential)
        backend.load_tasks(bundled_seed_path() if tasks is None else tasks)
        return backend

    # -- credentials ------------------------------------------------------------------------------
    def add_credentials(self, credential: FakeCredentials) -> FakeCredentials:
        with self._lock:
            self.credentials[credential.secret_id] = credential
        return credential

    def lookup_credentials(self, secret_id: str) -> FakeCredentials | None:
        with self._lock:
            return self.credentials.get(secret_id)

    def secret_value(self, name: str, version: str) -> str:
        with self._lock:
            value = self.secrets.get((name, version))
        if value is None:
            raise CccError("ResourceNotFound", f"The secret {name} has no version {version}.")
        return value

    def assume_role(self, role_arn: str, duration: int) -> tuple[FakeCredentials, float]:
        """New temporary credentials for a known role, accepted until they expire."""
        if role_arn not in self.roles:
            raise CccError("ResourceNotFound.RoleNotExist", f"The role {role_arn} does not exist.")
        expires_at = self.clock() + min(duration, self.role_max_seconds)
        issued = FakeCredentials(
            secret_id="AKIDFAKESTS" + secrets.token_hex(10).upper(),
            secret_key=secrets.token_hex(16),
            token=secrets.token_hex(24),
            expires_at=expires_at,
        )
        return self.add_credentials(issued), expires_at

    # -- tasks ------------------------------------------------------------------------------------
    def load_tasks(self, source: str | Path | Iterable[Mapping[str, Any]]) -> int:
        """Add tasks from a JSON file (a list of entries) or from entries; returns how many."""
        entries = _seed_file(source) if isinstance(source, (str, Path)) else list(source)
        for entry in entries:
            self.put_task(entry)
        return len(entries)

    def put_task(self, entry: Mapping[str, Any]) -> JSONObject:
        """Store a task: a CCC response object plus its ``SdkAppId`` and ``TaskId``."""
        if not isinstance(entry, Mapping):
            raise ValueError("a task entry must be a JSON object")
        fields = dict(entry)
        key = (
            _whole(fields.pop("SdkAppId", None), "SdkAppId"),
            _whole(fields.pop("TaskId", None), "TaskId"),
        )
        fields.pop("RequestId", None)
        with self._lock:
            self.tasks[key] = fields
            self._encoded.pop(key, None)
        return fields

    def task(self, sdk_app_id: int, task_id: int) -> JSONObject:
        with self._lock:
            try:
                return self.tasks[(sdk_app_id, task_id)]
            except KeyError:
                raise CccError(
                    "ResourceNotFound",
                    f"The auto-callout task {task_id} of SdkAppId {sdk_app_id} does not exist.",
                ) from None

    def update_task(self, sdk_app_id: int, task_id: int, **fields: Any) -> JSONObject:
        """Change fields of a stored task (e.g. ``State=2``); the next answer shows them."""
        with self._lock:
            task = self.task(sdk_app_id, task_id)
            task.update(fields)
            self._encoded.pop((sdk_app_id, task_id), None)
            return task

    def advance_task(self, sdk_app_id: int, task_id: int) -> JSONObject:
        """One step of a task's life: it starts, callees get called and answer, it completes.

        initial -> running; while running, the callee being called gets its outcome (even
        positions answer, odd ones do not) and the next waiting callee is called; when nobody is
        left to call the task is completed. ending -> terminated. Other states stay put.
        """
        with self._lock:
            task = self.task(sdk_app_id, task_id)
            state = task.get("State")
            callees = task.get("Callees") or []
            if state == 1:
                for position, callee in enumerate(callees):
                    if callee.get("State") == 3:
                        answered = position % 2 == 0
                        callee["State"] = 1 if answered else 2
                        if answered:
                            sessions = callee.get("Sessions") or []
                            callee["Sessions"] = [*sessions, f"fake-{task_id}-{position}"]
                waiting = next((c for c in callees if c.get("State") in (0, 4)), None)
                if waiting is not None:
                    waiting["State"] = 3
                else:
                    task["State"] = 2
            elif isinstance(state, int) and state in _TASK_NEXT_STATE:
                task["State"] = _TASK_NEXT_STATE[state]
                if task["State"] == 1:
                    first = next((c for c in callees if c.get("State") == 0), None)
                    if first is not None:
                        first["State"] = 3
            self._encoded.pop((sdk_app_id, task_id), None)
            return task

    def encoded_task(self, sdk_app_id: int, task_id: int) -> bytes:
        """The task as compact UTF-8 JSON, cached until the task changes (big tasks are big)."""
        key = (sdk_app_id, task_id)
        with self._lock:
            cached = self._encoded.get(key)
            if cached is None:
                task = self.task(sdk_app_id, task_id)
                cached = json.dumps(task, ensure_ascii=False, separators=(",", ":")).encode()
                self._encoded[key] = cached
            return cached

    # -- call log ---------------------------------------------------------------------------------
    def record(self, record: CallRecord) -> None:
        with self._lock:
            self.calls.append(record)

    def listing(self) -> list[JSONObject]:
        """Every task's ids, name, state and callee count (not its callees: one has 10 000)."""
        with self._lock:
            return [
                {
                    "SdkAppId": sdk_app_id,
                    "TaskId": task_id,
                    "Name": task.get("Name"),
                    "State": task.get("State"),
                    "Callees": len(task.get("Callees") or ()),
                }
                for (sdk_app_id, task_id), task in sorted(self.tasks.items())
            ]

    def calls_to(self, action: str) -> list[CallRecord]:
        with self._lock:
            return [call for call in self.calls if call.action == action]

    def reset(self) -> None:
        """Forget calls and pending faults; tasks and credentials stay."""
        with self._lock:
            self.calls.clear()
            self.faults.clear()


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"a task entry needs {name} as a positive integer, got {value!r}")
    return value
