"""docs/operations.md, the runbook: every query in it names indexed fields only, it shows the
alarms' own queries, and it has a section for every alarm."""

from __future__ import annotations

import re

import pytest

from tests.infra.cls_query import fields_named, numeric_fields
from tests.infra.log_setup import index_fields, queries
from tests.infra.tf_schema_check import Config
from tests.paths import REPO

RUNBOOK = REPO / "docs" / "operations.md"
NUMBERS = {"long", "double"}
# Fenced blocks marked `cls` hold one query each (indented blocks inside lists included).
_QUERY_BLOCK = re.compile(r"^[ \t]*```cls\n(.*?)^[ \t]*```", re.M | re.S)
ALARM_SECTIONS = (
    "errors",
    "throttles",
    "duration",
    "concurrency",
    "server-errors",
    "throttled",
    "misconfigured",
    "watch-undelivered",
)


def runbook_queries(text: str) -> list[str]:
    return [" ".join(block.split()) for block in _QUERY_BLOCK.findall(text)]


def runbook() -> str:
    return RUNBOOK.read_text(encoding="utf-8")


def test_the_runbook_has_queries() -> None:
    assert len(runbook_queries(runbook())) >= 10


@pytest.mark.parametrize("query", runbook_queries(runbook()))
def test_every_runbook_query_names_indexed_fields_only(infra: Config, query: str) -> None:
    # Given one query of the runbook
    named = fields_named(query)
    # Then it names at least one field, and every field it names is indexed
    assert named, query
    assert named <= set(index_fields(infra)), named - set(index_fields(infra))


def test_a_query_on_an_unindexed_field_is_caught(infra: Config) -> None:
    # The check itself: a field the index lacks (and a misspelt one) is reported.
    named = fields_named("requestid:\"x\" | select count(*) as n where caller_ip = '1'")
    assert named - set(index_fields(infra)) == {"requestid", "caller_ip"}


@pytest.mark.parametrize("query", runbook_queries(runbook()))
def test_every_runbook_query_uses_numbers_only_on_numeric_fields(infra: Config, query: str) -> None:
    # A range (status:>=500) or a sum on a text field finds nothing or fails in CLS.
    types = index_fields(infra)
    not_numbers = {f: types.get(f) for f in numeric_fields(query) if types.get(f) not in NUMBERS}
    assert not_numbers == {}


def test_a_number_used_on_a_text_field_is_caught() -> None:
    # The check itself: each way a query can use a field as a number is recognised.
    query = "SCF_StatusCode:>200 | select avg(latency_ms) as a where status >= 500 and level = 'x'"
    assert numeric_fields(query) == {"SCF_StatusCode", "latency_ms", "status"}


@pytest.mark.parametrize("name", ["server_errors", "throttled", "misconfigured"])
def test_the_runbook_shows_each_log_alarms_own_query(infra: Config, name: str) -> None:
    assert queries(infra)[name] in runbook_queries(runbook())


@pytest.mark.parametrize("section", ALARM_SECTIONS)
def test_each_alarm_has_a_section(section: str) -> None:
    assert re.search(rf"^### {re.escape(section)}$", runbook(), re.M)


def test_each_alarm_message_links_to_an_existing_section(infra: Config) -> None:
    assert infra.block("tencentcloud_cls_alarm.log").body["message_template"] == (
        "${each.value.message}"
    )
    messages = [alarm["message"] for alarm in infra.locals["log_alarms"].values()]
    messages.append(
        infra.block("tencentcloud_cls_alarm.watch_undelivered").body["message_template"]
    )
    anchors = {
        match for message in messages for match in re.findall(r"operations\.md#([a-z-]+)", message)
    }
    assert anchors == {"server-errors", "throttled", "misconfigured", "watch-undelivered"}
    assert anchors <= set(ALARM_SECTIONS)
