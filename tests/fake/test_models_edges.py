"""The fake's backend as its users see it: the control API's task list and SSM's missing secrets."""

from __future__ import annotations

import pytest
import requests

from autocallout.fake_ccc import CccBackend, FakeCccServer
from autocallout.fake_ccc.exceptions import CccError


def test_the_control_api_lists_every_task_in_order_without_its_callees(
    fake_server: FakeCccServer,
) -> None:
    fake_server.backend.put_task({"SdkAppId": 1400000000, "TaskId": 2, "Callees": None})

    listed = requests.get(f"{fake_server.url}/_fake/tasks", timeout=5).json()

    assert listed == [
        {"SdkAppId": 1400000000, "TaskId": 1, "Name": "foobar", "State": 1, "Callees": 1},
        {"SdkAppId": 1400000000, "TaskId": 2, "Name": None, "State": None, "Callees": 0},
        {"SdkAppId": 1400000000, "TaskId": 3, "Name": "任务1", "State": 1, "Callees": 6},
        {"SdkAppId": 1400000000, "TaskId": 4, "Name": "无截止时间任务", "State": 0, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 5, "Name": "暂停的任务", "State": 5, "Callees": 3},
        {"SdkAppId": 1400000000, "TaskId": 6, "Name": "future-state", "State": 9, "Callees": 2},
        {"SdkAppId": 1400000000, "TaskId": 7, "Name": "大批量外呼", "State": 2, "Callees": 10_000},
        {"SdkAppId": 1400000000, "TaskId": 8, "Name": "sparse", "State": 4, "Callees": 0},
        {
            "SdkAppId": 1400000001,
            "TaskId": 1,
            "Name": "other application",
            "State": 3,
            "Callees": 2,
        },
    ]


@pytest.mark.parametrize(("name", "version"), [("callout-redis", "v2"), ("other", "v1")])
def test_a_secret_version_ssm_does_not_hold_is_resource_not_found(name: str, version: str) -> None:
    backend = CccBackend()
    backend.secrets[("callout-redis", "v1")] = "s3cret"

    with pytest.raises(CccError) as refused:
        backend.secret_value(name, version)

    assert refused.value.code == "ResourceNotFound"
    assert name in refused.value.message  # which secret the function could not read
    assert backend.secret_value("callout-redis", "v1") == "s3cret"
