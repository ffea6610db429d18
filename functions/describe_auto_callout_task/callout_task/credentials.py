"""CCC credentials, read per invocation: the role's rotate while an instance lives.

SCF sets ``TENCENTCLOUD_SECRETID``/``SECRETKEY``/``SESSIONTOKEN`` for the execution role; the
SDK's own providers do not read the token, so they are read here. ``TENCENTCLOUD_SECRET_ID``/
``SECRET_KEY`` (and optionally ``TENCENTCLOUD_SESSION_TOKEN``) serve local use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from callout_task.problems import CredentialsMissing

HOW_TO_CONFIGURE = (
    "bind an execution role allowed ccc:DescribeAutoCalloutTask to the function (SCF then sets "
    "TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY and TENCENTCLOUD_SESSIONTOKEN), or for local "
    "use set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
)


class Credentials(NamedTuple):
    secret_id: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:  # the key and the token never reach a log or a traceback
        return f"Credentials(secret_id={self.secret_id!r}, secret_key=..., token=...)"


def read_credentials(environ: Mapping[str, str] | None = None) -> Credentials:
    env = os.environ if environ is None else environ
    for id_name, key_name, token_name in (
        ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
        ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"),
    ):
        secret_id = env.get(id_name, "").strip()
        secret_key = env.get(key_name, "").strip()
        if secret_id and secret_key:
            return Credentials(secret_id, secret_key, env.get(token_name, "").strip() or None)
    raise CredentialsMissing("The function has no credentials to call CCC with.")
