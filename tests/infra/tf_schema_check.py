"""Static checks of infra/ without the provider: every block against the provider schema, and
the `count` of every resource evaluated for a given set of variables, so that each front-door
choice can be shown to form a consistent configuration.

Reads python-hcl2 8.x output: blocks are lists of dicts marked ``__is_block__``, quoted strings
keep their quotes, and expressions arrive as ``${...}`` text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import hcl2

# Arguments Terraform itself owns, valid in every resource or data block.
META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
)
BLOCK_MARK = "__is_block__"


def is_parser_key(key: str) -> bool:
    """Keys python-hcl2 adds of its own (``__is_block__``, ``__comments__``)."""
    return key.startswith("__") and key.endswith("__")


@dataclass(frozen=True)
class Block:
    """One resource or data block of the configuration."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class Config:
    """The parts of a Terraform directory that the checks read."""

    blocks: list[Block] = field(default_factory=list)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    required_providers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def block(self, address: str) -> Block:
        return next(b for b in self.blocks if b.address == address)


def unquote(value: Any) -> Any:
    """A label or literal string without the quotes python-hcl2 keeps."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${") and value.endswith("}")


def expression_text(value: str) -> str:
    return value[2:-1] if is_expression(value) else value


def is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get(BLOCK_MARK) for v in value)
    )


def literal(value: Any) -> Any:
    """A python value for an HCL literal (strings unquoted, recursively)."""
    if isinstance(value, list):
        return [literal(v) for v in value]
    if isinstance(value, dict):
        return {unquote(k): literal(v) for k, v in value.items() if not is_parser_key(k)}
    return unquote(value)


def _labelled(entries: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for entry in entries:
        for label, body in entry.items():
            if not is_parser_key(label):
                yield unquote(label), body


def load_config(location: Path) -> Config:
    """Parse one ``.tf`` file, or every ``*.tf`` directly in a directory."""
    config = Config()
    paths = sorted(location.glob("*.tf")) if location.is_dir() else [location]
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle)
        for kind in ("resource", "data"):
            for rtype, named in _labelled(parsed.get(kind, [])):
                for name, body in _labelled([named]):
                    config.blocks.append(Block(kind, rtype, name, body, path.name))
        for name, body in _labelled(parsed.get("provider", [])):
            config.providers[name] = body
        for name, body in _labelled(parsed.get("variable", [])):
            config.variables[name] = body
        for name, body in _labelled(parsed.get("output", [])):
            config.outputs[name] = body
        for block in parsed.get("locals", []):
            config.locals.update({k: v for k, v in block.items() if not is_parser_key(k)})
        for terraform in parsed.get("terraform", []):
            for required in terraform.get("required_providers", []):
                for name, spec in required.items():
                    if not is_parser_key(name):
                        config.required_providers[name] = literal(spec)
    return config


# --- schema -------------------------------------------------------------------------------------


def check_arguments(arguments: Mapping[str, Any], body: Mapping[str, Any], where: str) -> list[str]:
    """Problems of one block body against its schema arguments (recursing into nested blocks)."""
    problems: list[str] = []
    present = {
        k for k in body if not is_parser_key(k) and k not in META_ARGUMENTS and k != "dynamic"
    }
    for name in sorted(present):
        spec = arguments.get(name)
        if spec is None:
            problems.append(f"{where}: unknown argument {name!r}")
            continue
        problems += _check_argument(name, spec, body[name], where)
        # An expression may be null, which Terraform treats as unset: two literals conflict.
        problems += [
            f"{where}: {name!r} conflicts with {other!r}"
            for other in spec.get("conflicts_with") or []
            if other in present
            and name < other
            and not (is_expression(body[name]) or is_expression(body[other]))
        ]
    dynamic = dict(_labelled(body.get("dynamic", [])))
    for name, generator in dynamic.items():
        problems += _check_dynamic(arguments.get(name), name, generator, where)
    for name, spec in arguments.items():
        if spec.get("required") and name not in body and name not in dynamic:
            problems.append(f"{where}: required argument {name!r} is missing")
    return problems


def _check_dynamic(
    spec: Mapping[str, Any] | None, name: str, generator: Any, where: str
) -> list[str]:
    """A ``dynamic "name"`` block generates ``name`` blocks: its content is checked as one."""
    if spec is None:
        return [f"{where}: dynamic block of unknown argument {name!r}"]
    if not spec.get("is_block"):
        return [f"{where}: {name!r} is an argument, not a block; it cannot be generated by dynamic"]
    nested = spec["elem"]["block"]["arguments"]
    problems: list[str] = []
    for index, content in enumerate(generator.get("content", [])):
        problems += check_arguments(nested, content, f"{where}.dynamic.{name}[{index}]")
    return problems


def _check_argument(name: str, spec: Mapping[str, Any], value: Any, where: str) -> list[str]:
    if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
        return [f"{where}: {name!r} is computed by the provider and cannot be set"]
    if spec.get("is_block"):
        if not is_block_list(value):
            return [f"{where}: {name!r} is a block; write `{name} {{ ... }}`"]
        problems: list[str] = []
        max_items = spec.get("max_items")
        if max_items and len(value) > max_items:
            problems.append(f"{where}: at most {max_items} {name!r} block(s)")
        nested = spec["elem"]["block"]["arguments"]
        for index, item in enumerate(value):
            problems += check_arguments(nested, item, f"{where}.{name}[{index}]")
        return problems
    if is_block_list(value):
        return [f"{where}: {name!r} is an argument, not a block; write `{name} = ...`"]
    allowed = spec.get("allowed_values")
    plain = literal(value)
    if (
        allowed
        and not is_expression(value)
        and isinstance(plain, str | int)
        and plain not in allowed
    ):
        return [f"{where}: {name!r} = {plain!r} is not one of {allowed}"]
    return []


def check_schema(config: Config, schema: Mapping[str, Any]) -> list[str]:
    """Every problem `terraform validate` would report about types and arguments."""
    problems: list[str] = []
    never_released = set(schema.get("not_in_provider", []))
    for block in config.blocks:
        table = schema["resources"] if block.kind == "resource" else schema["data_sources"]
        where = f"{block.file}: {block.address}"
        if block.type in never_released:
            problems.append(f"{where}: {block.type} was never released in the provider")
        elif block.type not in table:
            problems.append(f"{where}: the provider has no {block.kind} type {block.type!r}")
        else:
            problems += check_arguments(table[block.type]["arguments"], block.body, where)
    for name, body in config.providers.items():
        if name != "tencentcloud":
            problems.append(f"provider {name!r}: only tencentcloud is described by the schema")
            continue
        problems += check_arguments(schema["provider"], body, f"provider {name}")
    return problems


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.strip().split("."))


def version_allows(constraint: str, version: str) -> bool:
    """Whether a provider version constraint (``~>``, ``>=``, ``=``, commas) admits ``version``."""
    have = _version(version)
    for clause in constraint.split(","):
        operator, _, wanted = clause.strip().partition(" ")
        want = _version(wanted)
        if operator == "~>":
            upper = (*want[:-2], want[-2] + 1) if len(want) > 1 else (want[0] + 1,)
            if not want <= have < upper:
                return False
        elif operator not in {"~>", ">=", "="}:
            raise ValueError(f"unsupported constraint {clause!r}")
        elif (operator == ">=" and have < want) or (operator == "=" and have != want):
            return False
    return True


# --- evaluating `count` -------------------------------------------------------------------------


class UnsupportedExpression(ValueError):
    """The expression uses more HCL than a count condition should."""


_TOKEN = re.compile(
    r'\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||\{\}|[!<>?:(),]))"
)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise UnsupportedExpression(f"cannot read {text[position:]!r} in {text!r}")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


class Evaluator:
    """Evaluates the small HCL subset used in conditions: literals, var.*, local.*, comparison,
    boolean operators, the conditional operator, length() and floor()."""

    def __init__(self, config: Config, overrides: Mapping[str, Any] | None = None) -> None:
        self.config = config
        self.values = {
            name: literal(body.get("default")) for name, body in config.variables.items()
        }
        self.values.update(overrides or {})
        self._stack: list[str] = []

    def evaluate(self, expression: Any) -> Any:
        if not isinstance(expression, str):
            return expression
        if not is_expression(expression):
            return unquote(expression)
        self._items = _tokens(expression_text(expression))
        self._at = 0
        value = self._conditional()
        if self._at != len(self._items):
            raise UnsupportedExpression(f"unexpected {self._items[self._at]!r} in {expression!r}")
        return value

    def _peek(self) -> str | None:
        return self._items[self._at] if self._at < len(self._items) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise UnsupportedExpression(f"expected {expected!r}, found {token!r}")
        self._at += 1
        return token

    def _conditional(self) -> Any:
        condition = self._binary(0)
        if self._peek() != "?":
            return condition
        self._take("?")
        when_true = self._conditional()
        self._take(":")
        when_false = self._conditional()
        return when_true if condition else when_false

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="))

    def _binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while self._peek() in self._LEVELS[level]:
            operator = self._take()
            right = self._binary(level + 1)
            left = {
                "||": lambda a, b: a or b,
                "&&": lambda a, b: a and b,
                "==": lambda a, b: a == b,
                "!=": lambda a, b: a != b,
                "<": lambda a, b: a < b,
                ">": lambda a, b: a > b,
                "<=": lambda a, b: a <= b,
                ">=": lambda a, b: a >= b,
            }[operator](left, right)
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._primary()

    _FUNCTIONS: ClassVar[dict[str, Callable[[Any], Any]]] = {"length": len, "floor": math.floor}

    def _primary(self) -> Any:
        token = self._take()
        if token == "(":
            value = self._conditional()
            self._take(")")
            return value
        if token[0].isdigit():
            return float(token) if "." in token else int(token)
        if token[0] == '"':
            return token[1:-1]
        if token in {"true", "false"}:
            return token == "true"
        if token == "null":
            return None
        if token == "{}":
            return {}
        if token in self._FUNCTIONS and self._peek() == "(":
            self._take("(")
            argument = self._conditional()
            self._take(")")
            return self._FUNCTIONS[token](argument)
        if token.startswith("var."):
            return self.values[token.removeprefix("var.")]
        if token.startswith("local."):
            return self._local(token.removeprefix("local."))
        raise UnsupportedExpression(f"cannot evaluate {token!r}")

    def _local(self, name: str) -> Any:
        if name in self._stack:
            raise UnsupportedExpression(f"local.{name} refers to itself")
        saved = (self._items, self._at)
        self._stack.append(name)
        try:
            value = self.config.locals[name]
            # A local written as a map or list literal is its own value (for_each reads one).
            return self.evaluate(value) if isinstance(value, str) else literal(value)
        finally:
            self._stack.pop()
            self._items, self._at = saved


def instance_counts(config: Config, overrides: Mapping[str, Any] | None = None) -> dict[str, int]:
    """How many instances of each block Terraform would plan for these variable values."""
    evaluator = Evaluator(config, overrides)
    counts: dict[str, int] = {}
    for block in config.blocks:
        if "for_each" in block.body:
            instances = evaluator.evaluate(block.body["for_each"])
            if not isinstance(instances, dict | list):
                raise UnsupportedExpression(f"{block.address}: for_each is {instances!r}")
            counts[block.address] = len(instances)
            continue
        count = evaluator.evaluate(block.body["count"]) if "count" in block.body else 1
        if isinstance(count, bool) or not isinstance(count, int):
            raise UnsupportedExpression(f"{block.address}: count is {count!r}, not a number")
        counts[block.address] = count
    return counts


_REFERENCE = re.compile(
    r"(?<![\w.])((?:data\.)?tencentcloud_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]*\])?"
)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "depends_on" and not is_parser_key(key):
                yield from _strings(item)


def reference_problems(config: Config, overrides: Mapping[str, Any] | None = None) -> list[str]:
    """References that would fail for these variables: to an instance that is not planned, to a
    counted block without an index, or to a block that does not exist. A splat (``[*]``) is
    always safe."""
    counts = instance_counts(config, overrides)
    counted = {b.address for b in config.blocks if "count" in b.body or "for_each" in b.body}
    sources: list[tuple[str, Any]] = [
        (block.address, block.body) for block in config.blocks if counts[block.address] > 0
    ]
    sources += [(f"output.{name}", body) for name, body in config.outputs.items()]
    sources += [(f"local.{name}", value) for name, value in config.locals.items()]
    problems: list[str] = []
    for source, body in sources:
        for text in _strings(body):
            for target, index in _REFERENCE.findall(text):
                if target not in counts:
                    problems.append(f"{source}: refers to {target}, which is not declared")
                elif target in counted and not index:
                    problems.append(f"{source}: {target} has count; index it or use [*]")
                elif index and index != "[*]":
                    position = index.strip("[]")
                    if not position.isdigit():
                        problems.append(f"{source}: {target}{index} is not a fixed index")
                    elif int(position) >= counts[target]:
                        problems.append(f"{source}: {target}{index} is not planned")
    return problems
