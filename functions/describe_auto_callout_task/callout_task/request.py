"""The request every trigger is reduced to, validated with pydantic's validator.

Parameters may come from several places at once (a query string, a JSON body, path parameters,
a direct event). ``gather`` merges them under one name per parameter, turning query-string text
into numbers and booleans where it spells one exactly, and refusing different values for one
name; the request model's compiled schema then checks types and ranges strictly.

In a JSON body, a direct event or a timer's Message, ``SdkAppId`` and ``TaskId`` may also be
strings of their canonical decimal digits (``"3"``; not ``"03"``, ``" 3"`` or ``"+3"``):
low-code tools template strings, and ids past 2^53 are exact in JavaScript only as strings
(README, "The API", says why). Other numbers are JSON numbers there.

One conflict rule, whichever sources meet: values are compared as read, so ``3`` or ``"3"`` in
a body, ``3`` or ``03`` in a query string and ``3`` in a path are one value (the number 3), and
``true``/``1`` are one boolean; a number and a boolean, or two numbers, are different values.

A refusal says what was wrong with the value as the caller sent it ("send TaskId as a JSON
number, not a string", "must be at least 1"), never only the validator's type name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic_core import SchemaValidator, ValidationError

from callout_task.problems import InvalidRequest
from callout_task.request_schema import REQUEST_SCHEMA

MAX_ID = 2**63 - 1
MAX_CALLEE_LIMIT = 10_000
DEFAULT_CALLEE_LIMIT = 1_000


class TaskRequest(NamedTuple):
    """Which task to describe, and which page of its callees to return (validated)."""

    sdk_app_id: int
    task_id: int
    include_callees: bool = True
    callee_offset: int = 0
    callee_limit: int = DEFAULT_CALLEE_LIMIT


# pydantic-core compiles the schema that pydantic builds for the request model
# (autocallout.contract.TaskRequestModel, written to request_schema.py by
# ``python -m autocallout.openapi``): the same validation, without importing pydantic itself
# and building the model on every cold start (about 90 ms of it, see docs/benchmarks.md).
_VALIDATOR = SchemaValidator(REQUEST_SCHEMA)


# Every accepted spelling -> the model's field name. Anything else is ignored.
SPELLINGS: dict[str, str] = {
    "SdkAppId": "sdk_app_id",
    "sdk_app_id": "sdk_app_id",
    "TaskId": "task_id",
    "task_id": "task_id",
    "IncludeCallees": "include_callees",
    "include_callees": "include_callees",
    "CalleeOffset": "callee_offset",
    "callee_offset": "callee_offset",
    "CalleeLimit": "callee_limit",
    "callee_limit": "callee_limit",
}
# Each spelling without case or underscores: a name that differs from one only in those
# (SdkAppid, taskid, TASK_ID) is named in the answer when its parameter is found missing.
_LOOSE_SPELLINGS = {name.lower().replace("_", ""): field for name, field in SPELLINGS.items()}
_BOOLEAN_FIELDS = frozenset({"include_callees"})
_BOOLEAN_TEXT = {"true": True, "1": True, "false": False, "0": False}


class Source(NamedTuple):
    """Parameters from one place; ``textual`` when they arrived as text (a query string)."""

    values: Mapping[str, Any]
    textual: bool = False


_NUMBER_FIELDS = frozenset({"sdk_app_id", "task_id", "callee_offset", "callee_limit"})
ID_FIELDS = frozenset({"sdk_app_id", "task_id"})  # may be canonical digit strings in JSON too
_EXACT_FLOAT_LIMIT = 2**53  # every whole float below it stands for exactly one integer
_PAST_25_DIGITS = 10**26  # what any whole number longer than 25 digits is read as
_FIRST_PAST_25_DIGITS = 10**25  # the smallest whole number of 26 digits


def _digits(value: str) -> int:
    """Decimal digits as their number; past 25 significant digits it is out of range whatever
    it is, and int() of a long run would take time (or refuse, past 4300 digits)."""
    significant = value.lstrip("0")
    return int(significant or "0") if len(significant) <= 25 else _PAST_25_DIGITS


def json_integer(text: str) -> int | Decimal:
    """A JSON integer's text (json.loads's ``parse_int``): its int up to 25 digits, else a
    Decimal, read as out of range below like every number past 25 digits however written (an
    int() of it could make two spellings of one number two values, and refuses 4300 digits)."""
    return int(text) if len(text.lstrip("-")) <= 25 else Decimal(text)


def _from_text(field: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # `true` for a key without a value, refused by the model where wrong
    if field in _BOOLEAN_FIELDS:
        return _BOOLEAN_TEXT.get(value.lower(), value)
    if value.isascii() and value.isdigit():
        return _digits(value)  # zero-padded ids too: 21 digits may still be 3
    return value


def _is_canonical_decimal(value: str) -> bool:
    """``3``, ``1400000000``, ``0``: digits 0-9, no leading zero, nothing else."""
    return value.isascii() and value.isdigit() and (value == "0" or value[0] != "0")


def _whole_number(field: str, value: Any) -> Any:
    """A JSON number with no fraction, as the int it is: JSON Schema's ``integer`` is any number
    whose fractional part is zero (``3.0`` too), and the document may not promise more than the
    function takes. JSON text arrives as Decimal (exact, see events._parse_json); a float (a
    direct invocation, parsed by the platform) only while it is exact. Anything else is left for
    the validator to refuse."""
    if field not in _NUMBER_FIELDS:
        return value  # a boolean is neither Decimal nor float: it is left as it is below
    if field in ID_FIELDS and isinstance(value, str) and _is_canonical_decimal(value):
        return _digits(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        # past 25 digits it is out of range whatever it is; int() of 1e999999999 would not end.
        # A zero's exponent says nothing of its size: 0e30 is 0.
        if value.adjusted() < 25 or value.is_zero():
            return int(value)
        return -_PAST_25_DIGITS if value.is_signed() else _PAST_25_DIGITS
    if (type(value) is int or isinstance(value, float)) and abs(value) >= _FIRST_PAST_25_DIGITS:
        # A direct invocation's int or float (the platform parsed its JSON): the same cut-off.
        return -_PAST_25_DIGITS if value < 0 else _PAST_25_DIGITS
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
        return int(value)
    return value


def same_value(name: str, first: Any, second: Any) -> bool:
    """Whether two JSON values given for one parameter name are one value (``3``, ``3.0`` and
    ``"3"`` for TaskId are; ``1`` and ``true`` never are, though Python counts them equal)."""
    field = SPELLINGS.get(name)
    if field is None:
        return bool(first == second)
    one, other = _whole_number(field, first), _whole_number(field, second)
    return (type(one), one) == (type(other), other)


def gather(sources: Iterable[Source]) -> TaskRequest:
    """One validated request from every source; raises InvalidRequest naming each bad field."""
    merged: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    given_as: dict[str, tuple[Any, bool]] = {}  # what was sent, and whether as text
    conflicts: list[dict[str, str]] = []
    near_misses: dict[str, str] = {}  # field -> a name that is one of its spellings but for case
    for source in sources:
        for name, raw in source.values.items():
            field = SPELLINGS.get(name)  # None for any other name, text or not
            if field is None:
                loose = _LOOSE_SPELLINGS.get(str(name).lower().replace("_", ""))
                if loose is not None:
                    near_misses.setdefault(loose, str(name)[:40])
                continue
            values = raw if source.textual and isinstance(raw, list) else [raw]
            for given in values:
                value = _from_text(field, given) if source.textual else _whole_number(field, given)
                if field not in merged:
                    merged[field], spelled[field] = value, name
                    given_as[field] = (given, source.textual)
                elif (type(merged[field]), merged[field]) != (type(value), value):
                    conflicts.append(
                        {"field": name, "message": "given more than once with different values"}
                    )
    if conflicts:
        refused = InvalidRequest(
            "A parameter was given several different values.", errors=conflicts
        )
        bad = {SPELLINGS[conflict["field"]] for conflict in conflicts}
        _name_the_task(refused, merged, bad)
        raise refused
    try:
        return TaskRequest(**_VALIDATOR.validate_python(merged))
    except ValidationError as error:
        refused = InvalidRequest(
            "The request's parameters are missing or invalid.",
            errors=[
                _field_error(entry, spelled, given_as, near_misses) for entry in error.errors()
            ],
        )
        _name_the_task(refused, merged, {str(e["loc"][0]) for e in error.errors() if e["loc"]})
        raise refused from None


def _name_the_task(refused: InvalidRequest, merged: dict[str, Any], bad: set[str]) -> None:
    """The ids a refused request still gave readably (whole numbers in range, not in conflict):
    a timer's entry names its task with them."""
    for field in ID_FIELDS - bad:
        value = merged.get(field)
        if type(value) is int and 1 <= value <= MAX_ID:
            setattr(refused, field, value)


