"""CCC credentials, read per invocation: the role's rotate while an instance lives.

SCF sets ``TENCENTCLOUD_SECRETID``/``SECRETKEY``/``SESSIONTOKEN`` for the execution role; the
SDK's own providers do not read the token, so they are read here. ``TENCENTCLOUD_SECRET_ID``/
``SECRET_KEY`` (and optionally ``TENCENTCLOUD_SESSION_TOKEN``) serve local use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from callout_task import problems
from callout_task.problems import CredentialsMissing

HOW_TO_CONFIGURE = (
    "bind an execution role allowed ccc:DescribeAutoCalloutTask to the function (SCF then sets "
    "TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY and TENCENTCLOUD_SESSIONTOKEN), or for local "
    "use set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
)
ROLE_HINT = (
    "check CCC_ROLE_ARN: the role must exist, trust the function's execution role, and allow "
    "ccc:DescribeAutoCalloutTask"
)
CLOCK_HINT = (
    "refused the request's signature as expired: this machine's clock differs from Tencent "
    "Cloud's by more than 5 minutes (or the request waited that long); set the clock right "
    "(NTP) - the credentials themselves were not judged"
)
ROLE_SESSION_HINT = (
    "CCC refused the session token of CCC_ROLE_ARN's credentials even when newly assumed: the "
    "role's sessions are being revoked or cut short; check the role (its maximum session "
    "duration, a policy or an administrator ending its sessions), not the execution role"
)
SESSION_HINT = (
    "CCC refused the session token (expired, revoked, or not the one issued with this "
    "SecretId): SCF sets the execution role's afresh, so locally set TENCENTCLOUD_SESSION_TOKEN "
    "from the same issue as TENCENTCLOUD_SECRET_ID and _KEY, or leave it out for permanent keys"
)


class Credentials(NamedTuple):
    secret_id: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:  # the key and the token never reach a log or a traceback
        return f"Credentials(secret_id={self.secret_id!r}, secret_key=..., token=...)"


def printable(value: str) -> bool:
    """Visible ASCII only, as every SecretId, SecretKey and session token is: a newline, a
    control character or a space would go into a signed header (or the log) as it is."""
    return all("!" <= character <= "~" for character in value)


def read_credentials(environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials to sign with; CredentialsMissing when there are none, and
    CredentialsMalformed, naming the variable and never a character of it, when one holds a
    character no credential has (before any call: it would be sent, retried and logged)."""
    env = os.environ if environ is None else environ
    for names in (
        ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
        ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"),
    ):
        secret_id, secret_key, token = (env.get(name, "").strip() for name in names)
        if secret_id and secret_key:
            for name, value in zip(names, (secret_id, secret_key, token), strict=True):
                if not printable(value):
                    raise problems.CredentialsMalformed(
                        "The function's credentials cannot be used; see its log.",
                        upstream_message=(
                            f"{name} holds a line break, a control character, a space or a "
                            "character outside ASCII, which no credential has; set it again "
                            "from its source, on one line (its value is not shown)"
                        ),
                    )
            return Credentials(secret_id, secret_key, token or None)
    raise CredentialsMissing("The function has no credentials to call CCC with.")


def what_to_fix(problem: problems.Problem, role_arn: str) -> str | None:
    """The operator's next step for a fault only an operator can fix; None for any other.
    The upstream code decides before the class: an expired signature is the clock's, whoever
    refused it (CCC or STS), and a refused token is the token's, not a missing role's."""
    code = problem.upstream_code or ""
    if code == "AuthFailure.SignatureExpire":
        service = "STS" if isinstance(problem, problems.RoleUnavailable) else "CCC"
        return f"clock skew: {service} {CLOCK_HINT}"
    if isinstance(problem, problems.RoleUnavailable):
        return f"STS would not give the role's credentials; {ROLE_HINT}"
    if code == "AuthFailure.TokenFailure":
        return ROLE_SESSION_HINT if role_arn else SESSION_HINT
    if isinstance(problem, problems.UpstreamAuthFailure):
        return f"CCC rejected the credentials; {HOW_TO_CONFIGURE}"
    if isinstance(problem, problems.CredentialsMalformed):
        return f"malformed credentials: {problem.upstream_message}"
    if isinstance(problem, CredentialsMissing):
        return f"no credentials; {HOW_TO_CONFIGURE}"
    return None
