"""One attempt of a Tencent Cloud API call, signed with the SDK's TC3 signer, sent with the
standard library's ``http.client`` and bounded by the deadline: the only module that touches
the SDK.

The SDK is the source of the signing (``tencentcloud.common.sign.Sign.sign_tc3``, a public
static function, 4 ms to import); this module builds the request the SDK's clients build for
a JSON POST (the same headers, the same canonical request) and sends it itself. No SDK client
is imported, nothing private of the SDK is used, and neither is requests or urllib3 (with
their helpers some 85 ms of an instance's first call; ``http.client`` and ``ssl`` about 30).

- ``Endpoint``: one service at one address with one set of credentials, and one connection to
  it, kept alive between calls (a new one when the last was dropped or failed);
- ``exchange`` sets each socket operation's timeout to the time left, sends, and hands the body
  to ``feed`` chunk by chunk, at most ``max_bytes`` of it, all under a watch that fires at the
  deadline (``watchdog``).

Why this is bounded: a TCP connect to one address is bounded by the socket timeout, which is the
time left; from the moment the attempt starts, the connection is under the watch, which shuts
its socket down at the deadline (the TLS handshake, the request, the headers, the body), and
a socket that connects after the deadline is shut before its handshake; a body that never
ends is cut at ``max_bytes``. What is not bounded by the deadline alone: name resolution
(Python cannot interrupt ``getaddrinfo``), and a host name that resolves to several addresses
gets the connect timeout once per address tried.

TLS: certificates and host names verified (``ssl.PROTOCOL_TLS_CLIENT``) against the system's
CA store (``ca_store``: where OpenSSL looks, else the distribution's bundle), the store the
watch's deliveries and Redis's TLS use too. SCF's runtime images carry their distribution's CA
bundle, which the image keeps current; a bundle shipped in the zip (certifi) would age with
each release instead. OpenSSL's ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` name another store.

Redirects are never followed: a 3xx is an HTTP error like a 5xx (the signed request, its
session token with it, goes nowhere but where it was sent). Proxies: an https endpoint off
this machine goes through ``HTTPS_PROXY`` (or ``ALL_PROXY``; either case) unless ``NO_PROXY``
names its host, by a CONNECT tunnel inside which TLS runs end to end; an endpoint on loopback
(the local fake) never goes through a proxy. docs/security.md, "Proxies", says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from callout_task import watchdog
from callout_task.config import is_loopback
from callout_task.credentials import Credentials
from callout_task.deadline import Deadline

if TYPE_CHECKING:  # imported on the first call (``http``, ``ssl``: off the cold path)
    import http.client

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
    (default: the service's public host), called with ``credentials``, over one connection."""

    __slots__ = (
        "connection",
        "credentials",
        "host",
        "hostname",
        "port",
        "proxy",
        "region",
        "scheme",
        "service",
        "version",
    )

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
        self.host = parts.netloc  # the Host header, signed
        self.scheme, self.hostname, self.port = parts.scheme, parts.hostname or "", parts.port
        self.proxy = _proxy_for(self.hostname) if self.scheme == "https" else None
        self.connection: http.client.HTTPConnection | None = None

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

    def connected(self, timeout: float) -> http.client.HTTPConnection:
        """The kept-alive connection, its socket operations' timeout ``timeout``; a new one if
        there is none or the server has dropped it (closed it while idle, the usual end of a
        kept-alive connection): a request sent on it would find it closed."""
        connection = self.connection
        if connection is not None and _dropped(connection):
            self.disconnect()
            connection = None
        if connection is None:
            connection = self.connection = _open(self, timeout)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection

    def disconnect(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """True when an idle connection has something to read: the server's end of it (or bytes
    no request asked for), either way not a connection to send a request on."""
    import select

    sock = connection.sock
    if sock is None:
        return False  # never connected, or let go of: connect() makes it anew
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):  # closed meanwhile: fileno() -1
        return True


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
    import http.client

    payload = json.dumps(params).encode()
    headers = endpoint.signed_headers(action, payload, int(time.time()))
    failure: AttemptFailed | None = None
    reading = ""  # what failed: sending and the headers, or (once they are in) the body
    kept = False
    answer: http.client.HTTPResponse | None = None
    with watchdog.watching(deadline.at) as watch:
        try:
            # The socket timeout bounds the connect; the watch bounds everything.
            connection = endpoint.connected(max(deadline.remaining(), 0.001))
            watch.adopt(connection)
            connection.request("POST", "/", payload, headers)
            answer = connection.getresponse()
            if answer.status != 200:
                raise AttemptFailed("ServerNetworkError", f"HTTP {answer.status}")
            reading = "reading the answer failed: "
            _read_body(answer, max_bytes, deadline, feed)
            kept = not answer.will_close
        except (http.client.HTTPException, OSError, UnicodeError) as error:
            # UnicodeError: a host name IDNA cannot encode, found when it is looked up.
            failure = AttemptFailed("ClientNetworkError", f"{reading}{error}")
        except AttemptFailed as error:
            failure = error
        finally:
            if not kept:  # a failure, an answer not read to its end, or one that ends it
                if answer is not None:
                    # An answer that ends its connection holds the socket itself (http.client
                    # let go of it): closing the connection alone leaves it open.
                    answer.close()
                endpoint.disconnect()
    if watch.fired:
        # Whatever came back was cut short by the watch: a shut socket reads as the end of the
        # headers or of a body without a length, so even a "success" is not to be trusted.
        endpoint.disconnect()
        raise AttemptFailed("DeadlineReached", failure.message if failure else "cut at deadline")
    if failure is None:
        return
    if failure.code == "ClientNetworkError" and deadline.remaining() < DEADLINE_SLACK_SECONDS:
        raise AttemptFailed("DeadlineReached", failure.message)  # the socket timeout ran out
    raise failure


