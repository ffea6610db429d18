"""A local cloud on a free loopback port, and ``call``: an action of one of its services made
through Tencent's own SDK client (tests.cloud.clients), its answer checked against the SDK's
declared types."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from autocallout.local_cloud import LocalCloud
from tests.cloud import sdk_types
from tests.cloud.clients import sdk


@pytest.fixture
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(timers=False) as started:
        yield started


@pytest.fixture
def call(cloud: LocalCloud) -> Callable[..., dict[str, Any]]:
    """``call("scf", "GetFunction", FunctionName=...)``: the answer's Response as a dict, the way
    the service's SDK client's action method gets it (the request built from its model, the
    answer deserialised into its model), after checking every field of the raw answer against
    the type the SDK declares for it (sdk_types)."""

    def calling(service: str, action: str, **params: Any) -> dict[str, Any]:
        client = sdk(cloud, service)
        models = importlib.import_module(type(client).__module__.rsplit(".", 1)[0] + ".models")
        request = getattr(models, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        raw = client.call_json(action, json.loads(request.to_json_string()))["Response"]
        wrong = sdk_types.problems(models, f"{action}Response", raw)
        assert not wrong, f"{service} {action} answered fields of the wrong type: {wrong}"
        response = getattr(models, f"{action}Response")()
        response._deserialize(raw)
        answer: dict[str, Any] = json.loads(response.to_json_string())
        return answer

    return calling
