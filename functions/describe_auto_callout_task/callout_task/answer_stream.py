"""A Tencent Cloud API answer parsed as its body arrives, with one list streamed past, not kept.

CCC's ``DescribeAutoCalloutTask`` answer holds every callee of the task (some 33 MB at 385 000
callees): built as Python objects, ten times that. ``AnswerParser`` takes the body chunk by chunk
and keeps the ``Response`` object's fields, but hands each element of ``Response.<streamed>`` to
a ``ListDigest`` as it is read and then lets it go, so memory holds one chunk, one element and
what the digest keeps (for CCC: the page asked for and the counts per state).

The JSON itself is read by the standard library's C scanner (``json.scanner.c_make_scanner``),
one value at a time: the same values ``json.loads`` gives, lone surrogate escapes then made
U+FFFD in what is kept. Why not a parser from PyPI: docs/benchmarks.md ("Parsing CCC's answer").
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
from collections.abc import Callable
from typing import Any, Protocol

_SPACE = " \t\n\r"
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
# Where a lone surrogate can come from: UTF-8 refuses them, so only a \uD800-\uDFFF escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_FOLLOWS = frozenset(",]}: \t\n\r")
# How far from the end of what has arrived a syntax error may be and still be a value cut by
# the chunk's end ("-Infinity", a \uXXXX escape): past that it is an error, read no further.
_CUT_VALUE_CHARS = 16


def _skip_space(text: str, at: int) -> int:
    """Where the first character at or after ``at`` that is not JSON white space is."""
    if at >= len(text) or text[at] not in _SPACE:
        return at
    # A long run (a body padded with spaces) at C speed: str.lstrip() without arguments and
    # str.count are fast; lstrip's run may hold white space JSON does not count as such.
    rest = text[at:]
    run = len(rest) - len(rest.lstrip())
    if rest.count(" ", 0, run) == run or sum(rest.count(c, 0, run) for c in _SPACE) == run:
        return at + run
    return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]


class BadAnswer(ValueError):
    """The body is not a JSON object (or not valid UTF-8)."""


class ListDigest(Protocol):
    def start(self) -> None:
        """A (new) list begins: forget what an earlier one with the same key gave."""

    def add(self, element: Any) -> None:
        """The next element, as ``json.loads`` gives it (lone surrogates still in it: the
        parser's ``text_of`` makes what is kept valid)."""

    def skim(self, text: str, at: int) -> int:
        """Take in the elements at ``text[at:]`` that need no objects (each followed by ","),
        from a scan of the text alone; where they end (``at`` when there are none)."""


def valid_unicode(value: Any) -> Any:
    """``value`` with lone surrogates (JSON allows "\\ud800") made U+FFFD: such text cannot be
    encoded, and would fail the answer later."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {valid_unicode(key): valid_unicode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [valid_unicode(item) for item in value]
    return value


class AnswerParser:
    """Feed it the body (``feed``), then ``finish()`` for the envelope: ``{"Response": {...}}``
    with the streamed list, if any, left out (the digest has it) and text made valid."""

    def __init__(self, streamed: str | None = None, digest: ListDigest | None = None) -> None:
        self._streamed = streamed
        self._digest = digest
        self._decode = codecs.getincrementaldecoder("utf-8")("strict").decode
        self._scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(  # type: ignore[attr-defined]
            json.JSONDecoder()
        )
        self._text = ""
        self._at = 0
        self._waiting: list[str] = []  # text arrived while a long value waits for more (``feed``)
        self._waiting_size = 0
        # Set once the text holds an escape that may be a lone surrogate: until then, nothing
        # read can hold one, and text is kept as scanned (``text_of``).
        self.surrogates = False
        self._ended = False
        self._wanted = 0  # characters the next attempt needs beyond what has arrived
        self._steps = self._walk()
        self._result: dict[str, Any] | None = None
        next(self._steps)

    def feed(self, chunk: bytes) -> None:
        try:
            text = self._decode(chunk)
        except UnicodeDecodeError:
            raise BadAnswer("the body is not UTF-8") from None
        kept = len(self._text) - self._at
        if kept + self._waiting_size + len(text) < self._wanted:
            # Not enough yet for the value that was cut: no point scanning it again, nor joining
            # it with each chunk (a value of many chunks would be copied once per chunk).
            self._waiting.append(text)
            self._waiting_size += len(text)
            return
        self._text = "".join([self._text[self._at :], *self._waiting, text])
        self._waiting.clear()
        self._waiting_size = 0
        self._at = 0
        if not self.surrogates:  # searched from a little before the new text: an escape cut
            self.surrogates = _SURROGATE_ESCAPE.search(self._text, max(kept - 6, 0)) is not None
        self._steps.send(None)

    def text_of(self, value: Any) -> Any:
        """``value`` (read by this parser) with lone surrogates made U+FFFD, when there can be
        any: a value is read only after the text it comes from was searched for escapes."""
        return valid_unicode(value) if self.surrogates else value

    def finish(self) -> dict[str, Any]:
        try:
            rest = self._decode(b"", True)
        except UnicodeDecodeError:
            raise BadAnswer("the body is not UTF-8") from None
        kept = len(self._text) - self._at
        self._text = "".join([self._text[self._at :], *self._waiting, rest])
        self._waiting.clear()
        self._at = 0
        if not self.surrogates:
            self.surrogates = _SURROGATE_ESCAPE.search(self._text, max(kept - 6, 0)) is not None
        self._ended = True
        self._wanted = 0
        if self._result is None:
            with contextlib.suppress(StopIteration):  # the walk ends with the body
                self._steps.send(None)
        if self._result is None:  # pragma: no cover - _walk ends only by setting it or raising
            raise BadAnswer("the body ended early")
        return self._result

    # -- the walk: a generator that yields whenever it needs more text --------------------------
    def _walk(self) -> Any:
        yield
        if (yield from self._peek()) != "{":
            yield from self._value()  # whatever it is, it must at least be JSON
            yield from self._end()
            self._result = {}
            return
        self._at += 1
        envelope: dict[str, Any] = {}
        key = yield from self._key(first=True)
        while key is not None:
            if key == "Response" and (yield from self._peek()) == "{":
                envelope[key] = yield from self._response()
            else:
                envelope[key] = self.text_of((yield from self._value()))
            key = yield from self._key(first=False)
        yield from self._end()
        self._result = envelope

    def _response(self) -> Any:
        self._at += 1  # the "{"
        response: dict[str, Any] = {}
        key = yield from self._key(first=True)
        while key is not None:
            if key == self._streamed:
                response.pop(key, None)  # the digest has it; a duplicate key: the last one counts
                if (yield from self._peek()) == "[":
                    yield from self._stream_list()
                else:
                    # Not a list: taken as an empty one, as normalise takes any value not a list.
                    yield from self._value()
                    if self._digest is not None:
                        self._digest.start()
            else:
                response[key] = self.text_of((yield from self._value()))
            key = yield from self._key(first=False)
        return response

    def _stream_list(self) -> Any:
        digest = self._digest
        if digest is not None:
            digest.start()
        self._at += 1  # the "["
        if (yield from self._peek()) == "]":
            self._at += 1
            return
        scan = self._scan
        skim = digest.skim if digest is not None else None
        while True:
            if skim is not None:
                self._at = skim(self._text, self._at)
            # The common case inline (an element, then its separator, both arrived): this loop
            # runs once per callee. Anything else takes the careful path.
            text, at = self._text, self._at
            try:
                element, end = scan(text, at)
                separator = text[end]
            except (StopIteration, ValueError, IndexError, RecursionError):
                separator = ""
            if separator == "," or separator == "]":  # noqa: PLR1714 - faster than "in" here
                self._at = end + 1
            else:
                element = yield from self._value()
                separator = yield from self._char()
            if digest is not None:
                digest.add(element)
            if separator == "]":
                return
            if separator != ",":
                raise BadAnswer("a list's elements are not separated by commas")
            at = _skip_space(self._text, self._at)
            if at < len(self._text):
                self._at = at
            else:
                yield from self._peek()

    def _key(self, first: bool) -> Any:
        """The next key of the object being read and its colon, None at its end."""
        separator = yield from self._char()
        if first and separator == '"':
            self._at -= 1
        elif separator == "}":
            return None
        elif first or separator != ",":
            raise BadAnswer("an object's members are not separated by commas")
        if (yield from self._peek()) != '"':
            raise BadAnswer("an object's key is not a string")
        key = yield from self._value()
        if (yield from self._char()) != ":":
            raise BadAnswer("an object's key is not followed by a colon")
        return key

    # -- reading --------------------------------------------------------------------------------
    def _more(self) -> Any:
        if self._ended:
            raise BadAnswer("the body ended early")
        yield

    def _peek(self) -> Any:
        """The next character after white space, not consumed."""
        while True:
            self._at = _skip_space(self._text, self._at)
            if self._at < len(self._text):
                return self._text[self._at]
            yield from self._more()

    def _char(self) -> Any:
        char = yield from self._peek()
        self._at += 1
        return char

    def _end(self) -> Any:
        while not self._ended:
            self._at = _skip_space(self._text, self._at)
            if self._at < len(self._text):
                raise BadAnswer("more follows the JSON value")
            yield
        if _skip_space(self._text, self._at) != len(self._text):
            raise BadAnswer("more follows the JSON value")

    def _value(self) -> Any:
        """The next whole JSON value. A value is whole only when something follows it or the
        body has ended: "12" at the end of a chunk may be the start of "1234"."""
        yield from self._peek()
        while True:
            text, at = self._text, self._at
            try:
                value, end = self._scan(text, at)
            except StopIteration as stop:  # no value starts where it says (a nested one's index)
                if self._ended or len(text) - stop.value > _CUT_VALUE_CHARS:
                    raise BadAnswer("not a JSON value") from None
            except json.JSONDecodeError as error:
                cut = error.msg.startswith("Unterminated string") or (
                    len(text) - error.pos <= _CUT_VALUE_CHARS
                )
                if self._ended or not cut:
                    raise BadAnswer(f"not JSON: {error.msg}") from None
            except RecursionError:
                raise BadAnswer("nested too deeply") from None
            else:
                # "1." or "1e" at a chunk's end scan as the number 1: only what can follow a
                # value (or a body's end, or what is surely no number) says it is whole.
                if end < len(text) and (
                    text[end] in _FOLLOWS or len(text) - end > _CUT_VALUE_CHARS
                ):
                    self._at = end
                    return value
                if self._ended:
                    self._at = end
                    return value
            # Cut by the chunk's end: scan it again once at least as much again has arrived,
            # so that one long value costs a linear number of scans, not one per chunk.
            self._wanted = 2 * (len(text) - at)
            yield from self._more()
            self._wanted = 0
