"""The Cloud API 3.0 wire: routing by host, TC3 signatures, versions, actions, and the envelope
(always HTTP 200 — any other status makes the provider retry for minutes)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.scf.v20180416 import models as scf_models

from autocallout.local_cloud import LOCAL_CREDENTIALS, LocalCloud
from tests.cloud.clients import sdk
from tests.cloud.signed_requests import post


def _error(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200
    envelope = answer.json()["Response"]
    assert envelope["RequestId"]
    error: dict[str, Any] = envelope["Error"]
    return error


def test_a_signed_request_through_the_proxy_is_answered_in_the_envelope(cloud: LocalCloud) -> None:
    answer = post(cloud.url, "cam", "GetUserAppId", version="2019-01-16")

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    response = answer.json()["Response"]
    assert response["Uin"] == cloud.backend.account.uin
    assert response["RequestId"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret_key": "wrong-key"}, "AuthFailure.SignatureFailure"),
        ({"secret_id": "AKIDunknown"}, "AuthFailure.SecretIdNotFound"),
        ({"timestamp": int(time.time()) - 3600}, "AuthFailure.SignatureExpire"),
        ({"scope": "cam"}, "AuthFailure.SignatureFailure"),
        ({"version": "2099-01-01"}, "NoSuchVersion"),
        ({"method": "GET"}, "InvalidParameter"),
    ],
)
def test_refusals_are_errors_in_the_envelope_never_other_statuses(
    cloud: LocalCloud, change: dict[str, Any], code: str
) -> None:
    assert _error(post(cloud.url, "scf", "ListFunctions", **change))["Code"] == code


_ID = LOCAL_CREDENTIALS.secret_id


@pytest.mark.parametrize(
    ("change", "code"),
    [
        # signed with the right key: only the SecretId's lookup can refuse them
        *(
            ({"secret_id": near}, "AuthFailure.SecretIdNotFound")
            for near in (_ID + "x", _ID[:-1], "x" + _ID, _ID.upper(), _ID.lower())
            if near != _ID
        ),
        # a scope that resembles the host's service
        *(({"scope": near}, "AuthFailure.SignatureFailure") for near in ("scfx", "sc", "xscf")),
    ],
)
def test_a_secret_id_or_scope_that_only_resembles_a_known_one_is_refused(
    cloud: LocalCloud, change: dict[str, Any], code: str
) -> None:
    assert _error(post(cloud.url, "scf", "ListFunctions", **change))["Code"] == code


def test_an_unknown_action_and_a_bad_body_are_named(cloud: LocalCloud) -> None:
    assert _error(post(cloud.url, "scf", "CreateCluster"))["Code"] == "InvalidAction"
    assert _error(post(cloud.url, "scf", "ListFunctions", b"[1, 2]"))["Message"] == (
        "The request body must be a JSON object."
    )
    assert _error(post(cloud.url, "scf", "ListFunctions", b"{nope"))["Code"] == "InvalidParameter"


def test_a_service_the_cloud_does_not_emulate_is_refused_not_forwarded(cloud: LocalCloud) -> None:
    error = _error(post(cloud.url, "cvm", "DescribeInstances", version="2017-03-12"))
    assert error["Code"] == "InvalidAction"
    assert "cvm" in error["Message"]


def test_the_sdk_sees_a_wrong_key_as_a_signature_failure(cloud: LocalCloud) -> None:
    client = sdk(cloud, "scf", secret_key="not-the-key")
    with pytest.raises(TencentCloudSDKException) as raised:
        client.ListFunctions(scf_models.ListFunctionsRequest())
    assert raised.value.get_code() == "AuthFailure.SignatureFailure"


def test_a_client_pointed_straight_at_the_address_is_routed_by_its_scope(cloud: LocalCloud) -> None:
    """No proxy: the Host is the server's own; the credential scope names the service."""
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tag.v20180813 import models as tag_models
    from tencentcloud.tag.v20180813.tag_client import TagClient

    endpoint = cloud.url.removeprefix("http://")
    client = TagClient(
        Credential(LOCAL_CREDENTIALS.secret_id, LOCAL_CREDENTIALS.secret_key),
        "ap-guangzhou",
        ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint)),
    )
    request = tag_models.DescribeResourceTagsByResourceIdsRequest()
    request.from_json_string(
        json.dumps(
            {
                "ServiceType": "scf",
                "ResourcePrefix": "namespace",
                "ResourceIds": ["default/function/x"],
            }
        )
    )
    assert client.DescribeResourceTagsByResourceIds(request).TotalCount == 0


def test_every_call_is_recorded_with_its_outcome(cloud: LocalCloud) -> None:
    post(cloud.url, "scf", "ListFunctions")
    post(cloud.url, "scf", "GetFunction", b'{"FunctionName": "gone"}')

    calls = requests.get(f"{cloud.url}/_cloud/calls", timeout=10).json()

    assert [(c["service"], c["action"], c["error_code"]) for c in calls] == [
        ("scf", "ListFunctions", None),
        ("scf", "GetFunction", "ResourceNotFound.Function"),
    ]
