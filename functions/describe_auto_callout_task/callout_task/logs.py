"""Structured JSON lines on stdout (SCF ships stdout to CLS), all in one schema.

Every line carries exactly the fields of ``LOG_FIELDS``, ``null`` where a field does not apply,
whatever the trigger: a CLS index built from that tuple covers every line. An invocation writes
one ``invocation`` line per task it looked up (an HTTP or direct call: one; a timer run: one per
task of its Message, all with the run's ids), or one without task ids when it never got to a
task (preflight, 405, bad configuration). Faults an operator must fix write an ERROR line too.

Free text is masked before it is written: phone numbers keep their last four digits,
credential-shaped strings are cut out, and so are credentials by where they stand (a URL's
password, a robot's key in its URL, a webhook's ``whsec_`` secret); numbers labelled as
identifiers (``SdkAppId 1400000000``, ``uin/100012345678``, ``TaskId``) or as quantities
(``Content-Length 10000072 > 8388608``, ``at most 9223372036854775807``, ``33554432 bytes``)
stay readable. Credentials are never handed to this module.
"""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}

LOG_FIELDS: tuple[str, ...] = (
    "level",  # DEBUG, INFO, WARNING or ERROR
    "message",  # "invocation" for the line of each lookup; free text (masked) otherwise
    "time",  # Unix seconds
    "request_id",  # the id the caller sees (X-Request-Id): the gateway's, SCF's or a new one
    "scf_request_id",  # SCF's own context.request_id, for SCF's console and support
    "trigger",  # apigw, function_url, timer or direct
    "sdk_app_id",  # the task's SdkAppId, once known
    "task_id",  # the task's TaskId, once known
    "status",  # the HTTP status of the lookup's answer (or of its entry in a timer's results)
    "upstream_code",  # CCC's or STS's error code, or our own for a bad answer (BadBody, ...)
    "upstream_request_id",  # the RequestId of CCC's (or STS's) last answer
    "attempts",  # calls sent upstream for this lookup (CCC and STS)
    "latency_ms",  # from the invocation's start to the end of this lookup
    "detail",  # what went wrong, upstream messages included (masked); null on success
    "traceback",  # only for "unexpected error" lines
    # A successful lookup's task, so that CLS can chart progress without a caller or a target:
    "task_state",  # running, completed, ... (unknown for codes not in the state table)
    "task_state_code",  # CCC's code, as given
    # The callee summary, flat (SCF ships first-level numbers to CLS as fields of their own):
    "callees_total",
    "callees_initial",
    "callees_answered",
    "callees_not_answered",
    "callees_calling",
    "callees_waiting_retry",
    "callees_unknown",
)
CALLEE_COUNT_FIELDS = tuple(name for name in LOG_FIELDS if name.startswith("callees_"))
_FIELD_SET = frozenset(LOG_FIELDS)
# Ids stay exactly as given: masking digit runs in them would break tracing.
_IDENTIFIERS = frozenset({"request_id", "scf_request_id", "upstream_request_id"})

# A run of seven or more digits (a phone number), not part of a decimal or a longer word.
_LONG_NUMBER = re.compile(r"(?<![\w.])\+?\d{7,}(?![\w.])")
# ... unless it is labelled as an identifier an operator needs to read.
_ID_LABEL = re.compile(
    r"(?i)(?:sdk_?app_?id|task_?id|app_?id|owner_?uin|sub_?account_?uin|uin)[\s:=#/'\"]{0,3}$"
)
# ... or as a quantity: a size or a limit compared with (``Content-Length 10000072 > 8388608``,
# ``must be at most 9223372036854775807``), or a number with its unit (``33554432 bytes``).
_QUANTITY_LABEL = re.compile(
    r"(?i)(?:content-length|at most|at least|more than|less than|larger than|longer than"
    # a comparison sign only between two numbers: "<13800138000>" is a phone number
    r"|\d\s{1,2}[<>]=?)\s{0,2}$"
)
_QUANTITY_UNIT = re.compile(r"\s?(?:bytes?|µs|ms|seconds?|KiB|MiB|characters)\b")
# Credential shapes: a Tencent SecretId, and long runs of token characters holding digits and
# both cases (session tokens, keys); paths and identifiers lack one of those. Dashes are not
# token characters, so UUID request ids are left alone.
_SECRET_ID = re.compile(r"AKID[0-9A-Za-z]{8,}")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_]{40,}")
# Credentials by where they stand, whatever their shape: a URL's password, the value of a
# query parameter that carries a key or a signature (WeCom's key, DingTalk's access_token and
# sign), the id in a robot's hook path (Feishu's), a Standard Webhooks secret. A robot's key is
# lower-case hex or a UUID, which the token shape above leaves alone.
_URL_PASSWORD = re.compile(r"(://[^/?#@\s:]*:)[^/?#@\s]+@")
_PLACED_SECRET = re.compile(
    r"(?i)([?&](?:access_token|key|token|sign|signature|secret|password|sig)=|/hook/)"
    r"[\w%+=~-]+(?:\.[\w%+=~-]+)*"
)
_WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/]+=*")

