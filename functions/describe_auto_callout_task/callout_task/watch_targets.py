"""Where a watch's events go, each in its platform's documented format, limits and signature.

kind      message                                   signature                          accepted
webhook   one event per request (Standard Webhooks)  webhook-id/-timestamp/-signature   any 2xx
wecom     markdown, content <= 4096 bytes           (the key in the URL)               errcode 0
feishu    post (rich text), body <= 20 KB           timestamp + sign in the body       code 0
dingtalk  markdown                                  timestamp + sign in the query      errcode 0

Several tasks' events share one robot message as long as it stays within the size limit. Each
robot takes about 20 messages a minute (WeCom, DingTalk; Feishu 100 a minute, 5 a second), so a
tick sends a robot at most ``SENDS_PER_TICK`` messages, retries included: the rest stays pending
for the next tick. Egress is https to the target's own hosts only (plain http only to loopback,
for local receivers); redirects are answered, never followed. URLs and signing secrets never
appear in a reason, which is what logs show: ``masked_url`` is the only form of a URL logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlsplit

from callout_task import watchdog
from callout_task.config import is_loopback
from callout_task.watch_config import TargetSpec
from callout_task.watch_events import LOOKUP_FAILED, LOOKUP_RECOVERED, PROGRESS, STATE_CHANGED

# Bytes per robot message: WeCom's markdown content at most 4096 bytes; DingTalk's text kept
# within WeCom's size, as it reads on a phone; Feishu's whole request body at most 20 KB, measured
# as sent (each line a JSON row, escaped), not as text.
TEXT_LIMITS = {"wecom": 4096, "feishu": 20 * 1024, "dingtalk": 4096}
FEISHU_LINE_BYTES = 2048  # one event's line in a Feishu post: even escaped, well within the body
# Attempts per target and tick, retries included: each robot allows about 20 messages a minute
# (Feishu 100), and a timer may tick every minute.
SENDS_PER_TICK = {"webhook": 100, "wecom": 5, "feishu": 20, "dingtalk": 5}
# Feishu takes at most 5 messages a second from one bot.
SPACING_SECONDS = {"feishu": 0.2}
# Error codes in a 200 body that mean "too many messages": no more attempts this tick.
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "autocallout-watch/1"


class TargetError(ValueError):
    """A target's URL or secret cannot be used (the text never holds either)."""


class Target(NamedTuple):
    spec: TargetSpec
    url: str
    signing_secret: str | None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind


def masked_url(url: str) -> str:
    """Scheme, host and port: the path and query of a robot's URL carry its key."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def checked_target(spec: TargetSpec, url: str, signing_secret: str | None) -> Target:
    """The target, if its URL is one the watch may post to; TargetError otherwise."""
    url = url.strip()
    if not url.isascii() or not url.isprintable() or " " in url:
        # http.client would fail on it mid-request (or send it cut): say so before.
        raise TargetError(f"target {spec.name}: its URL holds spaces or characters not ASCII")
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed "[" of an IPv6 address
        raise TargetError(f"target {spec.name}: its URL cannot be read as a URL") from None
    host = (parts.hostname or "").lower()
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        raise TargetError(f"target {spec.name}: its URL has an invalid port") from None
    if parts.username or parts.password:
        raise TargetError(f"target {spec.name}: its URL may not carry a user or password")
    if parts.scheme == "http" and is_loopback(host):
        pass  # a local receiver (tests, autocallout watch)
    elif parts.scheme != "https":
        raise TargetError(f"target {spec.name}: its URL must be https (http only to loopback)")
    elif host not in spec.hosts and not is_loopback(host):
        raise TargetError(
            f"target {spec.name}: its URL points to {host or '(no host)'}, "
            f"not to {' or '.join(spec.hosts)}"
        )
    if spec.kind == "webhook":
        if not signing_secret:
            raise TargetError(f"target {spec.name}: a webhook needs a signing secret (whsec_…)")
        webhook_key(signing_secret, spec.name)
    return Target(spec, url, signing_secret or None)


def webhook_key(secret: str, name: str = "webhook") -> bytes:
    """The HMAC key of a Standard Webhooks secret: the Base64 after ``whsec_``."""
    encoded = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        raise TargetError(f"target {name}: its signing secret is not whsec_<Base64>") from None


# --- messages ---------------------------------------------------------------------------------


class Message(NamedTuple):
    events: list[dict[str, Any]]  # acknowledged together
    text: str  # a robot's text; "" for a webhook (its body is the event)


def _state_text(snapshot: Mapping[str, Any] | None) -> str:
    if not snapshot or snapshot.get("state") is None:
        return "unread"
    state = str(snapshot["state"])
    return f"{state} (code {snapshot.get('state_code')})" if state == "unknown" else state


def describe(event: Mapping[str, Any]) -> str:
    """One line of a robot message for one event (markdown that all three robots render)."""
    data = event["data"]
    before, after = data.get("before"), data.get("after") or {}
    title = f"Task {data['task_id']}" + (f" {data['name']}" if data.get("name") else "")
    kind = event["type"]
    if kind == STATE_CHANGED:
        change = (
            f"is **{_state_text(after)}**"
            if before is None
            else f"**{_state_text(before)}** → **{_state_text(after)}**"
        )
    elif kind == PROGRESS:
        change = (
            f"progress {before.get('progress_percent') if before else 0}% → "
            f"**{after.get('progress_percent')}%**"
        )
    elif kind == LOOKUP_FAILED:
        change = f"**cannot be read** ({after.get('lookup_status')}: {data.get('detail') or ''})"
    elif kind == LOOKUP_RECOVERED:
        change = "can be read again"
    else:
        change = kind
    summary = data.get("summary")
    counts = ""
    if summary:
        counts = (
            f"; callees {summary.get('answered', 0)} answered, "
            f"{summary.get('not_answered', 0)} not answered, {summary.get('total', 0)} in all"
        )
    return f"- {title} (SdkAppId {data['sdk_app_id']}) {change}{counts} `{event['id']}`"


def messages(kind: str, watch: str, events: list[dict[str, Any]]) -> list[Message]:
    """The events as this kind of target's messages, in order, each within its size limit."""
    if kind == "webhook":
        return [Message([event], "") for event in events]
    limit = TEXT_LIMITS[kind]
    heading = f"**autocallout watch {watch}**"
    base = _feishu_envelope_bytes(watch) if kind == "feishu" else len(heading.encode())
    line_limit = FEISHU_LINE_BYTES if kind == "feishu" else limit - base - 1
    found: list[Message] = []
    batch: list[dict[str, Any]] = []
    lines = [heading]
    used = base
    for event in events:
        line = _cut(describe(event), line_limit)
        cost = _feishu_row_bytes(line) if kind == "feishu" else len(line.encode()) + 1
        if batch and used + cost > limit:
            found.append(Message(batch, "\n".join(lines)))
            batch, lines, used = [], [heading], base
        batch.append(event)
        lines.append(line)
        used += cost
    if batch:
        found.append(Message(batch, "\n".join(lines)))
    return found