def _field_error(
    entry: Any,
    spelled: dict[str, str],
    given_as: dict[str, tuple[Any, bool]],
    near_misses: dict[str, str],
) -> dict[str, str]:
    field = str(entry["loc"][0]) if entry["loc"] else ""
    name = spelled.get(field, _TENCENT_NAMES.get(field, field))
    if entry["type"] == "missing":
        message = f"required; send it as {_TENCENT_NAMES[field]} or {field}"
        if field in near_misses:  # names are matched exactly: say which one was not taken
            message += f" ({near_misses[field]!r} was given: names are case-sensitive)"
    else:  # every default is valid: a field refused for its value was given
        message = _what_was_wrong(entry, name, *given_as[field])
    return {"field": name, "message": message}


def _what_was_wrong(entry: Any, name: str, value: Any, textual: bool) -> str:
    """The refusal in the caller's terms: what was sent, and what to send instead. The strict
    schema reports nothing but missing, ge, le, bool_type and int_type: its fields are whole
    numbers and one boolean."""
    context = entry.get("ctx") or {}
    if "ge" in context:
        return f"must be at least {context['ge']}"
    if "le" in context:
        return f"must be at most {context['le']}"
    if entry["type"].startswith("bool"):
        return "must be true or false"
    # int_type: a whole number's field was sent something else
    if value is True and textual:
        return "has no value; give a whole number"
    if isinstance(value, bool):
        return "must be a whole number, not true or false"
    if value is None:
        return "must be a whole number, not null"
    if isinstance(value, float) and value.is_integer():
        # a direct invocation's float past 2^53 stands for several integers (_whole_number)
        return "is a float past 2^53, which is not exact; send it as a JSON integer"
    if isinstance(value, (float, Decimal)):
        return "must be a whole number, without a fraction"
    if not isinstance(value, str):
        return "must be a whole number"
    if not textual:
        field = SPELLINGS.get(name, "")
        if field in ID_FIELDS:
            return _what_was_wrong_with_id_string(name, value)
        return f"send {name} as a JSON number, not a string"
    return _what_was_wrong_with_text(value)


