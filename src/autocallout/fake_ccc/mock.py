"""``mock_ccc``: the fake in process, like moto's ``mock_aws``, built on ``responses``.

Requests to ``ccc.tencentcloudapi.com``, ``ccc.<region>.tencentcloudapi.com`` and the same
hosts of ``sts`` and ``ssm`` go to the backend through the real wire protocol; any other request
made with ``requests`` while the mock is active fails with ``ConnectionError`` (nothing leaks).
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import responses

from autocallout.fake_ccc import wire
from autocallout.fake_ccc.models import CccBackend

# CCC, and STS for AssumeRole: global and regional endpoints.
CCC_URL = re.compile(r"^https?://(ccc|sts|ssm)(\.[a-z0-9-]+)?\.tencentcloudapi\.com(:\d+)?(/.*)?$")

F = TypeVar("F", bound=Callable[..., Any])

_active: list[CccBackend] = []
_active_lock = threading.Lock()


def active_backend() -> CccBackend:
    """The backend of the innermost active ``mock_ccc`` (for code under a decorator)."""
    with _active_lock:
        if not _active:
            raise RuntimeError("no mock_ccc is active")
        return _active[-1]


class mock_ccc:
    """Use as ``with mock_ccc() as backend:`` or as ``@mock_ccc()``.

    Without a backend it makes a seeded one (default credentials, bundled tasks, or ``tasks``);
    as a decorator it makes a fresh one for every call, reachable with ``active_backend()``.
    """

    def __init__(
        self,
        backend: CccBackend | None = None,
        *,
        tasks: str | Path | Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        self._given = backend
        self._tasks = tasks
        self.backend = backend if backend is not None else CccBackend.seeded(tasks)
        self._mock: responses.RequestsMock | None = None

    def start(self) -> CccBackend:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in ("GET", "POST"):
            mock.add_callback(method, CCC_URL, callback=self._on_request)
        mock.start()
        self._mock = mock
        with _active_lock:
            _active.append(self.backend)
        return self.backend

    def stop(self) -> None:
        if self._mock is None:
            return
        self._mock.stop()
        self._mock.reset()
        self._mock = None
        with _active_lock:
            _active.remove(self.backend)

    def __enter__(self) -> CccBackend:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fresh = mock_ccc(self._given, tasks=self._tasks)
            with fresh:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _on_request(
        self, request: requests.PreparedRequest
    ) -> tuple[int, dict[str, str], bytes] | Exception:
        url = urlsplit(request.url or "")
        headers = dict(request.headers)
        headers.setdefault("Host", url.netloc)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        incoming = wire.Request(request.method or "", url.path, url.query, headers, body)
        reply = wire.handle(self.backend, incoming)
        if reply.delay:
            # responses ignores timeouts; honour the caller's read timeout as a real socket would.
            timeout = getattr(request, "req_kwargs", {}).get("timeout")
            read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
            if read_timeout is not None and reply.delay > read_timeout:
                time.sleep(read_timeout)
                return requests.exceptions.ReadTimeout(
                    f"Read timed out. (read timeout={read_timeout})"
                )
            time.sleep(reply.delay)
        if reply.reset:
            return requests.exceptions.ConnectionError(
                "('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
            )
        return reply.status, reply.headers, reply.body
