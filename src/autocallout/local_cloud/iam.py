"""CAM's verdict on a role's call: what the policies attached to it allow.

The role's temporary credentials (minted by the data plane for a function) call CCC through the
local cloud, which asks ``allows`` first and answers ``AuthFailure.UnauthorizedOperation`` (Cloud
API's common error for a call CAM does not authorise) when the role may not: so the rehearsal
proves that infra/'s least-privilege policy lets the function read tasks, and nothing wider is
needed. Evaluation as CAM documents it: an explicit deny wins, else any allow; ``action`` and
``resource`` entries may use ``*`` (and actions the ``name/`` prefix). Conditions are not
evaluated (a statement with one is skipped, so it never allows by mistake).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from autocallout.local_cloud.models import CloudBackend, JSONObject


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _statements(backend: CloudBackend, role_name: str) -> Iterator[JSONObject]:
    with backend.lock:
        role_ids = [
            r["RoleId"] for r in backend.table("cam.roles").values() if r["RoleName"] == role_name
        ]
        attached = [
            backend.table("cam.policies").get(str(a["PolicyId"]))
            for a in backend.table("cam.attachments").values()
            if a["RoleId"] in role_ids
        ]
    for policy in attached:
        if policy is None:
            continue
        try:
            document = json.loads(policy["PolicyDocument"])
        except ValueError:
            continue
        for statement in document.get("statement") or []:
            if isinstance(statement, dict):
                yield statement


def _matches(patterns: list[str], value: str, strip_name: bool = False) -> bool:
    return any(
        fnmatchcase(value, pattern.removeprefix("name/") if strip_name else pattern)
        for pattern in patterns
    )


def allows(backend: CloudBackend, role_name: str, action: str, resource: str) -> bool:
    """Whether the policies attached to ``role_name`` allow ``action`` (``ccc:Describe…``) on
    ``resource`` (``qcs::ccc::uin/<owner>:SdkAppId/<id>``)."""
    allowed = False
    for statement in _statements(backend, role_name):
        if statement.get("condition"):
            continue
        if not _matches(_as_list(statement.get("action")), action, strip_name=True):
            continue
        if not _matches(_as_list(statement.get("resource")), resource):
            continue
        effect = str(statement.get("effect", "")).lower()
        if effect == "deny":
            return False
        allowed = allowed or effect == "allow"
    return allowed
