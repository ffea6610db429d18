"""The local cloud's state: one account's resources, kept as the API objects Tencent answers with.

Every resource lives in a named collection (``scf.functions``, ``cam.roles``, ``cls.topics``...),
a dict from its id to the object a Describe/Get action returns (TitleCase fields, as on the wire),
so that what the provider sent is what it reads back. Tags live in one place, as in Tencent's Tag
service, keyed by the resource's six-part name; the services that answer with tags read them from
there. The whole state can be written to a JSON file and read back (``save``/``load``).

Thread-safe: the server answers from several threads, the data plane from its own.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from autocallout.fake_ccc.models import FakeCredentials
from autocallout.local_cloud.errors import CloudError

JSONObject = dict[str, Any]

# Well-known local values: they open nothing but this emulator (hence the noqa/nosec).
LOCAL_CREDENTIALS = FakeCredentials(
    secret_id="AKIDLOCALCLOUD00000000000000000000",  # noqa: S106  # nosec B106
    secret_key="local-cloud-key-opens-nothing",  # noqa: S106  # nosec B106
)

COLLECTIONS = (
    "cam.roles",
    "cam.policies",
    "cam.attachments",
    "cls.logsets",
    "cls.topics",
    "cls.indexes",
    "cls.alarm_notices",
    "cls.alarms",
    "scf.functions",
    "scf.triggers",
    "scf.reserved",
    "monitor.notices",
    "monitor.policies",
    "monitor.bindings",
    "ssm.secrets",
    "tag.resources",
)
# Not resources a deployment owns: what `destroy leaves nothing` does not count.
_DATA = ("cls.logs", "scf.code")


@dataclass(frozen=True)
class Account:
    """The account the local credentials belong to (GetUserAppId answers these)."""

    uin: str = "100000000001"
    app_id: int = 1300000001
    owner_uin: str = "100000000001"
    name: str = "local-cloud"


def now_text(timestamp: float) -> str:
    """``2026-12-06 01:23:45``: how SCF, CAM and CLS write times (China Standard Time there)."""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class CloudBackend:
    region: str = "ap-guangzhou"
    account: Account = field(default_factory=Account)
    credentials: dict[str, FakeCredentials] = field(
        default_factory=lambda: {LOCAL_CREDENTIALS.secret_id: LOCAL_CREDENTIALS}
    )
    clock: Callable[[], float] = time.time
    max_clock_skew: float = 300.0

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.state: dict[str, dict[str, Any]] = {name: {} for name in (*COLLECTIONS, *_DATA)}
        self._counter = itertools.count(1)
        # Called with (collection, key) after a change: the data plane follows functions.
        self.listeners: list[Callable[[str, str], None]] = []
        self.calls: list[JSONObject] = []
        # Set by the server: where Function URLs answer (http://127.0.0.1:PORT), and the data
        # plane's entry for SCF's Invoke action.
        self.url_base = "http://127.0.0.1"
        self.invoker: Callable[[str, Any], Any] | None = None

    # -- ids and time --------------------------------------------------------------------------
    def new_id(self, prefix: str = "") -> str:
        """A fresh id: ``prefix`` + a UUID-like random part, or a number when prefix is ``#``."""
        if prefix == "#":
            return str(next(self._counter) + 10_000_000)
        if prefix.endswith("uuid"):
            return f"{prefix[:-4]}{_uuid_like()}"
        return f"{prefix}{secrets.token_hex(4)}"

    def now(self) -> str:
        return now_text(self.clock())

    # -- collections -----------------------------------------------------------------------------
    def table(self, name: str) -> dict[str, Any]:
        return self.state[name]

    def get(self, collection: str, key: str, error: CloudError) -> Any:
        with self.lock:
            item = self.state[collection].get(key)
        if item is None:
            raise error
        return item

    def put(self, collection: str, key: str, item: Any) -> None:
        with self.lock:
            self.state[collection][key] = item
        self._changed(collection, key)

    def delete(self, collection: str, key: str) -> Any:
        with self.lock:
            item = self.state[collection].pop(key, None)
        self._changed(collection, key)
        return item

    def _changed(self, collection: str, key: str) -> None:
        for listener in list(self.listeners):
            listener(collection, key)

    def resources(self) -> dict[str, list[str]]:
        """What the account holds, by collection (empty collections left out)."""
        with self.lock:
            return {name: sorted(self.state[name]) for name in COLLECTIONS if self.state[name]}

    # -- tags (the Tag service's view of every resource) ------------------------------------------
    def resource_name(self, service: str, prefix: str, resource_id: str, region: str = "") -> str:
        """qcs::<service>:<region>:uin/<uin>:<prefix>/<id>, as the Tag service names resources."""
        return f"qcs::{service}:{region}:uin/{self.account.uin}:{prefix}/{resource_id}"

    def set_tags(self, name: str, replace: Mapping[str, str], delete: Sequence[str] = ()) -> None:
        with self.lock:
            tags = dict(self.state["tag.resources"].get(canonical_resource(name), {}))
            tags.update(replace)
            for key in delete:
                tags.pop(key, None)
            if tags:
                self.state["tag.resources"][canonical_resource(name)] = tags
            else:
                self.state["tag.resources"].pop(canonical_resource(name), None)

    def tags_of(self, name: str) -> dict[str, str]:
        with self.lock:
            return dict(self.state["tag.resources"].get(canonical_resource(name), {}))

    def drop_tags(self, name: str) -> None:
        with self.lock:
            self.state["tag.resources"].pop(canonical_resource(name), None)

    def tagged(self) -> Iterator[tuple[str, dict[str, str]]]:
        with self.lock:
            items = list(self.state["tag.resources"].items())
        yield from items

    # -- credentials -------------------------------------------------------------------------------
    def lookup_credentials(self, secret_id: str) -> FakeCredentials | None:
        with self.lock:
            return self.credentials.get(secret_id)

    # -- persistence -------------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        with self.lock:
            data = {
                "region": self.region,
                "state": {
                    name: (
                        {k: base64.b64encode(v).decode() for k, v in items.items()}
                        if name == "scf.code"
                        else items
                    )
                    for name, items in self.state.items()
                },
            }
            text = json.dumps(data, ensure_ascii=False)
        Path(path).write_text(text, encoding="utf-8")

    def load(self, path: str | Path) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
            raise ValueError("not a local cloud state file")
        with self.lock:
            for name in self.state:
                items = data["state"].get(name, {})
                if name == "scf.code":
                    items = {k: base64.b64decode(v) for k, v in items.items()}
                self.state[name] = dict(items)
        for key in list(self.state["scf.functions"]):
            self._changed("scf.functions", key)


def canonical_resource(name: str) -> str:
    """A resource name with the uin part as written or empty: both address one resource."""
    parts = name.split(":")
    if len(parts) >= 5 and parts[4].startswith("uin/"):
        parts[4] = "uin/"
    return ":".join(parts)


def _uuid_like() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
