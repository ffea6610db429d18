"""Which environment variables become the credentials CCC is called with
(callout_task.credentials), read from a given environment."""

from __future__ import annotations

import pytest
from callout_task import problems
from callout_task.credentials import Credentials, read_credentials
from callout_task.problems import CredentialsMissing

ROLE = {
    "TENCENTCLOUD_SECRETID": "AKIDROLE",
    "TENCENTCLOUD_SECRETKEY": "role-key",
    "TENCENTCLOUD_SESSIONTOKEN": "role-token",
}
LOCAL = {
    "TENCENTCLOUD_SECRET_ID": "AKIDLOCAL",
    "TENCENTCLOUD_SECRET_KEY": "local-key",
    "TENCENTCLOUD_SESSION_TOKEN": "local-token",
}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({**ROLE, **LOCAL}, Credentials("AKIDROLE", "role-key", "role-token")),
        (LOCAL, Credentials("AKIDLOCAL", "local-key", "local-token")),
        (
            {"TENCENTCLOUD_SECRET_ID": " AKIDLOCAL ", "TENCENTCLOUD_SECRET_KEY": "local-key\n"},
            Credentials("AKIDLOCAL", "local-key", None),
        ),
        (
            {**ROLE, "TENCENTCLOUD_SESSIONTOKEN": "  "},
            Credentials("AKIDROLE", "role-key", None),
        ),
        # Half a pair is no credentials: the next pair serves, whatever its half says.
        (
            {"TENCENTCLOUD_SECRETID": "AKIDROLE", "TENCENTCLOUD_SESSIONTOKEN": "t", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
        (
            {"TENCENTCLOUD_SECRETKEY": "role-key", "TENCENTCLOUD_SESSIONTOKEN": "t", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
        (
            {**ROLE, "TENCENTCLOUD_SECRETKEY": " ", **LOCAL},
            Credentials("AKIDLOCAL", "local-key", "local-token"),
        ),
    ],
    ids=[
        "the role first",
        "local with its token",
        "stripped, no token",
        "a blank token",
        "role id alone",
        "role key alone",
        "role key blank",
    ],
)
def test_the_first_whole_pair_is_used_with_its_own_token(
    environ: dict[str, str], expected: Credentials
) -> None:
    assert tuple(read_credentials(environ)) == tuple(expected)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"TENCENTCLOUD_SECRETID": "AKIDROLE", "TENCENTCLOUD_SECRET_KEY": "local-key"},
        {"TENCENTCLOUD_SESSIONTOKEN": "t", "TENCENTCLOUD_SESSION_TOKEN": "t"},
        {"TENCENTCLOUD_SECRETID": " ", "TENCENTCLOUD_SECRETKEY": " "},
    ],
)
def test_no_whole_pair_is_credentials_missing_saying_so(environ: dict[str, str]) -> None:
    with pytest.raises(CredentialsMissing) as missing:
        read_credentials(environ)

    assert missing.value.status == 502
    assert missing.value.body("r")["detail"]


def test_the_process_environment_is_read_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*ROLE, *LOCAL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDPROCESS")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "process-key")

    assert read_credentials() == ("AKIDPROCESS", "process-key", None)


@pytest.mark.parametrize("value", ["AKID\nX", "k\x7fy", "t\u2028k", "tök", "a\x85b"])
def test_a_credential_with_a_character_no_credential_has_is_malformed(value: str) -> None:
    environ = {"TENCENTCLOUD_SECRET_ID": "AKIDLOCAL", "TENCENTCLOUD_SECRET_KEY": value}
    with pytest.raises(problems.CredentialsMalformed) as refused:
        read_credentials(environ)
    assert "TENCENTCLOUD_SECRET_KEY" in str(refused.value.upstream_message)
    assert value not in str(refused.value.upstream_message)
    assert value not in refused.value.detail
