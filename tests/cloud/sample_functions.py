"""Small function zips for the local cloud's tests: their code, as SCF would be given it."""

from __future__ import annotations

import base64
import io
import json
import zipfile

ECHO = """
import json, os


def main_handler(event, context):
    print(json.dumps({"message": "echo", "event_type": str(event.get("Type", "direct")),
                      "has_role": bool(os.environ.get("TENCENTCLOUD_SESSIONTOKEN"))}))
    if "httpMethod" in event:
        return {"isBase64Encoded": False, "statusCode": 200,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps({"path": event["path"], "query": event["queryString"],
                                    "ccc": os.environ.get("CCC_ENDPOINT", "")})}
    return {"event": event, "greeting": os.environ.get("GREETING", "")}
"""


def zip_of(source: str = ECHO, **extra: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
        for name, text in extra.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def code(source: str = ECHO, **extra: str) -> dict[str, str]:
    """``Code`` as CreateFunction takes it: the zip in Base64."""
    return {"ZipFile": base64.b64encode(zip_of(source, **extra)).decode()}


def trust_document() -> str:
    return json.dumps(
        {
            "version": "2.0",
            "statement": [
                {
                    "action": ["name/sts:AssumeRole"],
                    "effect": "allow",
                    "principal": {"service": ["scf.qcloud.com"]},
                }
            ],
        }
    )


def read_policy(action: str = "ccc:DescribeAutoCalloutTask") -> str:
    return json.dumps(
        {
            "version": "2.0",
            "statement": [{"effect": "allow", "action": [action], "resource": ["*"]}],
        }
    )


# Hands back what SCF gave it: the role's temporary credentials and the CCC endpoint, so that a
# test can call CCC as the function would.
ROLE_CREDENTIALS = """
import os


def main_handler(event, context):
    return {name: os.environ.get(name, "") for name in (
        "TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN",
        "CCC_ENDPOINT")}
"""
