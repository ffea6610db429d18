"""One attempt of a Tencent Cloud API call, signed with the SDK's TC3 signer and bounded by the
deadline: the only module that touches the SDK.

The SDK is the source of the signing (``tencentcloud.common.sign.Sign.sign_tc3``, a public
static function, 4 ms to import); this module builds the request the SDK's clients build for
a JSON POST (the same headers, the same canonical request) and sends it with a requests
session of its own. So no SDK client is imported (its client, profile and credential modules,
CCC's 700 KB of models), and nothing private of the SDK is used.

- ``Endpoint``: one service at one address with one set of credentials; its session keeps the
  connection alive between calls and mounts a transport adapter whose connections put
  themselves under the attempt's watch (see ``watchdog``); redirects are off; an endpoint on
  loopback (the local fake) ignores proxy variables: a proxy never sees its signed requests;
- ``exchange`` sets each socket operation's timeout to the time left, sends, and hands the body
  to ``feed`` chunk by chunk, at most ``max_bytes`` of it, all under a watch that fires at the
  deadline.

Why this is bounded: a TCP connect to one address is bounded by the socket timeout, which is the
time left; from the moment the connect is done (the TLS handshake, the request, the headers,
the body) the watchdog shuts the socket down at the deadline, at once if the deadline passed
while connecting, and that ends any blocked operation; a body that never ends is cut at
``max_bytes``. What is not bounded by the deadline alone: name resolution (Python cannot
interrupt ``getaddrinfo``), and a host name that resolves to several addresses gets the connect
timeout once per address tried.

urllib3's ``_new_conn``, which ``connect`` calls for the TCP connect, is the one library
internal used here; ``tests/function/test_sdk_transport.py`` fails when a release changes it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from callout_task import watchdog
from callout_task.config import is_loopback
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline

BODY_CHUNK_BYTES = 256 * 1024
# What parsing one MiB of CCC's answer takes at the least: 18-40 ms measured on CPython 3.12
# and 3.10 on a loaded machine, about 10 idle (docs/benchmarks.md, "Parsing CCC's answer"). The
# margin is on the side of trying: a body is given up only when even the fastest parse could
# not finish in time; slower than that, the deadline itself ends it (a 504 at the deadline).
PARSE_SECONDS_PER_MIB = 0.01
# Below this many seconds left, a failed attempt is taken to have met the deadline.
DEADLINE_SLACK_SECONDS = 0.05


class AttemptFailed(Exception):
    """One attempt's failure: CCC's or STS's error code, or one of ours:

    ClientNetworkError   the request or its answer was cut off (connect, send, headers, body)
    ServerNetworkError   an HTTP status other than 200
    DeadlineReached      the invocation's deadline ended the attempt
    BodyTooLarge         the answer was longer than the function will read
    """

    # No super().__init__: Exception.__new__ keeps the arguments (args, what a traceback shows).
    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id


class Endpoint:
    """A Tencent Cloud API service (``service``, API ``version``, ``region``) at ``url``
    (default: the service's public host), called with ``credentials``."""

    __slots__ = ("credentials", "host", "region", "service", "session", "url", "version")

    def __init__(
        self,
        service: str,
        version: str,
        region: str,
        credentials: Credentials,
        url: str | None = None,
    ) -> None:
        for value in (credentials.secret_id, credentials.secret_key):
            if not value or value.strip() != value:
                # What the SDK's Credential refuses too; STS's answer is used as it comes.
                raise ValueError("credentials empty or with spaces")
        parts = urlsplit(url or f"https://{service}.tencentcloudapi.com")
        self.service, self.version, self.region = service, version, region
        self.credentials = credentials
        self.host = parts.netloc
        self.url = f"{parts.scheme}://{parts.netloc}/"
        self.session = _session(trust_env=not is_loopback(parts.hostname))

    def signed_headers(self, action: str, payload: bytes, timestamp: int) -> dict[str, str]:
        """The headers of a TC3-HMAC-SHA256 signed JSON POST, as the SDK's clients send them."""
        from tencentcloud.common.sign import Sign

        content_type = "application/json"
        date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
        canonical = (
            f"POST\n/\n\ncontent-type:{content_type}\nhost:{self.host}\n\n"
            f"content-type;host\n{hashlib.sha256(payload).hexdigest()}"
        )
        scope = f"{date}/{self.service}/tc3_request"
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{digest}"
        signature = Sign.sign_tc3(self.credentials.secret_key, date, self.service, to_sign)
        headers = {
            "Content-Type": content_type,
            "Host": self.host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": self.version,
            "Authorization": (
                f"TC3-HMAC-SHA256 Credential={self.credentials.secret_id}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}"
            ),
        }
        if self.region:
            headers["X-TC-Region"] = self.region
        if self.credentials.token:
            headers["X-TC-Token"] = self.credentials.token
        headers["X-TC-Language"] = "zh-CN"  # the SDK's default: CCC's messages as before
        return headers


def _session(trust_env: bool) -> Any:
    """A requests session whose connections the watchdog can end, that follows no redirect."""
    import requests

    session: Any = requests.Session()
    adapter = _watched_adapter_class()()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # No redirects: requests would resend the signed request, session token (X-TC-Token)
    # included, to wherever Location says, over http too, on calls no rate-limit token paid
    # for. Tencent Cloud APIs answer where they are asked; a 3xx is an HTTP error like a 5xx.
    session.get_redirect_target = _no_redirect
    # Proxy variables (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) count only for endpoints
    # off this machine: docs/security.md says why.
    session.trust_env = trust_env
    return session


def _no_redirect(response: Any) -> None:
    return None


def exchange(
    endpoint: Endpoint,
    action: str,
    params: dict[str, Any],
    deadline: Deadline,
    max_bytes: int,
    feed: Callable[[bytes], None],
) -> None:
    """The body of the answer to one signed request, handed to ``feed`` chunk by chunk as it
    arrives, all of it by the deadline; raises AttemptFailed (``feed`` may raise it too)."""
    from http.client import HTTPException

    from requests import RequestException
    from urllib3.exceptions import HTTPError

    payload = json.dumps(params).encode()
    headers = endpoint.signed_headers(action, payload, int(time.time()))
    failure: AttemptFailed | None = None
    reading = ""  # what failed: sending and the headers, or (once they are in) the body
    with watchdog.watching(deadline.at) as watch:
        try:
            # The socket timeout bounds the connect; the watch bounds everything after it.
            answer = endpoint.session.post(
                endpoint.url,
                data=payload,
                headers=headers,
                stream=True,
                timeout=max(deadline.remaining(), 0.001),
            )
            with answer:
                if answer.status_code != 200:
                    raise AttemptFailed("ServerNetworkError", f"HTTP {answer.status_code}")
                reading = "reading the answer failed: "
                _read_body(answer, max_bytes, deadline, feed)
        except (RequestException, HTTPError, HTTPException, OSError) as error:
            failure = AttemptFailed("ClientNetworkError", f"{reading}{error}")
        except AttemptFailed as error:
            failure = error
    if watch.fired:
        # Whatever came back was cut short by the watch: a shut socket reads as the end of the
        # headers or of a body without a length, so even a "success" is not to be trusted.
        raise AttemptFailed("DeadlineReached", failure.message if failure else "cut at deadline")
    if failure is None:
        return
    if failure.code == "ClientNetworkError" and deadline.remaining() < DEADLINE_SLACK_SECONDS:
        raise AttemptFailed("DeadlineReached", failure.message)  # the socket timeout ran out
    raise failure


def _read_body(
    answer: Any, max_bytes: int, deadline: Deadline, feed: Callable[[bytes], None]
) -> None:
    length = answer.headers.get("Content-Length", "")
    announced = int(length) if length.isdigit() else None
    if announced is not None and announced > max_bytes:
        raise AttemptFailed("BodyTooLarge", f"Content-Length {length} > {max_bytes}")
    size = 0
    for chunk in answer.iter_content(BODY_CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise AttemptFailed("BodyTooLarge", f"more than {max_bytes} bytes")
        _in_time_for(announced, size, deadline)
        feed(chunk)


def _in_time_for(announced: int | None, size: int, deadline: Deadline) -> None:
    """AttemptFailed("DeadlineReached") once the body still to come cannot be parsed in the time
    left (at PARSE_SECONDS_PER_MIB), or the deadline has passed: a body read to its end after
    that would make a late answer."""
    left = deadline.remaining()
    to_come = (announced - size) / 2**20 if announced is not None and announced > size else 0
    if left < to_come * PARSE_SECONDS_PER_MIB or left <= 0:
        raise AttemptFailed(
            "DeadlineReached",
            f"{size} bytes read, {to_come:.1f} MiB to come: more than the time left can parse",
        )


_adapter_class: type[Any] | None = None


def _watched_adapter_class() -> type[Any]:
    """requests' HTTPAdapter whose urllib3 connections adopt themselves into the running watch.

    Built on first use: requests and urllib3 load with the SDK, off the cold path of answers
    that never reach CCC.
    """
    global _adapter_class  # noqa: PLW0603 - built once per instance
    if _adapter_class is not None:
        return _adapter_class
    from types import SimpleNamespace

    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Watched:
        """Mixin for urllib3's connections: each puts itself under the running attempt's watch."""

        sock: Any

        def connect(self) -> None:
            watchdog.adopt(self)  # from here on the watch ends this connection's socket
            super().connect()  # type: ignore[misc]

        def _new_conn(self) -> Any:
            # The TCP connect is done; the TLS handshake (in connect) is still to come. If the
            # watch fired meanwhile, the socket is shut now and the handshake fails at once.
            sock = super()._new_conn()  # type: ignore[misc]
            self.sock = sock
            watchdog.adopt(self)
            return sock

        def request(self, *args: Any, **kwargs: Any) -> None:
            watchdog.adopt(self)  # a kept-alive connection is reused without connect()
            super().request(*args, **kwargs)  # type: ignore[misc]

        def close(self) -> None:
            # http.client lets go of the socket (sock = None) as soon as an answer's headers
            # say the connection ends with it ("Connection: close", or no length), while the
            # body is still to be read from it: the watch keeps the socket itself to shut.
            if self.sock is not None:
                watchdog.adopt(SimpleNamespace(sock=self.sock))
            super().close()  # type: ignore[misc]

    class WatchedHTTPConnection(Watched, HTTPConnection):
        pass

    class WatchedHTTPSConnection(Watched, HTTPSConnection):
        pass

    class WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTPConnection

    class WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPSConnection

    pools = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}

    class WatchedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(*args, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

    _adapter_class = WatchedAdapter
    return WatchedAdapter