def _read_body(
    answer: http.client.HTTPResponse,
    max_bytes: int,
    deadline: Deadline,
    feed: Callable[[bytes], None],
) -> None:
    # The length http.client reads the body to, as it parsed Content-Length (None: chunked, or
    # to the connection's end): the header's own text may be spelt otherwise ("+1000", "1000 ").
    announced = None if answer.chunked else answer.length
    if announced is not None and announced > max_bytes:
        raise AttemptFailed("BodyTooLarge", f"Content-Length {announced} > {max_bytes}")
    # A chunked body is read with read1, no more than one chunk's worth per call: read(amount)
    # takes a chunk's size line at its word, and a negative one ("-1") has it read to the
    # connection's end, in memory, before the limit below could see a byte of it.
    read = answer.read1 if answer.chunked else answer.read
    size = 0
    while True:
        chunk = read(BODY_CHUNK_BYTES)
        size += len(chunk)
        if announced is not None and size < announced and len(chunk) < BODY_CHUNK_BYTES:
            # http.client's read(amount) ends a body cut short as if it were whole: a read
            # shorter than asked, before the announced length, is the connection's end.
            raise AttemptFailed(
                "ClientNetworkError",
                f"reading the answer failed: it ended after {size} of {announced} bytes",
            )
        if not chunk:
            return
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


class _Held:
    """A socket the watch shuts, held apart from the connection that let go of it."""

    __slots__ = ("sock",)

    def __init__(self, sock: Any) -> None:
        self.sock = sock


_classes: tuple[type[Any], type[Any]] | None = None


def _connection_classes() -> tuple[type[Any], type[Any]]:
    """http.client's connections (plain, TLS) that put themselves under the running attempt's
    watch as they connect: built on the first call, with http.client."""
    global _classes  # noqa: PLW0603 - built once per instance
    if _classes is not None:
        return _classes
    import http.client

    class WatchedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            watchdog.adopt(self)  # from here on the watch ends this connection's socket
            super().connect()

        def close(self) -> None:
            # http.client lets go of the socket (sock = None) as soon as an answer's headers
            # say the connection ends with it ("Connection: close", or no length), while the
            # body is still to be read from it: the watch keeps the socket itself to shut.
            if self.sock is not None:
                watchdog.adopt(_Held(self.sock))
            super().close()

    class WatchedHTTPS(WatchedHTTP, http.client.HTTPSConnection):
        def _tunnel(self) -> None:
            # Before 3.12 http.client asks the proxy to CONNECT 2001:db8::5:443, no brackets
            # (RFC 9110 needs them); the bare address is kept for TLS's name check afterwards.
            host: str = self._tunnel_host  # type: ignore[has-type]
            if ":" in host and not host.startswith("["):
                self._tunnel_host = f"[{host}]"
            try:
                super()._tunnel()  # type: ignore[misc]
            finally:
                self._tunnel_host = host

    _classes = (WatchedHTTP, WatchedHTTPS)
    return _classes


