"""STS AssumeRole on the fake: fresh temporary credentials that CCC then accepts until they
expire (stated in UTC both ways), and a role it does not know refused by name."""

from __future__ import annotations

import json
import re

import pytest
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, CccError, FakeCredentials
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


def test_sts_issues_fresh_temporary_credentials_that_expire() -> None:
    backend = CccBackend(clock=lambda: 1_700_000_000.0)
    backend.roles.add("qcs::cam::uin/1:roleName/r")

    issued, expires_at = backend.assume_role("qcs::cam::uin/1:roleName/r", 900)
    again, _ = backend.assume_role("qcs::cam::uin/1:roleName/r", 900)

    assert re.fullmatch(r"AKIDFAKESTS[0-9A-F]{20}", issued.secret_id)
    assert re.fullmatch(r"[0-9a-f]{32}", issued.secret_key)
    assert re.fullmatch(r"[0-9a-f]{48}", issued.token or "")
    assert expires_at == issued.expires_at == 1_700_000_900.0
    assert backend.lookup_credentials(issued.secret_id) == issued
    assert again.secret_id != issued.secret_id


def test_sts_refuses_a_role_it_does_not_know_naming_it() -> None:
    with pytest.raises(CccError) as refused:
        CccBackend().assume_role("qcs::cam::uin/1:roleName/nobody", 900)
    assert refused.value.code == "ResourceNotFound.RoleNotExist"
    assert "qcs::cam::uin/1:roleName/nobody" in refused.value.message


def test_sts_states_the_expiry_in_utc_both_ways(fake: Fake) -> None:
    fake.backend.roles.add("qcs::cam::uin/1:roleName/r")
    fake.backend.clock = lambda: 1_700_000_000.0
    fake.backend.max_clock_skew = 10**10
    creds = DEFAULT_CREDENTIALS
    profile = ClientProfile(
        httpProfile=HttpProfile(
            endpoint=fake.endpoint, protocol="http" if fake.endpoint else "https"
        )
    )
    client = CommonClient(
        "sts", "2018-08-13", Credential(creds.secret_id, creds.secret_key, creds.token), "", profile
    )
    answer = client.call_json(
        "AssumeRole", {"RoleArn": "qcs::cam::uin/1:roleName/r", "RoleSessionName": "t"}
    )["Response"]
    assert answer["ExpiredTime"] == 1_700_007_200
    assert answer["Expiration"] == "2023-11-15T00:13:20Z"
