"""Local stand-ins for the four kinds of watch target, each checking what its platform checks.

A ``Receiver`` listens on 127.0.0.1 and accepts a message only when it carries the platform's
documented format and signature, verified here independently of the function's own code:

- webhook: the ``standardwebhooks`` package (PyPI) verifies ``webhook-id``/``-timestamp``/
  ``-signature``, as a receiver written with it would;
- WeCom group robot: the ``key`` in the query, ``msgtype`` markdown, content at most 4096 bytes;
- Feishu custom bot: the token in the path, a ``post`` whose elements each carry a known ``tag``
  (a ``text`` one its ``text``), ``timestamp`` within an hour and
  ``sign = Base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = ""))`` in the body;
- DingTalk custom robot: ``access_token`` in the query, ``timestamp`` (ms) within an hour and
  ``sign = Base64(HMAC-SHA256(key = secret, message = timestamp + "\\n" + secret))`` (URL-encoded).

Refusals answer as the platforms do: HTTP 200 with an error code in the body (robots), 4xx for
the webhook. ``fail_next`` queues faults (500, 429, an error code in a 200, a slow answer, a
redirect, an acceptance longer than the watch reads) for the next requests.

A request whose path (and query key or token) is not this receiver's own URL is answered 404 and
kept nowhere but ``strays``: the OS may give a stopped receiver's port to a later test's, and a
delivery still under way for the earlier test must not count as one this test was sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

WECOM_CONTENT_LIMIT = 4096
FEISHU_BODY_LIMIT = 20 * 1024
# The kinds of element a Feishu post's rows may hold ("tag" of each, Feishu's message content doc).
# An acceptance padded past the 64 KiB of an answer the watch reads (watch_targets).
LONG_ANSWER_BYTES = 100 * 1024
FEISHU_TAGS = frozenset({"text", "a", "at", "img", "media", "emotion", "hr", "code_block", "md"})
HOUR = 3600


def _hmac_base64(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


class Receiver:
    """One target's receiving end; ``url`` and ``secret`` are what its SSM secret would hold."""

    def __init__(
        self,
        kind: str,
        signed: bool = True,
        port: int = 0,
        keep_alive: bool = False,
        tls: Path | None = None,
        at_root: bool = False,
    ) -> None:
        self.kind = kind
        self.keep_alive = keep_alive  # HTTP/1.1 with keep-alive, as the platforms answer
        # https://localhost with the certificate in this folder (server.pem, server.key)
        self.tls = tls
        self.at_root = at_root  # a webhook whose URL is its origin alone: no path, no query
        self.connections: set[int] = set()  # the client ports requests came from
        self.token = secrets.token_hex(16)
        if kind == "webhook":
            self.secret: str | None = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
        else:
            self.secret = ("SEC" + secrets.token_hex(24)) if signed and kind != "wecom" else None
        self.accepted: list[dict[str, Any]] = []  # the JSON bodies accepted, in order
        self.received: list[bytes] = []  # every body that came, accepted or not
        self.refused: list[str] = []  # why each refused request was refused
        self.strays = 0  # requests addressed to another receiver's URL, answered 404, not kept
        self.user_agents: set[str | None] = set()  # the User-Agent of every request kept
        self.paths: list[str] = []  # the request target (path and query) of every request kept
        self._faults: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls / "server.pem", tls / "server.key")
            # A client that refuses the certificate fails the accept, which the server skips.
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def revived(self) -> Receiver:
        """The same target (URL, secret) listening again after ``stop``: a new receiver."""
        again = Receiver(self.kind, port=self.port, tls=self.tls)
        again.token, again.secret = self.token, self.secret
        return again.__enter__()

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        base = f"https://localhost:{self.port}" if self.tls else f"http://127.0.0.1:{self.port}"
        return {
            "webhook": base if self.at_root else f"{base}/hooks/autocallout/{self.token}",
            "wecom": f"{base}/cgi-bin/webhook/send?key={self.token}",
            "feishu": f"{base}/open-apis/bot/v2/hook/{self.token}",
            "dingtalk": f"{base}/robot/send?access_token={self.token}",
        }[self.kind]

    def ssm_value(self) -> str:
        """What the target's SSM secret holds."""
        if self.secret is None:
            return self.url
        return json.dumps({"url": self.url, "secret": self.secret})

    def _addressed_here(self, path: str) -> bool:
        """Whether a request's path names this receiver's own token: a request meant for another
        (a closed receiver whose port the OS handed to this one) is no request to this target."""
        mine, theirs = urlsplit(self.url), urlsplit(path)
        if (mine.path or "/") != theirs.path:
            return False
        wanted = parse_qs(mine.query)
        return all(parse_qs(theirs.query).get(name) == value for name, value in wanted.items())

    def fail_next(self, *faults: str) -> None:
        """``"500"``, ``"429"`` (``"429:<Retry-After>"``: with that header), ``"code"`` (an error
        code in a 200), ``"slow:<seconds>"``,
        ``"redirect"``, ``"echo"`` (an error code whose message quotes the URL's path and
        query), ``"long"`` (accepted, with an answer padded to ``LONG_ANSWER_BYTES``): one request
        each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def wait_for_request(self, seconds: float = 10.0) -> None:
        """Until a request has come: a test waiting on a tick's delivery fails, and says so, if
        the tick never sends (it ran out of time first on a loaded machine) instead of hanging."""
        ends = time.monotonic() + seconds
        while not self.received:
            if time.monotonic() > ends:
                raise AssertionError(f"no request came to the {self.kind} receiver in {seconds} s")
            time.sleep(0.01)

    def event_ids(self) -> list[str]:
        """The ids of the events accepted, in order (a robot message may hold several)."""
        return [event_id for body in self.accepted for event_id in self._ids(body)]

    def event_ids_received(self) -> list[str]:
        """The ids of the events in every request that came, accepted or refused."""
        return [event_id for raw in self.received for event_id in self._ids(json.loads(raw))]

    def _ids(self, body: dict[str, Any]) -> list[str]:
        if self.kind == "webhook":
            return [str(body["id"])]
        return re.findall(r"evt_[0-9a-f]{32}", self._text(body))

    def texts(self) -> list[str]:
        return [self._text(body) for body in self.accepted]

    def _text(self, body: dict[str, Any]) -> str:
        if self.kind == "wecom":
            return str(body["markdown"]["content"])
        if self.kind == "dingtalk":
            return str(body["markdown"]["text"])
        if self.kind == "feishu":
            rows = body["content"]["post"]["zh_cn"]["content"]
            return "\n".join(item["text"] for row in rows for item in row)
        return json.dumps(body, ensure_ascii=False)

    # -- the platform's checks ---------------------------------------------------------------
    def _verify(self, path: str, headers: dict[str, str], raw: bytes) -> str | None:
        """None when the platform would accept the request; else why not."""
        # Every platform reads a JSON body only under its media type (Feishu: "Content-Type:
        # application/json"; WeCom and DingTalk refuse another)
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return f"content type {media_type or '(none)'}"
        if self.kind == "webhook":
            try:
                Webhook(self.secret or "").verify(raw, headers)
            except WebhookVerificationError as error:
                return f"signature: {error}"
            return None
        parts = urlsplit(path)
        check = {"wecom": self._wecom, "feishu": self._feishu, "dingtalk": self._dingtalk}
        return check[self.kind](parts.path, parse_qs(parts.query), raw, json.loads(raw))

    def _wecom(self, path: str, query: dict[str, list[str]], raw: bytes, body: Any) -> str | None:
        if query.get("key") != [self.token]:
            return "invalid webhook url"
        if body.get("msgtype") != "markdown":
            return "msgtype"
        if len(body["markdown"]["content"].encode()) > WECOM_CONTENT_LIMIT:
            return "content exceeds 4096 bytes"
        return None

    def _feishu(self, path: str, query: dict[str, list[str]], raw: bytes, body: Any) -> str | None:
        if path != f"/open-apis/bot/v2/hook/{self.token}":
            return "token"
        if len(raw) > FEISHU_BODY_LIMIT:
            return "body exceeds 20 KB"
        if body.get("msg_type") != "post":
            return "msg_type"
        rows = body["content"]["post"]["zh_cn"]["content"]
        if any(item.get("tag") not in FEISHU_TAGS for row in rows for item in row):
            return "invalid post element tag"  # every element of a post names its kind
        if any("text" not in item for row in rows for item in row if item["tag"] == "text"):
            return "text element without text"
        if self.secret is None:
            return None
        stamp = str(body.get("timestamp", ""))
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > HOUR:
            return "timestamp"
        expected = _hmac_base64(f"{stamp}\n{self.secret}".encode(), b"")
        if not hmac.compare_digest(expected, str(body.get("sign", ""))):
            return "sign match fail"
        return None

    def _dingtalk(
        self, path: str, query: dict[str, list[str]], raw: bytes, body: Any
    ) -> str | None:
        if query.get("access_token") != [self.token]:
            return "token"
        if body.get("msgtype") != "markdown" or not body["markdown"].get("title"):
            return "msgtype"
        if self.secret is None:
            return None
        stamp = (query.get("timestamp") or [""])[0]
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > HOUR * 1000:
            return "timestamp"
        expected = _hmac_base64(self.secret.encode(), f"{stamp}\n{self.secret}".encode())
        if not hmac.compare_digest(expected, (query.get("sign") or [""])[0]):
            return "sign not match"
        return None

    def _refusal(self) -> tuple[int, dict[str, Any]]:
        if self.kind == "webhook":
            return 401, {"error": "refused"}
        if self.kind == "feishu":
            return 200, {
                "code": 19021,
                "msg": "sign match fail or timestamp is not within one hour",
            }
        return 200, {"errcode": 310000, "errmsg": "sign not match"}

    def _ok(self) -> tuple[int, dict[str, Any] | None]:
        if self.kind == "webhook":
            return 204, None
        if self.kind == "feishu":
            return 200, {"code": 0, "msg": "success", "data": {}}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any] | None, **extra: str) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not receiver._addressed_here(self.path):
                    with receiver._lock:
                        receiver.strays += 1
                    return self._answer(404, {"error": "no such hook"})
                with receiver._lock:
                    receiver.received.append(raw)
                    receiver.connections.add(self.client_address[1])
                    receiver.user_agents.add(self.headers.get("User-Agent"))
                    receiver.paths.append(self.path)
                    fault = receiver._faults.pop(0) if receiver._faults else None
                if fault == "500":
                    return self._answer(500, {"error": "internal"})
                if fault == "429":
                    return self._answer(429, {"error": "slow down"}, **{"Retry-After": "1"})
                if fault and fault.startswith("429:"):  # Retry-After as given (latin-1 on the wire)
                    return self._answer(429, {"error": "slow down"}, **{"Retry-After": fault[4:]})
                if fault == "redirect":
                    return self._answer(302, None, Location="http://127.0.0.1:9/elsewhere")
                if fault == "code":
                    code = {"feishu": ("code", 11232), "webhook": ("code", 1)}.get(
                        receiver.kind, ("errcode", 45009)
                    )
                    if receiver.kind == "webhook":
                        return self._answer(503, {"error": "busy"})
                    return self._answer(200, {code[0]: code[1], "msg": "frequency limited"})
                if fault == "echo":  # an error message that quotes the request's path
                    why = f"invalid webhook url, hint: [{self.path}]"
                    return self._answer(200, {"errcode": 93000, "errmsg": why})
                if fault and fault.startswith("slow:"):
                    time.sleep(float(fault[5:]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                why = receiver._verify(self.path, headers, raw)
                if why is not None:
                    with receiver._lock:
                        receiver.refused.append(why)
                    return self._answer(*receiver._refusal())
                with receiver._lock:
                    receiver.accepted.append(json.loads(raw))
                if fault == "long":
                    status, ok = receiver._ok()
                    padded = {**(ok or {}), "padding": "x" * LONG_ANSWER_BYTES}
                    return self._answer(200 if status == 204 else status, padded)
                return self._answer(*receiver._ok())

        return Handler
