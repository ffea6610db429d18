"""The real SDK client reads tasks from the fake, signed and verified, in both modes."""

from __future__ import annotations

import json
import time

import pytest
import requests
from tencentcloud.ccc.v20200210 import models

from autocallout.fake_ccc import (
    DEFAULT_CREDENTIALS,
    FakeCccServer,
    active_backend,
    mock_ccc,
)
from tests.fake.modes import Fake
from tests.sdk_clients import sdk_client
from tests.seeded import TASK


def _request(sdk_app_id: int, task_id: int) -> models.DescribeAutoCalloutTaskRequest:
    request = models.DescribeAutoCalloutTaskRequest()
    request.SdkAppId = sdk_app_id
    request.TaskId = task_id
    return request


def test_typed_call_returns_the_documented_example_task(fake: Fake) -> None:
    response = fake.client().DescribeAutoCalloutTask(_request(1400000000, 1))

    assert (response.Name, response.State, response.IvrId) == ("foobar", 1, 1)
    assert (response.NotBefore, response.NotAfter) == (1729905740, 1729905750)
    assert response.Callers == ["008610086"]
    assert [(c.Callee, c.State, c.Sessions) for c in response.Callees] == [
        ("foobar", 1, ["foobar"])
    ]
    assert response.RequestId


def test_raw_call_returns_tencents_envelope_with_a_request_id(fake: Fake) -> None:
    body = json.loads(
        fake.client().call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3})
    )

    assert set(body) == {"Response"}
    assert body["Response"]["Name"] == "任务1"
    assert body["Response"]["MaxRingTimeoutSecond"] == 30
    assert len(body["Response"]["RequestId"]) == 36


def test_null_and_unknown_fields_are_answered_as_seeded(fake: Fake) -> None:
    client = fake.client()
    no_end = json.loads(
        client.call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 4})
    )
    future = json.loads(
        client.call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 6})
    )

    assert no_end["Response"]["NotAfter"] is None
    assert future["Response"]["State"] == 9
    assert future["Response"]["FutureField"] == {"added": "by a newer API version"}


def test_a_ten_thousand_callee_task_comes_back_whole(fake: Fake) -> None:
    response = fake.client().DescribeAutoCalloutTask(_request(1400000000, 7))

    assert len(response.Callees) == 10_000
    assert response.Callees[-1].Callee == "13800139999"


def test_every_call_is_logged_with_the_signer_and_outcome(fake: Fake) -> None:
    client = fake.client()
    client.call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3})

    [call] = fake.backend.calls_to("DescribeAutoCalloutTask")
    assert call.params == {"SdkAppId": 1400000000, "TaskId": 3}
    assert call.secret_id == "AKIDLOCALFAKECCC0000000000000000"
    assert call.error_code is None


def test_the_regional_endpoint_is_served_too() -> None:
    with mock_ccc() as backend:
        client = sdk_client("ccc.ap-shanghai.tencentcloudapi.com")
        client.profile.httpProfile.scheme = "https"
        body = json.loads(
            client.call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3})
        )

    assert body["Response"]["Name"] == "任务1"
    assert len(backend.calls) == 1


@mock_ccc()
def _read_task_under_the_decorator() -> tuple[str, int]:
    body = json.loads(
        sdk_client().call("DescribeAutoCalloutTask", {"SdkAppId": 1400000000, "TaskId": 3})
    )
    return body["Response"]["Name"], len(active_backend().calls)


def test_the_decorator_gives_each_call_a_fresh_backend() -> None:
    assert _read_task_under_the_decorator() == ("任务1", 1)
    assert _read_task_under_the_decorator() == ("任务1", 1)  # the first call's log is gone


def test_no_backend_is_active_outside_the_mock() -> None:
    with pytest.raises(RuntimeError, match="no mock_ccc is active"):
        active_backend()


def test_the_call_log_lists_every_field_of_a_call(fake_server: FakeCccServer) -> None:
    sdk_client(fake_server.endpoint).call("DescribeAutoCalloutTask", TASK)
    [call] = requests.get(f"{fake_server.url}/_fake/calls", timeout=5).json()
    assert set(call) == {"action", "params", "secret_id", "error_code", "request_id", "at"}
    assert call["action"] == "DescribeAutoCalloutTask"
    assert call["params"] == TASK
    assert call["secret_id"] == DEFAULT_CREDENTIALS.secret_id
    assert call["error_code"] is None
    assert call["at"] == pytest.approx(time.time(), abs=60)
    assert len(call["request_id"]) == 36
