"""What the benchmark's parts share: paths, the bench tasks, the environment, the SDK client.

Every script in ``bench/`` runs as ``python bench/<script>.py``, so this directory is first on
``sys.path`` and ``import common`` finds this module. Nothing here imports the SDK or pydantic at
module level: the cold-start children import it too and must not pay for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tencentcloud.ccc.v20200210.ccc_client import CccClient

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FUNCTION_DIR = REPO / "functions" / "describe_auto_callout_task"

SDK_APP_ID = 1400000900
SIZES = (1, 1_000, 10_000, 100_000)  # callees per task; the task id is the size
# Answers at the size CCC allows (issue 26): a session on every callee (33.5 MB), none (31.8 MiB).
LARGE_SIZES = {385_000: "33.5 MB, a session each", 680_000: "31.8 MiB, no sessions"}
ACTION = "DescribeAutoCalloutTask"
# What the function's default request returns of the callees (callee_limit's default).
DEFAULT_PAGE = 1_000
# The invocation's time limit the bench gives the function (SCF's context says it).
TIME_LIMIT_MS = 60_000

# The fake's well-known local credentials (autocallout.fake_ccc.DEFAULT_CREDENTIALS); repeated
# here so that the cold-start children need not import the fake.
SECRET_ID = "AKIDLOCALFAKECCC0000000000000000"  # noqa: S105 - a fixture, as below
SECRET_KEY = "local-fake-ccc-key-opens-nothing"  # noqa: S105 - a fixture, opens only the fake
TOKEN = "local-fake-ccc-session-token"  # noqa: S105 - a fixture, opens only the fake


def task_id(size: int) -> int:
    return size


def make_task(size: int) -> dict[str, Any]:
    """A well-formed CCC task with ``size`` callees in every callee state, deterministic."""
    callees = []
    for index in range(size):
        state = index % 5  # 0 initial, 1 answered, 2 not answered, 3 calling, 4 waiting retry
        sessions = [f"5e2c{index:08x}-7a1b-4c3d-9e8f-{index * 7919 % 10**12:012d}"]
        if size in LARGE_SIZES:  # a UUID's 36 characters: the audit's 33.5 MB at 385 000
            sessions = [f"{index:08x}-7a1b-4c3d-9e8f-{index * 7919 % 10**12:012d}"]
        with_session = state in (1, 2) if size not in LARGE_SIZES else size == 385_000
        callees.append(
            {
                "Callee": f"138{index:08d}",
                "State": state,
                "Sessions": sessions if with_session else [],
            }
        )
    return {
        "SdkAppId": SDK_APP_ID,
        "TaskId": task_id(size),
        "Name": f"bench task of {size} callees",
        "Description": "自动外呼任务 benchmark",
        "NotBefore": 1729905740,
        "NotAfter": 1730078540,
        "Callers": ["008610086", "008610010"],
        "Callees": callees,
        "IvrId": 2,
        "State": 1,
        "MaxRingTimeoutSecond": 30,
    }


def bench_environment(endpoint_url: str) -> dict[str, str]:
    """The variables the function (and the raw-SDK children) run with on the bench.

    ``RATE_LIMIT_QPS=0`` switches the per-instance token bucket off: the bench calls far faster
    than the default 20/s. Everything else is the function's default (LOG_LEVEL INFO: one log
    line per invocation is part of what is measured).
    """
    return {
        "CCC_ENDPOINT": endpoint_url,
        "TENCENTCLOUD_SECRETID": SECRET_ID,
        "TENCENTCLOUD_SECRETKEY": SECRET_KEY,
        "TENCENTCLOUD_SESSIONTOKEN": TOKEN,
        "RATE_LIMIT_QPS": "0",
    }


def function_url_event(size: int) -> dict[str, Any]:
    """A Function URL GET for the bench task of ``size`` callees, default page (1000 callees)."""
    return {
        "headers": {"accept": "application/json", "user-agent": "bench"},
        "httpMethod": "GET",
        "path": "/",
        "queryString": {"SdkAppId": str(SDK_APP_ID), "TaskId": str(task_id(size))},
    }


def scf_context(request_id: str) -> dict[str, Any]:
    return {"request_id": request_id, "time_limit_in_ms": TIME_LIMIT_MS, "memory_limit_in_mb": 128}


def sdk_client(endpoint_url: str | None = None) -> CccClient:
    """A raw CccClient on the fake, built the way the function builds its own (keep-alive)."""
    from tencentcloud.ccc.v20200210.ccc_client import CccClient
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    parts = urlsplit(endpoint_url or os.environ["CCC_ENDPOINT"])
    profile = HttpProfile(
        endpoint=parts.netloc,
        protocol=parts.scheme,
        keepAlive=True,
        reqTimeout=TIME_LIMIT_MS // 1000,
    )
    credential = Credential(
        os.environ.get("TENCENTCLOUD_SECRETID", SECRET_ID),
        os.environ.get("TENCENTCLOUD_SECRETKEY", SECRET_KEY),
        os.environ.get("TENCENTCLOUD_SESSIONTOKEN", TOKEN),
    )
    return CccClient(credential, "", ClientProfile(httpProfile=profile))