def _what_was_wrong_with_id_string(name: str, value: str) -> str:
    """A JSON string for an id that is not its canonical digits: what is wrong, and the two
    forms accepted (a low-code tool's template usually wraps the number in quotes)."""
    text = value.strip()
    if not text:
        problem = "is blank"
    elif text != value:
        problem = "has spaces around the digits"
    elif text[0] in "+-":
        problem = "has a sign"
    elif text.isascii() and text.isdigit():
        problem = "has a leading zero"
    elif any(c.isdigit() for c in text) and all(c in "0123456789.eE+-" for c in text):
        problem = "has a decimal point or an exponent"
    else:
        problem = "is not written with the digits 0-9"
    return (
        f"{problem}; send {name} as a JSON number (3) or a string of its digits alone, "
        'without leading zeros ("3")'
    )


def _what_was_wrong_with_text(value: str) -> str:
    text = value.strip()
    if not text:
        return "is blank; give a whole number"
    if text[0] in "+-":
        return "must be a whole number written without a sign"
    if text.isascii() and text.isdigit():
        return "must be a whole number written without spaces"
    if any(mark in text for mark in ".eE"):
        return "must be a whole number written without a decimal point or an exponent"
    return "must be a whole number written with the digits 0-9"


_TENCENT_NAMES = {
    "sdk_app_id": "SdkAppId",
    "task_id": "TaskId",
    "include_callees": "include_callees",
    "callee_offset": "callee_offset",
    "callee_limit": "callee_limit",
}
