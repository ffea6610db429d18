"""The data plane: functions run as SCF runs them, their URLs answer, their timers fire, and
their log lines land in their CLS topic.

- A function's instance is its uploaded zip run by ``packaged_runtime.PackagedFunction``
  (unpacked read-only, on its runtime's own CPython, ``-I -S -B``), started at its first
  invocation and stopped when its code or configuration changes or it is deleted.
- Its environment is the function's variables plus what SCF adds: the role's temporary
  credentials (``TENCENTCLOUD_SECRETID``/``SECRETKEY``/``SESSIONTOKEN``) and, as LocalStack
  injects its endpoint, ``CCC_ENDPOINT`` pointing at the local cloud when the function does not
  set one: there CAM's verdict on the role's policies (``iam``) comes first, then the fake CCC.
- What the instance writes to stdout (SCF collects it) goes line by line to the function's CLS
  topic, with SCF's own ``SCF_*`` fields.
- A Function URL (an ``http`` trigger) answers at ``/scf-url/<id>/`` behind the CAM door of
  ``front_door_auth`` (TC3 with a key this cloud knows) unless its AuthType is NONE.
- Timers fire on their 7-field cron (second minute hour day month weekday year, China time as
  SCF reads it) with their custom argument as the event's ``Message``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from autocallout import front_door_auth
from autocallout.fake_ccc.models import CccBackend, FakeCredentials
from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import cls as cls_actions
from autocallout.local_cloud.responses import scf as scf_actions
from autocallout.local_server import build_event
from autocallout.packaged_runtime import PackagedFunction, PackageRunError

CHINA_TIME = timezone(timedelta(hours=8))
ROLE_CREDENTIAL_SECONDS = 7200


class _Instance:
    def __init__(self, function: PackagedFunction, workdir: tempfile.TemporaryDirectory[str]):
        self.function = function
        self.workdir = workdir
        self.pump: threading.Thread | None = None

    def close(self) -> None:
        self.function.close()
        if self.pump is not None:
            self.pump.join(timeout=5)
        self.workdir.cleanup()


class DataPlane:
    def __init__(self, backend: CloudBackend, ccc: CccBackend, ccc_url: str) -> None:
        self.backend = backend
        self.ccc = ccc
        self.ccc_url = ccc_url
        self._instances: dict[str, _Instance] = {}
        self._roles: dict[str, str] = {}  # SecretId of minted role credentials -> role name
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._closed = False  # under _lock: no instance starts once close() began
        self._timer_thread: threading.Thread | None = None
        self.timer_runs: list[JSONObject] = []
        backend.listeners.append(self._on_change)
        backend.invoker = self.invoke

    # -- instances --------------------------------------------------------------------------------
    def _on_change(self, collection: str, key: str) -> None:
        if collection == "scf.functions":
            with self._lock:
                instance = self._instances.pop(key, None)
            if instance is not None:
                instance.close()

    def _environment(self, function: JSONObject) -> dict[str, str]:
        variables = {v["Key"]: v["Value"] for v in function["Environment"]["Variables"]}
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": "Asia/Shanghai",
            "SCF_FUNCTIONNAME": function["FunctionName"],
            "SCF_NAMESPACE": function["Namespace"],
            "SCF_FUNCTIONVERSION": "$LATEST",
            "SCF_RUNTIME": function["Runtime"],
            "TENCENTCLOUD_REGION": self.backend.region,
            **variables,
        }
        if not variables.get("CCC_ENDPOINT"):
            environment["CCC_ENDPOINT"] = self.ccc_url
        if function["Role"]:
            credentials = FakeCredentials(
                secret_id=f"AKIDrole{secrets.token_hex(12)}",
                secret_key=secrets.token_urlsafe(24),
                token=secrets.token_urlsafe(32),
                expires_at=self.backend.clock() + ROLE_CREDENTIAL_SECONDS,
            )
            self.ccc.add_credentials(credentials)
            with self._lock:
                self._roles[credentials.secret_id] = function["Role"]
            environment.update(
                TENCENTCLOUD_SECRETID=credentials.secret_id,
                TENCENTCLOUD_SECRETKEY=credentials.secret_key,
                TENCENTCLOUD_SESSIONTOKEN=credentials.token or "",
            )
        return environment

    def _instance(self, key: str) -> tuple[_Instance, JSONObject]:
        with self._lock:
            if self._closed:
                raise CloudError("FailedOperation.FunctionStatusError", "The cloud is stopping.")
            function = self.backend.table("scf.functions").get(key)
            if function is None:
                raise CloudError("ResourceNotFound.Function", f"The function {key} does not exist.")
            instance = self._instances.get(key)
            if instance is not None:
                return instance, function
            code = self.backend.table("scf.code")[key]
            workdir = tempfile.TemporaryDirectory(prefix="local-cloud-")
            zip_path = Path(workdir.name) / "code.zip"
            zip_path.write_bytes(code)
            read_end, write_end = os.pipe()
            packaged = PackagedFunction(
                zip_path, function["Runtime"], self._environment(function), stderr=write_end
            )
            instance = _Instance(packaged, workdir)
            try:
                packaged.__enter__()
            except PackageRunError:
                os.close(write_end)
                os.close(read_end)
                workdir.cleanup()
                raise
            finally:
                with contextlib.suppress(OSError):
                    os.close(write_end)
            instance.pump = threading.Thread(
                target=self._pump,
                args=(read_end, function),
                name=f"logs-{function['FunctionName']}",
                daemon=True,
            )
            instance.pump.start()
            self._instances[key] = instance
            return instance, function

    def _pump(self, fd: int, function: JSONObject) -> None:
        with open(fd, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                text = line.rstrip("\n")
                if not text or not function["ClsTopicId"]:
                    continue
                with contextlib.suppress(CloudError):
                    cls_actions.append_log(
                        self.backend,
                        function["ClsTopicId"],
                        text,
                        {
                            "SCF_FunctionName": function["FunctionName"],
                            "SCF_Namespace": function["Namespace"],
                            "SCF_Qualifier": "$LATEST",
                            "SCF_Type": "Custom",
                            "SCF_LogTime": time.time_ns(),
                        },
                    )

    def role_of(self, secret_id: str) -> str | None:
        """The role whose temporary credentials ``secret_id`` is, if the data plane minted it."""
        with self._lock:
            return self._roles.get(secret_id)

    def invoke(self, key: str, event: Any) -> Any:
        instance, function = self._instance(key)
        context = {
            "request_id": str(uuid.uuid4()),
            "time_limit_in_ms": function["Timeout"] * 1000,
            "memory_limit_in_mb": function["MemorySize"],
            "function_name": function["FunctionName"],
            "namespace": function["Namespace"],
            "function_version": "$LATEST",
        }
        try:
            return instance.function.invoke(event, context)
        except PackageRunError as error:
            raise CloudError("FailedOperation.FunctionStatusError", str(error)) from None

    # -- Function URLs ----------------------------------------------------------------------------
    def serve_url(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        client_ip: str,
    ) -> tuple[int, dict[str, str], bytes]:
        """The answer of the Function URL a request under /scf-url/<id>/ is for."""
        url_id, _, rest = path[len("/scf-url/") :].partition("/")
        found = scf_actions.url_trigger(self.backend, url_id)
        if found is None or found[0]["Enable"] != 1:
            return _plain(404, "no Function URL here (deleted, disabled, or never created)")
        trigger, function = found
        request_id = str(uuid.uuid4())
        if json.loads(trigger["TriggerDesc"]).get("AuthType") == "CAM" and method != "OPTIONS":
            door = front_door_auth.CamDoor(key=self._cam_key(headers), clock=self.backend.clock)
            refusal = door.refusal(front_door_auth.Request(method, path, query, headers, body))
            if refusal is not None:
                return _answer(front_door_auth.refusal_answer(door, refusal, request_id))
        target = "/" + rest + (f"?{query}" if query else "")
        event = build_event("function-url", method, target, dict(headers), body, client_ip)
        key = scf_actions.function_key(function["Namespace"], function["FunctionName"])
        try:
            answer = self.invoke(key, event)
        except CloudError as error:
            return _plain(502, f"the function failed: {error.message}")
        if not isinstance(answer, dict) or "statusCode" not in answer:
            return (200, {"Content-Type": "application/json"}, json.dumps(answer).encode())
        return _answer(answer)

    def _cam_key(self, headers: Mapping[str, str]) -> front_door_auth.KeyPair:
        """The key pair of the SecretId the request names, if this cloud knows it."""
        from autocallout.fake_ccc import signature

        lowered = {name.lower(): value for name, value in headers.items()}
        auth = signature.parse_authorization(lowered.get("authorization", ""))
        known = self.backend.lookup_credentials(auth.secret_id) if auth else None
        if known is None:
            return front_door_auth.KeyPair("(none)", secrets.token_hex(16))
        return front_door_auth.KeyPair(known.secret_id, known.secret_key)

    # -- timers -----------------------------------------------------------------------------------
    def start_timers(self) -> None:
        self._timer_thread = threading.Thread(target=self._tick, name="scf-timers", daemon=True)
        self._timer_thread.start()

    def _tick(self) -> None:
        last = int(self.backend.clock())
        while not self._stopping.wait(0.2):
            now = int(self.backend.clock())
            for second in range(last + 1, now + 1):
                self._fire_due(second)
            last = max(last, now)

    def _fire_due(self, second: int) -> None:
        moment = datetime.fromtimestamp(second, tz=CHINA_TIME)
        with self.backend.lock:
            triggers = [
                dict(t)
                for t in self.backend.table("scf.triggers").values()
                if t["Type"] == "timer" and t["Enable"] == 1
            ]
        for trigger in triggers:
            cron = json.loads(trigger["TriggerDesc"])["cron"]
            if cron_matches(cron, moment):
                threading.Thread(
                    target=self._fire, args=(trigger, moment), name="timer-run", daemon=True
                ).start()

    def _fire(self, trigger: JSONObject, moment: datetime) -> None:
        event = {
            "Type": "Timer",
            "TriggerName": trigger["TriggerName"],
            "Time": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Message": trigger["CustomArgument"],
        }
        try:
            answer: Any = self.invoke(trigger["FunctionKey"], event)
        except CloudError as error:
            answer = {"error": error.message}
        with self.backend.lock:
            self.timer_runs.append({"trigger": trigger["TriggerName"], "answer": answer})
            del self.timer_runs[:-100]

    def close(self) -> None:
        self._stopping.set()
        if self._timer_thread is not None:
            self._timer_thread.join(timeout=5)
        with self._lock:
            self._closed = True
            instances = list(self._instances.values())
            self._instances.clear()
        for instance in instances:
            instance.close()
        with contextlib.suppress(ValueError):
            self.backend.listeners.remove(self._on_change)
        self.backend.invoker = None


def _plain(status: int, text: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


def _answer(answer: Mapping[str, Any]) -> tuple[int, dict[str, str], bytes]:
    import base64

    body = str(answer.get("body", ""))
    data = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
    headers = {str(k): str(v) for k, v in (answer.get("headers") or {}).items()}
    return int(answer.get("statusCode", 200)), headers, data


# -- cron -----------------------------------------------------------------------------------------

_RANGES = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6), (1970, 2099))
_NAMES = {
    4: {
        m: i + 1
        for i, m in enumerate(
            ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        )
    },
    5: {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])},
}


def _field_values(text: str, position: int) -> set[int]:
    low, high = _RANGES[position]
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {text!r}")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, position), _number(last, position)
        else:
            start = _number(base, position)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"{text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _number(text: str, position: int) -> int:
    names = _NAMES.get(position, {})
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a number")
    return int(text)


def cron_matches(cron: str, moment: datetime) -> bool:
    """Whether SCF's 7-field cron fires at ``moment`` (a bad expression never fires)."""
    fields = cron.split()
    if len(fields) != len(_RANGES):
        return False
    weekday = (moment.weekday() + 1) % 7  # Sunday is 0, as in cron
    parts = (
        moment.second,
        moment.minute,
        moment.hour,
        moment.day,
        moment.month,
        weekday,
        moment.year,
    )
    try:
        return all(
            value in _field_values(text, position)
            for position, (text, value) in enumerate(zip(fields, parts, strict=True))
        )
    except ValueError:
        return False
