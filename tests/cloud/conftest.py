"""A local cloud on a free loopback port, and Tencent's own SDK clients pointed at it the way the
provider is: plain HTTP, the services' root domain changed to one that never resolves, and the
cloud as the HTTP proxy (so a request that bypassed it could not reach anything)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tencentcloud.cam.v20190116 import cam_client
from tencentcloud.cls.v20201016 import cls_client
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.monitor.v20180724 import monitor_client
from tencentcloud.scf.v20180416 import scf_client
from tencentcloud.ssm.v20190923 import ssm_client
from tencentcloud.tag.v20180813 import tag_client

from autocallout.local_cloud import DOMAIN, LOCAL_CREDENTIALS, LocalCloud
from tests.cloud import sdk_types

CLIENTS: dict[str, Any] = {
    "scf": scf_client.ScfClient,
    "cam": cam_client.CamClient,
    "cls": cls_client.ClsClient,
    "monitor": monitor_client.MonitorClient,
    "tag": tag_client.TagClient,
    "ssm": ssm_client.SsmClient,
}


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(timers=False) as started:
        yield started


def sdk(cloud: LocalCloud, service: str, secret_key: str | None = None) -> Any:
    profile = ClientProfile(
        httpProfile=HttpProfile(protocol="http", rootDomain=DOMAIN, proxy=cloud.url, reqTimeout=30)
    )
    credential = Credential(LOCAL_CREDENTIALS.secret_id, secret_key or LOCAL_CREDENTIALS.secret_key)
    return CLIENTS[service](credential, "ap-guangzhou", profile)


@pytest.fixture
def call(cloud: LocalCloud) -> Callable[..., dict[str, Any]]:
    """``call("scf", "GetFunction", FunctionName=...)``: the answer's Response as a dict, the way
    the service's SDK client's action method gets it (the request built from its model, the
    answer deserialised into its model), after checking every field of the raw answer against
    the type the SDK declares for it (sdk_types)."""

    def calling(service: str, action: str, **params: Any) -> dict[str, Any]:
        client = sdk(cloud, service)
        models = importlib.import_module(type(client).__module__.rsplit(".", 1)[0] + ".models")
        request = getattr(models, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        raw = client.call_json(action, json.loads(request.to_json_string()))["Response"]
        wrong = sdk_types.problems(models, f"{action}Response", raw)
        assert not wrong, f"{service} {action} answered fields of the wrong type: {wrong}"
        response = getattr(models, f"{action}Response")()
        response._deserialize(raw)
        answer: dict[str, Any] = json.loads(response.to_json_string())
        return answer

    return calling