def _feishu_payload(watch: str, lines: list[str]) -> dict[str, Any]:
    rows = [[{"tag": "text", "text": line}] for line in lines]
    rich = {"title": f"autocallout watch {watch}", "content": rows}
    return {"msg_type": "post", "content": {"post": {"zh_cn": rich}}}


def _feishu_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _feishu_envelope_bytes(watch: str) -> int:
    """A Feishu body without rows, its timestamp and sign at their longest."""
    payload = {**_feishu_payload(watch, []), "timestamp": "9" * 12, "sign": "=" * 44}
    return len(_feishu_body(payload))


def _feishu_row_bytes(line: str) -> int:
    """What one line adds to a Feishu body: its row as JSON, and the ", " before it."""
    return len(_feishu_body({"r": [{"tag": "text", "text": line}]})) - len('{"r": ') - 1 + 2


def _cut(line: str, limit: int) -> str:
    data = line.encode()
    if len(data) <= limit:
        return line
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


# --- the request of each platform -------------------------------------------------------------


def _hmac_base64(key: bytes, text: str) -> str:
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha256).digest()).decode()


def request_for(
    target: Target, message: Message, watch: str, now: float
) -> tuple[str, bytes, dict[str, str]]:
    """URL, body and headers of one attempt (signatures are of this moment)."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    url = target.url
    kind = target.kind
    if kind == "webhook":
        event = message.events[0]
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        stamp = str(int(now))
        key = webhook_key(target.signing_secret or "", target.name)
        headers.update(
            {
                "webhook-id": event["id"],
                "webhook-timestamp": stamp,
                "webhook-signature": "v1," + _hmac_base64(key, f"{event['id']}.{stamp}.{body}"),
            }
        )
        return url, body.encode(), headers
    payload: dict[str, Any]
    if kind == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": message.text}}
    elif kind == "dingtalk":
        title = f"autocallout watch {watch}"
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": message.text}}
        if target.signing_secret:
            stamp = str(int(now * 1000))  # milliseconds
            secret = target.signing_secret
            sign = _hmac_base64(secret.encode(), f"{stamp}\n{secret}")
            url += f"{'&' if '?' in url else '?'}timestamp={stamp}&sign={quote_plus(sign)}"
    else:  # feishu
        payload = _feishu_payload(watch, message.text.split("\n")[1:])
        if target.signing_secret:
            stamp = str(int(now))  # seconds
            payload["timestamp"] = stamp
            # Feishu's scheme: the key is "timestamp\nsecret", the message empty.
            payload["sign"] = _hmac_base64(f"{stamp}\n{target.signing_secret}".encode(), "")
    return url, json.dumps(payload, ensure_ascii=False).encode(), headers


class Result(NamedTuple):
    acknowledged: bool
    reason: str  # for the log line: never a URL's path or query, never a secret
    retry: bool  # whether another attempt this tick may help


def interpret(kind: str, status: int, body: bytes, retry_after: str | None) -> Result:
    """Whether the target acknowledged the message, from its answer."""
    if 300 <= status < 400:
        return Result(False, f"answered {status}, a redirect (not followed)", retry=False)
    if status == 429:
        # Not tried again before the next tick; the wait asked for is for the operator to see
        # (ASCII digits only: http.client reads header values as latin-1, where "²" is a
        # digit to str.isdigit(). At most 6 shown: the log masks 7 as a phone number's, and
        # int() would refuse 4300.)
        digits = (retry_after or "").strip()
        asked = ""
        if digits.isascii() and digits.isdigit():
            seconds = digits.lstrip("0") or "0"
            asked = f", Retry-After {seconds if len(seconds) <= 6 else 'over 999999'} s"
        return Result(False, f"answered 429 (too many requests{asked})", retry=False)
    if status >= 500 or status == 408:
        return Result(False, f"answered {status}", retry=True)
    if not 200 <= status < 300:
        return Result(False, f"answered {status}", retry=False)
    if kind == "webhook":
        return Result(True, f"answered {status}", retry=False)
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return Result(False, f"answered {status} with a body that is not JSON", retry=True)
    if not isinstance(answer, dict):
        return Result(False, f"answered {status} with JSON that is not an object", retry=True)
    field = "code" if kind == "feishu" else "errcode"
    code = answer.get(field, answer.get("StatusCode") if kind == "feishu" else None)
    if code == 0:
        return Result(True, f"answered {field} 0", retry=False)
    # Whole (to a bound): ``scrub`` must see any key it quotes before the reason is shortened.
    message = str(answer.get("msg") or answer.get("errmsg") or "")[:MAX_RESPONSE_BYTES]
    # WeCom's -1 is "system busy": worth another attempt. No other code is: a rate limit's
    # (WeCom 45009, Feishu 11232 and 9499, DingTalk 130101 and 410100) waits for the next tick
    # like any refusal.
    return Result(False, f"answered {field} {code} ({message})", retry=code == -1)


class Poster:
    """POSTs to one target, on one kept-alive connection while it works (a new one after any
    failure): 50 webhook events are 50 requests, not 50 TLS handshakes."""

    def __init__(self) -> None:
        self._connection: http.client.HTTPConnection | None = None
        self._origin: tuple[str, str, int | None] | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], ends: float
    ) -> tuple[int, bytes, str | None]:
        """One POST, over by ``ends`` (``time.monotonic()``) whatever the other side does."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        left = ends - time.monotonic()
        if left <= 0:
            raise TimeoutError
        origin = (parts.scheme, parts.hostname or "", parts.port)
        if self._connection is None or origin != self._origin:
            self.close()
            self._connection, self._origin = _connect(*origin, left), origin
        connection = self._connection
        connection.timeout = left
        if connection.sock is not None:
            connection.sock.settimeout(left)
        try:
            with watchdog.watching(ends) as watch:
                watch.adopt(connection)
                try:
                    connection.request("POST", path, body, dict(headers))
                    response = connection.getresponse()
                    data = response.read(MAX_RESPONSE_BYTES)
                except (OSError, http.client.HTTPException):
                    if watch.fired:
                        raise TimeoutError from None
                    raise
        except BaseException:
            self.close()
            raise
        if response.will_close or not response.isclosed():
            self.close()  # the other side ends the connection, or sent more than was read
        return response.status, data, response.getheader("Retry-After")


