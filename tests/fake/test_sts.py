"""STS AssumeRole on the fake: temporary credentials that CCC then accepts, until they expire."""

from __future__ import annotations

import json

import pytest
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, FakeCredentials
from tests.fake.modes import Fake
from tests.seeded import ROLE, TASK


def _sts(fake: Fake) -> CommonClient:
    profile = ClientProfile(
        httpProfile=HttpProfile(
            endpoint=fake.endpoint, protocol="http" if fake.endpoint else "https"
        )
    )
    creds = DEFAULT_CREDENTIALS
    return CommonClient(
        "sts",
        "2018-08-13",
        Credential(creds.secret_id, creds.secret_key, creds.token),
        "ap-guangzhou",
        profile,
    )


def _assume(fake: Fake) -> dict[str, object]:
    answer = _sts(fake).call_json(
        "AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "test", "DurationSeconds": 900}
    )
    response: dict[str, object] = answer["Response"]
    return response


def test_assumed_role_credentials_read_ccc(fake: Fake) -> None:
    fake.backend.roles.add(ROLE)
    response = _assume(fake)
    issued = response["Credentials"]
    assert isinstance(issued, dict)

    temporary = FakeCredentials(issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"])
    body = json.loads(fake.client(credentials=temporary).call("DescribeAutoCalloutTask", TASK))

    assert body["Response"]["Name"] == "任务1"
    assert isinstance(response["ExpiredTime"], int)


def test_expired_role_credentials_are_a_token_failure(fake: Fake) -> None:
    fake.backend.roles.add(ROLE)
    issued = _assume(fake)["Credentials"]
    assert isinstance(issued, dict)
    fake.backend.credentials[issued["TmpSecretId"]] = FakeCredentials(
        issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"], expires_at=0
    )
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client(
            credentials=FakeCredentials(
                issued["TmpSecretId"], issued["TmpSecretKey"], issued["Token"]
            )
        ).call("DescribeAutoCalloutTask", TASK)
    assert caught.value.code == "AuthFailure.TokenFailure"


def test_an_unknown_role_cannot_be_assumed(fake: Fake) -> None:
    with pytest.raises(TencentCloudSDKException) as caught:
        _assume(fake)
    assert caught.value.code == "ResourceNotFound.RoleNotExist"


def test_a_fault_for_one_action_leaves_the_others_alone(fake: Fake) -> None:
    fake.backend.roles.add(ROLE)
    fake.backend.faults.throttle(times=None, action="DescribeAutoCalloutTask")

    assert _assume(fake)["Credentials"]
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client().call("DescribeAutoCalloutTask", TASK)
    assert caught.value.code == "RequestLimitExceeded"
