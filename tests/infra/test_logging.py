"""The function's log topic: CLS may split it, so the module never fixes its partition count, and
it is guarded against deletion unless deletion_protection is lifted."""

from __future__ import annotations

import pytest

from tests.infra.tf_schema_check import Config, instance_counts, literal

TOPICS = ("tencentcloud_cls_topic.protected", "tencentcloud_cls_topic.unprotected")


@pytest.mark.parametrize("address", TOPICS)
def test_the_topic_leaves_its_partition_count_to_cls(infra: Config, address: str) -> None:
    # Given the topic, which splits itself when busy (auto_split; CLS document 614/39587)
    body = infra.block(address).body
    # Then it sets no partition_count: the provider reads the real count back after a split and
    # refuses to change it, so a fixed count would stop every later apply
    assert "partition_count" not in body
    assert body["auto_split"] == "${local.log_topic.auto_split}"
    assert literal(infra.locals["log_topic"]["auto_split"]) is True


def test_the_protected_topic_refuses_destroy_and_the_other_does_not(infra: Config) -> None:
    [protected] = infra.block(TOPICS[0]).body["lifecycle"]
    assert protected["prevent_destroy"] is True
    assert "lifecycle" not in infra.block(TOPICS[1]).body
    on = instance_counts(infra)
    off = instance_counts(infra, {"deletion_protection": False})
    assert (on[TOPICS[0]], on[TOPICS[1]]) == (1, 0)
    assert (off[TOPICS[0]], off[TOPICS[1]]) == (0, 1)


def test_an_existing_topic_replaces_both(infra: Config) -> None:
    counts = instance_counts(infra, {"log_topic": {"logset_id": "l", "topic_id": "t"}})
    assert counts[TOPICS[0]] == counts[TOPICS[1]] == counts["tencentcloud_cls_logset.this"] == 0