def _connect(
    scheme: str, host: str, port: int | None, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=_tls_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


_tls: Any = None  # the instance's TLS settings for https targets, made on the first one


def _tls_context() -> Any:
    """One TLS context for every https target of the instance: reading the CA store costs
    30-110 ms (OpenSSL parses the whole bundle), once, not per target and tick."""
    global _tls  # noqa: PLW0603 - one per instance
    if _tls is None:
        import ssl  # only when a target is https: the watch's own cold path

        from callout_task.ca_store import trust_system_store

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
        trust_system_store(context)
        _tls = context  # published whole: a thread never sees a half-read store
    return _tls


def forget_tls() -> None:
    """Drop the TLS context: the next https target reads the CA store anew."""
    global _tls  # noqa: PLW0603 - what a new instance would not have yet
    _tls = None


REASON_CHARACTERS = 160  # of a logged reason, cut only once scrubbed


def scrub(text: str, target: Target) -> str:
    """``text`` without any part of the target's URL path or query, or its signing secret, then
    cut to ``REASON_CHARACTERS`` (cutting first could leave a key's first half unmasked)."""
    parts = urlsplit(target.url)
    secrets = [piece for piece in parts.path.split("/") if len(piece) >= 6]
    secrets += [item.partition("=")[2] for item in parts.query.split("&")]
    if target.signing_secret:
        secrets.append(target.signing_secret)
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "[masked]")
    return text if len(text) <= REASON_CHARACTERS else text[: REASON_CHARACTERS - 1] + "…"
