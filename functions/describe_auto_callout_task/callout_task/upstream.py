"""The CCC call: one endpoint (``sdk_transport.Endpoint``, its connection kept alive) per
credentials+region, reused while warm; attempts, retries and problems as every Tencent Cloud
API call has them (``tencent_call``). CCC's answer is parsed as it arrives: the callees are
counted and the page asked for is kept, one at a time.

The SDK's signer, http.client and ssl are imported on the first call, so answers that never
reach CCC (bad input, preflight, 403) do not pay for importing them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from callout_task import problems, sdk_transport
from callout_task.answer_stream import AnswerParser
from callout_task.credentials import Credentials
from callout_task.invocation import CallReport, Invocation
from callout_task.normalise import CalleeDigest, normalise_digested
from callout_task.request import TaskRequest
from callout_task.sdk_transport import AttemptFailed, Endpoint
from callout_task.tencent_call import (
    MAX_ANSWER_BYTES,
    fed_to,
    finished,
    response_from,
    with_retries,
)

SERVICE, VERSION, ACTION = "ccc", "2020-02-10", "DescribeAutoCalloutTask"
_MAX_CLIENTS = 4

__all__ = ["CallReport", "describe_task", "forget_clients"]

ClientKey = tuple[str, str, str | None, str, str]


class _Clients(threading.local):
    """Clients by credentials+region, per thread: SCF runs one invocation at a time per
    instance, but the local server runs several, and a client's timeout is set per call."""

    def __init__(self) -> None:
        self.by_key: OrderedDict[ClientKey, Endpoint] = OrderedDict()


_clients = _Clients()


def forget_clients() -> None:
    """Drop this thread's clients (a new instance, as far as connections go)."""
    _clients.by_key.clear()


def _client(credentials: Credentials, region: str, endpoint: str) -> Endpoint:
    key = (credentials.secret_id, credentials.secret_key, credentials.token, region, endpoint)
    cached = _clients.by_key
    client = cached.get(key)
    if client is not None:
        cached.move_to_end(key)
        return client
    try:
        client = Endpoint(SERVICE, VERSION, region, credentials, endpoint or None)
    except ValueError:
        raise problems.CredentialsMissing(
            "The function's credentials are malformed (empty or with spaces)."
        ) from None
    cached[key] = client
    while len(cached) > _MAX_CLIENTS:  # rotated credentials leave old clients behind
        cached.popitem(last=False)
    return client


def describe_task(
    credentials: Credentials,
    invocation: Invocation,
    request: TaskRequest,
    report: CallReport,
) -> dict[str, Any]:
    """The normalised task; raises a Problem for every failure.

    CCC's answer is parsed as it arrives (``answer_stream``): the callees are counted and the
    page asked for is kept, one at a time, so memory does not grow with the task.
    """
    settings = invocation.settings
    client = _client(credentials, settings.ccc_region, settings.ccc_endpoint)
    params = {"SdkAppId": request.sdk_app_id, "TaskId": request.task_id}
    deadline = invocation.deadline

    def attempt() -> dict[str, Any]:
        digest = CalleeDigest(request)
        parser = AnswerParser("Callees", digest)
        sdk_transport.exchange(client, ACTION, params, deadline, MAX_ANSWER_BYTES, fed_to(parser))
        response = response_from(finished(parser), report)
        if deadline.remaining() < 0:
            # Read and parsed, but too late to be answered in time: the caller gets the 504
            # the deadline promises, not a 200 after it.
            raise AttemptFailed("DeadlineReached", "the answer was parsed after the deadline")
        return normalise_digested(response, digest, request, parser.text_of)

    return with_retries(attempt, invocation, report, "CCC")
