"""Tencent's real CccClient, pointed at the fake CCC (in process or over loopback HTTP)."""

from __future__ import annotations

from types import EllipsisType

from tencentcloud.ccc.v20200210.ccc_client import CccClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

from autocallout.fake_ccc import DEFAULT_CREDENTIALS, FakeCredentials


def sdk_client(
    endpoint: str | None = None,
    credentials: FakeCredentials | None = None,
    token: str | EllipsisType | None = ...,
    timeout: int = 10,
) -> CccClient:
    """A real CccClient: HTTPS to the public host (for mock_ccc) or plain HTTP to ``endpoint``.

    ``token`` replaces the credentials' session token (None: send none).
    """
    creds = credentials or DEFAULT_CREDENTIALS
    session_token = creds.token if isinstance(token, EllipsisType) else token
    profile = ClientProfile(
        httpProfile=HttpProfile(
            endpoint=endpoint, reqTimeout=timeout, protocol="http" if endpoint else "https"
        )
    )
    return CccClient(Credential(creds.secret_id, creds.secret_key, session_token), "", profile)
