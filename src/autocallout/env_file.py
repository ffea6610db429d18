"""``--env-file``: the function's configuration for a local run, as ``NAME=value`` lines.

The format docker and systemd read, written by ``terraform output -raw local_env`` (the deployed
configuration) and by ``autocallout fake-ccc --env-file`` (a running fake and its credentials):
one ``NAME=value`` a line, ``#`` comments and blank lines skipped, values taken literally (no
expansion; a value in quotes is refused, as docker and systemd read it differently). Only
names the function reads are accepted, so that a typo is an error rather than
a setting silently not applied.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

from autocallout.local_target import CREDENTIAL_VARIABLES

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COLOUR = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# How Terraform frames a diagnostic (a warning or an error) when coloured; with -no-color it
# writes the headline alone, on the first line that is not blank.
_TERRAFORM_FRAME = ("\u2577", "\u2502", "\u2575")  # ╷ │ ╵
_TERRAFORM_HEADLINE = re.compile(r"(Warning|Error): +(.+)")
APPLY_FIRST = (
    "infra/ has no outputs yet. Apply it first (terraform -chdir=infra apply), then write the "
    "file again (terraform -chdir=infra output -raw local_env > FILE)"
)


def known_names() -> tuple[str, ...]:
    """The function's settings and the credential variables it reads."""
    from callout_task.config import ENVIRONMENT_VARIABLES

    return (*ENVIRONMENT_VARIABLES, *(name for names in CREDENTIAL_VARIABLES for name in names))


def terraform_diagnostic(text: str) -> str | None:
    """The headline of the Terraform warning or error that ``text`` is, if it is one (what
    ``terraform output -raw local_env > FILE`` writes into FILE before anything is applied)."""
    lines = [line.strip() for line in _COLOUR.sub("", text).splitlines() if line.strip()]
    if not lines:
        return None
    if not lines[0].startswith(_TERRAFORM_FRAME):
        plain = _TERRAFORM_HEADLINE.fullmatch(lines[0])
        return f"{plain[1]}: {plain[2].strip()}" if plain else None
    headlines = (_TERRAFORM_HEADLINE.search(line) for line in lines)
    found = next((match for match in headlines if match), None)
    return f"{found[1]}: {found[2].strip()}" if found else "a Terraform message"


def parse(text: str, known: Collection[str]) -> dict[str, str]:
    """``NAME=value`` lines into a dict; ValueError naming the line that is wrong."""
    diagnostic = terraform_diagnostic(text)
    if diagnostic == "Warning: No outputs found":
        raise ValueError(f'Terraform wrote its warning "No outputs found" here: {APPLY_FIRST}')
    if diagnostic is not None:
        raise ValueError(f'Terraform wrote its "{diagnostic}" here, not NAME=value lines')
    if not text.strip():
        raise ValueError(
            "the file is empty (when terraform output fails, it writes its error on the terminal "
            "and nothing into the file)"
        )
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, equals, value = stripped.removeprefix("export ").partition("=")
        name = name.strip()
        if not equals or not _NAME.fullmatch(name):
            raise ValueError(f"line {number}: expected NAME=value, got {stripped[:40]!r}")
        if name not in known:
            from callout_task.config import closest_variable

            meant = closest_variable(name)
            hint = f" (did you mean {meant}?)" if meant else ""
            raise ValueError(f"line {number}: {name} is not a variable the function reads{hint}")
        if name in values:
            raise ValueError(f"line {number}: {name} is set twice")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            # systemd strips such quotes and docker keeps them: refuse rather than guess
            raise ValueError(f"line {number}: {name} is quoted: values are taken literally")
        values[name] = value
    return values


def read(path: str) -> dict[str, str]:
    """The env file at ``path``; ValueError with a message that does not repeat the path."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a Windows editor's BOM is no name
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except OSError as error:
        raise ValueError(error.strerror or str(error)) from None
    return parse(text, known_names())


def render(values: Mapping[str, str], comment: str) -> str:
    """An env file that ``read`` takes back: a comment line, then ``NAME=value`` lines."""
    return f"# {comment}\n" + "".join(f"{name}={value}\n" for name, value in values.items())
