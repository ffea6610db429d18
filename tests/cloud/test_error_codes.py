"""Every error code the local cloud answers with is one Tencent documents: in the service's own
SDK (``tencentcloud/<service>/<version>/errorcodes.py``) or among Cloud API 3.0's common errors.
An invented code would teach the provider's retry and not-found logic nothing true."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from autocallout.local_cloud import wire

PACKAGE = Path(wire.__file__).parent
# Cloud API 3.0's common errors (the API reference's "公共错误码"), which every service may answer.
COMMON = frozenset(
    {
        "AuthFailure.InvalidAuthorization",
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.SignatureExpire",
        "AuthFailure.SignatureFailure",
        "AuthFailure.TokenFailure",
        "InvalidAction",
        "InvalidParameter",
        "InvalidParameterValue",
        "MissingParameter",
        "NoSuchVersion",
        "UnsupportedOperation",
    }
)


def _raised_codes(path: Path) -> set[str]:
    codes = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "CloudError"
            and node.args
        ):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                codes.add(first.value)
            elif isinstance(first, ast.IfExp):
                codes.update(
                    branch.value
                    for branch in (first.body, first.orelse)
                    if isinstance(branch, ast.Constant)
                )
    return codes


@pytest.mark.parametrize("name", sorted(wire.SERVICES))
def test_each_services_codes_are_documented(name: str) -> None:
    service = wire.SERVICES[name]
    version = "v" + service.version.replace("-", "")
    documented = {
        value
        for key, value in vars(
            importlib.import_module(f"tencentcloud.{name}.{version}.errorcodes")
        ).items()
        if key.isupper()
    }
    raised = _raised_codes(PACKAGE / "responses" / f"{name}.py")
    assert raised, f"no CloudError found in responses/{name}.py"
    assert sorted(raised - documented - COMMON) == []


def test_the_wire_and_the_data_plane_answer_common_or_scf_codes() -> None:
    scf = {
        value
        for key, value in vars(
            importlib.import_module("tencentcloud.scf.v20180416.errorcodes")
        ).items()
        if key.isupper()
    }
    raised = _raised_codes(PACKAGE / "wire.py") | _raised_codes(PACKAGE / "runtime.py")
    assert sorted(raised - COMMON - scf) == []
