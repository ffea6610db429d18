"""Tencent's own SDK clients pointed at the local cloud the way the provider is: plain HTTP, the
services' root domain changed to one that never resolves, and the cloud as the HTTP proxy (so a
request that bypassed it could not reach anything)."""

from __future__ import annotations

from typing import Any

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

CLIENTS: dict[str, Any] = {
    "scf": scf_client.ScfClient,
    "cam": cam_client.CamClient,
    "cls": cls_client.ClsClient,
    "monitor": monitor_client.MonitorClient,
    "tag": tag_client.TagClient,
    "ssm": ssm_client.SsmClient,
}


def sdk(cloud: LocalCloud, service: str, secret_key: str | None = None) -> Any:
    profile = ClientProfile(
        httpProfile=HttpProfile(protocol="http", rootDomain=DOMAIN, proxy=cloud.url, reqTimeout=30)
    )
    credential = Credential(LOCAL_CREDENTIALS.secret_id, secret_key or LOCAL_CREDENTIALS.secret_key)
    return CLIENTS[service](credential, "ap-guangzhou", profile)
