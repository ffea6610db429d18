"""Reading CLS search-and-analysis statements (``search condition | SQL``, CLS document 614/37803)
well enough to list the log fields they name, so that tests can hold every query against the
index. Not a full parser: it knows field:value conditions, SQL identifiers, functions, string
literals and AS aliases, and refuses what it does not know rather than guess."""

from __future__ import annotations

import re

# SQL words the queries in this project use; an identifier outside this list (and not a
# function or an alias) is taken as a field name.
SQL_WORDS = frozenset(
    [
        "select",
        "as",
        "from",
        "where",
        "and",
        "or",
        "not",
        "in",
        "is",
        "null",
        "like",
        "between",
        "case",
        "when",
        "then",
        "else",
        "end",
        "group",
        "by",
        "order",
        "asc",
        "desc",
        "limit",
        "having",
        "distinct",
        "true",
        "false",
    ]
)
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'")
_CONDITION_FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*:")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def split(statement: str) -> tuple[str, str]:
    """The search condition and the SQL (empty when there is none)."""
    condition, _, sql = _DOUBLE_QUOTED.sub('""', statement).partition("|")
    return condition.strip(), sql.strip()


def condition_fields(condition: str) -> set[str]:
    """Fields named as ``field:value`` in a search condition."""
    return set(_CONDITION_FIELD.findall(_DOUBLE_QUOTED.sub('""', condition)))


def sql_aliases(sql: str) -> set[str]:
    return {m.lower() for m in re.findall(r"\bas\s+([A-Za-z_][A-Za-z0-9_]*)", sql, re.I)}


def sql_fields(sql: str) -> set[str]:
    """Identifiers of the SQL that are neither SQL words, functions nor aliases."""
    text = _SINGLE_QUOTED.sub("''", _DOUBLE_QUOTED.sub('""', sql))
    aliases = sql_aliases(text)
    fields: set[str] = set()
    for match in _IDENTIFIER.finditer(text):
        word = match.group()
        after = text[match.end() :].lstrip()
        if word.lower() in SQL_WORDS or word.lower() in aliases or after.startswith("("):
            continue
        fields.add(word)
    return fields


def fields_named(statement: str) -> set[str]:
    """Every log field a statement names, in its condition and its SQL."""
    condition, sql = split(statement)
    return condition_fields(condition) | sql_fields(sql)


def condition_variables(trigger_condition: str) -> set[str]:
    """``$N.name`` references of an alarm trigger condition (CLS document 614/39576)."""
    return set(re.findall(r"\$\d+\.([A-Za-z_][A-Za-z0-9_]*)", trigger_condition))


# A range condition (``status:>=500``), an SQL comparison with a number (``status >= 500``) or an
# aggregate only numbers have (``avg(latency_ms)``): each needs a long or double field.
_RANGE_CONDITION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*:\s*[<>]")
_NUMBER_COMPARISON = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:>=|<=|<>|!=|>|<|=)\s*-?\d")
_NUMBER_AGGREGATE = re.compile(r"\b(?:avg|sum)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.I)


def numeric_fields(statement: str) -> set[str]:
    """Fields a statement uses as numbers: they must be indexed as long or double."""
    condition, sql = split(statement)
    sql = _SINGLE_QUOTED.sub("''", sql)
    used = set(_RANGE_CONDITION.findall(condition)) | set(_NUMBER_AGGREGATE.findall(sql))
    return used | (set(_NUMBER_COMPARISON.findall(sql)) - sql_aliases(sql) - SQL_WORDS)