# Written raw by the JSON encoder, these end a line for JavaScript (U+2028, U+2029) or for
# readers that split as str.splitlines does (NEL, U+0085), and C1 controls (U+0080-U+009F) are
# acted on by terminals: each becomes a \u escape, which decodes to the same text.
_ESCAPED = {code: f"\\u{code:04x}" for code in (*range(0x80, 0xA0), 0x2028, 0x2029)}

_threshold = LEVELS["INFO"]


def set_level(name: str) -> None:
    global _threshold  # noqa: PLW0603 - one logger per instance, configured once
    _threshold = LEVELS.get(name, LEVELS["INFO"])


def reset_level() -> None:
    """Back to INFO, the level of an instance whose settings were not read yet."""
    set_level("INFO")


def _mask_number(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 24) : match.start()]
    if (
        _ID_LABEL.search(before)
        or _QUANTITY_LABEL.search(before)
        or _QUANTITY_UNIT.match(match.string, match.end())
    ):
        return match[0]
    return "*" * (len(match[0]) - 4) + match[0][-4:]


def _mask_token(match: re.Match[str]) -> str:
    run = match[0]
    mixed = any(c.isdigit() for c in run) and not run.islower() and not run.isupper()
    return "[masked]" if mixed else run


def mask(text: str) -> str:
    """``callee 13800138000`` -> ``callee *******8000``; ``SdkAppId 1400000000`` unchanged."""
    text = _URL_PASSWORD.sub(r"\1[masked]@", text)
    text = _PLACED_SECRET.sub(r"\1[masked]", text)
    text = _WEBHOOK_SECRET.sub("whsec_[masked]", text)
    text = _SECRET_ID.sub("AKID[masked]", text)
    text = _TOKEN.sub(_mask_token, text)
    return _LONG_NUMBER.sub(_mask_number, text)


def _masked(value: Any, name: str = "") -> Any:
    if isinstance(value, str):
        return value if name in _IDENTIFIERS else mask(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {_masked(str(key)): _masked(item, str(key)) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_masked(item) for item in value]
    # Anything else would be written as its str() (an exception given instead of its message):
    # masked as the text it is.
    return mask(str(value))


def emit(level: str, message: str, **fields: Any) -> None:
    """One line of the schema: ``fields`` are a subset of LOG_FIELDS, the rest are null."""
    if LEVELS[level] < _threshold:
        return
    unknown = fields.keys() - _FIELD_SET
    if unknown:  # a programming error; the line is still written, the field kept out
        fields = {name: value for name, value in fields.items() if name in _FIELD_SET}
        fields["detail"] = f"{fields.get('detail') or ''} (unknown log fields: {sorted(unknown)})"
    line: dict[str, Any] = dict.fromkeys(LOG_FIELDS)
    line.update(level=level, message=mask(message), time=round(time.time(), 3))
    for name, value in fields.items():
        line[name] = _masked(value, name)
    try:
        text = to_json(line, fallback=str).decode().translate(_ESCAPED)
    except PydanticSerializationError:
        # Text that is not valid Unicode (a lone surrogate from upstream): escaped, not lost.
        text = json.dumps(line, default=str)
    sys.stdout.write(text + "\n")
