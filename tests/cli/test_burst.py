"""A bounded burst on `autocallout serve --fake` while the fake throttles part of the calls:
every request gets a valid task or a 429 with Retry-After; none is lost, none is a 5xx."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.cli.commands import serving

REQUESTS = 500
PARALLEL = 20
THROTTLED_CALLS = 200


@pytest.fixture
def endpoints() -> Iterator[tuple[str, str]]:
    """(function URL, fake CCC URL) of a serve process with the local rate limit off."""
    with serving(RATE_LIMIT_QPS="0") as urls:
        yield urls


def test_a_throttled_burst_loses_nothing_and_never_fails(endpoints: tuple[str, str]) -> None:
    function_url, fake_url = endpoints
    requests.post(
        f"{fake_url}/_fake/faults",
        json={"kind": "error", "code": "RequestLimitExceeded", "times": THROTTLED_CALLS},
        timeout=5,
    ).raise_for_status()

    def ask(number: int) -> tuple[int, str, dict[str, object], str | None]:
        task_id = (1, 3, 4, 5, 6)[number % 5]
        with requests.Session() as session:
            answer = session.get(
                function_url, params={"SdkAppId": "1400000000", "TaskId": str(task_id)}, timeout=30
            )
        return (
            answer.status_code,
            answer.headers["X-Request-Id"],
            answer.json(),
            answer.headers.get("Retry-After"),
        )

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        answers = list(pool.map(ask, range(REQUESTS)))

    statuses = Counter(status for status, *_ in answers)
    assert len(answers) == REQUESTS
    assert len({request_id for _, request_id, *_ in answers}) == REQUESTS
    assert set(statuses) <= {200, 429}, statuses
    # Without retries 200 requests would fail; with three attempts most throttling is absorbed.
    assert statuses[200] >= REQUESTS - THROTTLED_CALLS // 2, statuses
    for status, _, body, retry_after in answers:
        if status == 200:
            assert body["sdk_app_id"] == 1400000000
            assert body["callee_summary"]["total"] == len(body["callees"])
        else:
            assert body["upstream_code"].startswith("RequestLimitExceeded")
            assert retry_after is not None
            assert int(retry_after) >= 1
    calls = requests.get(f"{fake_url}/_fake/calls", timeout=5).json()
    assert sum(call["error_code"] == "RequestLimitExceeded" for call in calls) == THROTTLED_CALLS
