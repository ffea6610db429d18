"""Every error the fake knows surfaces through the real SDK as the right exception code; a request
signed by hand (an independent TC3 implementation below) with a credential scope for another day
than its timestamp's UTC day is refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from autocallout.fake_ccc import (
    DEFAULT_CREDENTIALS,
    FakeCccServer,
    FakeCredentials,
    mock_ccc,
)
from tests.fake.modes import Fake
from tests.sdk_clients import sdk_client
from tests.seeded import TASK


def _signed_headers(host: str, body: bytes, timestamp: int, scope_date: str) -> dict[str, str]:
    """TC3-HMAC-SHA256 headers written here from Tencent's description, independently of the
    fake's own signer, with the credential scope's date given rather than derived."""

    def hmac_sha256(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    content_type = "application/json"
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{scope_date}/ccc/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = hmac_sha256(("TC3" + DEFAULT_CREDENTIALS.secret_key).encode(), scope_date)
    key = hmac_sha256(hmac_sha256(key, "ccc"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Authorization": (
            f"TC3-HMAC-SHA256 Credential={DEFAULT_CREDENTIALS.secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}"
        ),
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": "DescribeAutoCalloutTask",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": "2020-02-10",
        "X-TC-Token": DEFAULT_CREDENTIALS.token or "",
    }


def _code(
    fake: Fake,
    params: dict[str, object] | None = None,
    action: str = "DescribeAutoCalloutTask",
    **client_options: object,
) -> str:
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client(**client_options).call(action, TASK if params is None else params)
    return str(caught.value.code)


def test_unknown_task_is_resource_not_found(fake: Fake) -> None:
    assert _code(fake, {"SdkAppId": 1400000000, "TaskId": 999}) == "ResourceNotFound"


def test_unknown_application_is_resource_not_found(fake: Fake) -> None:
    assert _code(fake, {"SdkAppId": 1400009999, "TaskId": 3}) == "ResourceNotFound"


def test_unknown_action_is_invalid_action(fake: Fake) -> None:
    assert _code(fake, action="DescribeNothing") == "InvalidAction"


@pytest.mark.parametrize("missing", ["SdkAppId", "TaskId"])
def test_missing_parameter_is_missing_parameter(fake: Fake, missing: str) -> None:
    params = {name: value for name, value in TASK.items() if name != missing}
    assert _code(fake, params) == "MissingParameter"


@pytest.mark.parametrize("value", ["3", 3.5, True, -3, 0, None, [3]])
def test_ill_typed_parameter_is_invalid_parameter_value(fake: Fake, value: object) -> None:
    assert _code(fake, {"SdkAppId": 1400000000, "TaskId": value}) == "InvalidParameterValue"


def test_extra_parameter_is_unknown_parameter(fake: Fake) -> None:
    assert _code(fake, {**TASK, "Limit": 10}) == "UnknownParameter"


def test_a_wrong_secret_key_is_a_signature_failure(fake: Fake) -> None:
    wrong = FakeCredentials(DEFAULT_CREDENTIALS.secret_id, "not-the-key", DEFAULT_CREDENTIALS.token)
    assert _code(fake, credentials=wrong) == "AuthFailure.SignatureFailure"


def test_an_unknown_secret_id_is_secret_id_not_found(fake: Fake) -> None:
    stranger = FakeCredentials(
        "AKIDNOBODY", DEFAULT_CREDENTIALS.secret_key, DEFAULT_CREDENTIALS.token
    )
    assert _code(fake, credentials=stranger) == "AuthFailure.SecretIdNotFound"


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_clock_off_by_more_than_five_minutes_is_signature_expire(fake: Fake, skew: int) -> None:
    fake.backend.clock = lambda: time.time() + skew
    assert _code(fake) == "AuthFailure.SignatureExpire"


def test_a_clock_off_by_less_than_five_minutes_is_accepted(fake: Fake) -> None:
    fake.backend.clock = lambda: time.time() + 290
    assert fake.client().call("DescribeAutoCalloutTask", TASK)


@pytest.mark.parametrize("token", [None, "stolen-or-stale-token"])
def test_temporary_credentials_need_their_own_token(fake: Fake, token: str | None) -> None:
    assert _code(fake, token=token) == "AuthFailure.TokenFailure"


def test_a_permanent_key_needs_no_token(fake: Fake) -> None:
    permanent = fake.backend.add_credentials(FakeCredentials("AKIDPERMANENT", "permanent-key"))
    assert fake.client(credentials=permanent).call("DescribeAutoCalloutTask", TASK)


def test_a_request_whose_body_was_altered_after_signing_is_refused() -> None:
    with mock_ccc() as backend:
        client = _tampering_client()
        with pytest.raises(TencentCloudSDKException) as caught:
            client.call("DescribeAutoCalloutTask", TASK)
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert backend.calls[-1].error_code == "AuthFailure.SignatureFailure"


def _tampering_client():  # type: ignore[no-untyped-def]

    client = sdk_client()
    send = client.request.send_request

    def tamper(request):  # type: ignore[no-untyped-def]
        request.data = request.data.replace('"TaskId": 3', '"TaskId": 4')
        return send(request)

    client.request.send_request = tamper
    return client


def test_an_unsigned_request_is_invalid_authorization() -> None:
    with mock_ccc():
        answer = requests.post(
            "https://ccc.tencentcloudapi.com/",
            json=TASK,
            headers={"X-TC-Action": "DescribeAutoCalloutTask", "X-TC-Version": "2020-02-10"},
            timeout=5,
        )
    error = answer.json()["Response"]["Error"]
    assert answer.status_code == 200
    assert error["Code"] == "AuthFailure.InvalidAuthorization"
    assert answer.json()["Response"]["RequestId"]


def test_a_wrong_api_version_is_refused(fake: Fake) -> None:
    client = fake.client()
    client._apiVersion = "2017-03-12"
    with pytest.raises(TencentCloudSDKException) as caught:
        client.call("DescribeAutoCalloutTask", TASK)
    assert caught.value.code == "NoSuchVersion"


def test_traffic_to_other_hosts_fails_loudly_under_the_mock() -> None:
    with mock_ccc(), pytest.raises(requests.ConnectionError):
        requests.get("https://cvm.tencentcloudapi.com/", timeout=5)


def test_loopback_traffic_through_requests_is_left_alone_under_the_mock() -> None:
    # As for http.client: a test's own server on this machine is reached as usual. Refused, a
    # mock some earlier test forgot to stop failed every later test that used requests on
    # loopback, far from the test at fault.
    with FakeCccServer() as url, mock_ccc() as backend:
        answer = requests.get(f"{url}/_fake/health", timeout=5)

    assert answer.json()["ok"] is True
    assert backend.calls == []


@pytest.mark.parametrize(
    ("days_off", "expected"), [(0, None), (-1, "AuthFailure.SignatureFailure")]
)
def test_the_credential_scope_must_name_the_timestamps_utc_day(
    fake: Fake, days_off: int, expected: str | None
) -> None:
    # Signed consistently either way: only the scope's date differs from the timestamp's day.
    timestamp = int(time.time())
    day = datetime.fromtimestamp(timestamp, tz=timezone.utc) + timedelta(days=days_off)
    host = fake.endpoint or "ccc.tencentcloudapi.com"
    body = json.dumps(TASK).encode()
    headers = _signed_headers(host, body, timestamp, day.strftime("%Y-%m-%d"))
    scheme = "http" if fake.endpoint else "https"

    answer = requests.post(f"{scheme}://{host}/", data=body, headers=headers, timeout=5).json()

    error = answer["Response"].get("Error")
    assert (error["Code"] if error else None) == expected
    if expected is None:
        assert answer["Response"]["Name"] == "任务1"
