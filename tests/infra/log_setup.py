"""What infra/ declares for the function's logs, read from the module: the CLS index's fields
and their types, and the log alarms' queries."""

from __future__ import annotations

import json

from tests.infra.tf_schema_check import Config, literal


def index_fields(infra: Config) -> dict[str, str]:
    """Field -> CLS type, as the index's dynamic block generates them."""
    function = literal(infra.locals["function_log_fields"])
    platform = literal(infra.locals["platform_log_fields"])
    assert infra.locals["log_index_fields"] == (
        "${merge(local.platform_log_fields, local.function_log_fields)}"
    )
    return {**platform, **function}


def hcl_string(value: str) -> str:
    """A quoted HCL string literal as text (its escapes are JSON's)."""
    text: str = json.loads(value)
    return text


def queries(infra: Config) -> dict[str, str]:
    return {name: hcl_string(q) for name, q in infra.locals["log_alarm_queries"].items()}