_tls: Any = None


def forget_built() -> None:
    """Drop the connection classes and the TLS settings: the next call builds them anew."""
    global _classes, _tls  # noqa: PLW0603 - what a new instance would not have yet
    _classes = _tls = None


def _tls_context() -> Any:
    """The TLS settings of every https connection: made once, on the first one; the CA store is
    read on the first handshake (some 30-100 ms: OpenSSL parses the whole bundle), not before."""
    global _tls  # noqa: PLW0603 - one per instance
    if _tls is None:
        import ssl
        import threading

        from callout_task.ca_store import trust_system_store

        class Watched(ssl.SSLContext):
            store_lock = threading.Lock()
            store_read = False

            def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
                # The TCP connect is done; the handshake is next. If the watch fired meanwhile
                # (a slow name lookup), the socket is shut now and the handshake fails at once.
                watchdog.adopt(_Held(sock))
                with self.store_lock:
                    if not self.store_read:
                        # The system's CAs, else the distribution's bundle (module doc).
                        trust_system_store(self)
                        self.store_read = True
                return super().wrap_socket(sock, *args, **kwargs)

        _tls = Watched(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    return _tls


def _open(endpoint: Endpoint, timeout: float) -> http.client.HTTPConnection:
    # A port always: given none, http.client takes an IPv6 address's last group for one.
    host, port = endpoint.hostname, endpoint.port or (443 if endpoint.scheme == "https" else 80)
    plain, tls = _connection_classes()
    connection: http.client.HTTPConnection
    if endpoint.scheme != "https":
        return plain(host, port, timeout=timeout)  # type: ignore[no-any-return]
    if endpoint.proxy is None:
        return tls(host, port, timeout=timeout, context=_tls_context())  # type: ignore[no-any-return]
    if isinstance(endpoint.proxy, str):
        raise AttemptFailed("ClientNetworkError", endpoint.proxy)
    proxy_host, proxy_port, proxy_headers = endpoint.proxy
    connection = tls(proxy_host, proxy_port, timeout=timeout, context=_tls_context())
    connection.set_tunnel(host, port, proxy_headers)
    return connection


Proxy = tuple[str, int, dict[str, str]]


def _proxy_for(host: str) -> Proxy | str | None:
    """The proxy an https request to ``host`` goes through: HTTPS_PROXY or ALL_PROXY (either
    case), unless NO_PROXY names the host or one of its domains, or ``host`` is loopback; a
    proxy that cannot be used as the reason why (each attempt then fails saying so)."""
    if is_loopback(host):
        return None
    environ = os.environ
    bypass = environ.get("NO_PROXY", environ.get("no_proxy", ""))
    for entry in bypass.replace(" ", "").split(","):
        if entry.startswith("["):  # an IPv6 address in brackets, a port after them or not
            name = entry[1:].partition("]")[0]
        else:
            name = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        name = name.lstrip(".").lower()
        if name == "*" or (name and (host == name or host.endswith("." + name))):
            return None
    for variable in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        if environ.get(variable):
            return _proxy(variable, environ[variable])
    return None


def _proxy(variable: str, value: str) -> Proxy | str:
    """``http://[user:password@]host[:port]`` (no scheme: http) as host, port and headers."""
    try:  # a bracket not closed, a port that is no number or out of range: ValueError
        parts = urlsplit(value if "://" in value else f"http://{value}")
        port = 80 if parts.port is None else parts.port  # ":0" is no port, not none given
    except ValueError:
        port = 0
    if not port or parts.scheme != "http" or not parts.hostname:
        # Not quoted: a proxy URL may carry a password.
        return f"{variable} is not an http://host:port proxy (the only kind used)"
    headers = {}
    if parts.username is not None:
        import base64

        user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(user.encode()).decode()
    return parts.hostname, port, headers
