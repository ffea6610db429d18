"""The data plane: a created function runs from its zip, answers at its Function URL behind CAM,
gets role credentials and the fake CCC as its endpoint, fires on its timer, logs into CLS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from autocallout.local_cloud import LOCAL_CREDENTIALS, LocalCloud
from autocallout.local_cloud.rehearsal import signed_get
from autocallout.local_cloud.runtime import CHINA_TIME, cron_matches
from autocallout.runtimes import find_interpreter
from tests.cloud import sample_functions

Call = Callable[..., dict[str, Any]]


@pytest.fixture(autouse=True)
def _runtime() -> None:
    if find_interpreter("Python3.12") is None:
        pytest.skip("no CPython 3.12 for SCF's Python3.12 on this machine")


def _deploy(call: Call, url_auth: str | None = "CAM", logs: bool = True) -> dict[str, str]:
    call("cam", "CreateRole", RoleName="exec", PolicyDocument=sample_functions.trust_document())
    made: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if logs:
        made["logset"] = call("cls", "CreateLogset", LogsetName="logs")["LogsetId"]
        made["topic"] = call("cls", "CreateTopic", LogsetId=made["logset"], TopicName="fn")[
            "TopicId"
        ]
        extra = {"ClsLogsetId": made["logset"], "ClsTopicId": made["topic"]}
    call(
        "scf",
        "CreateFunction",
        FunctionName="fn",
        Runtime="Python3.12",
        Handler="index.main_handler",
        Role="exec",
        Code=sample_functions.code(),
        Environment={"Variables": [{"Key": "GREETING", "Value": "hi"}]},
        **extra,
    )
    if url_auth is not None:
        desc = json.dumps({"AuthType": url_auth, "NetConfig": {"EnableExtranet": True}})
        info = call("scf", "CreateTrigger", FunctionName="fn", Type="http", TriggerDesc=desc)
        made["url"] = json.loads(info["TriggerInfo"]["TriggerDesc"])["NetConfig"]["ExtranetUrl"]
    return made


def test_a_signed_call_reaches_the_function_with_its_path_and_query(
    call: Call, cloud: LocalCloud
) -> None:
    url = _deploy(call)["url"]

    status, body, _ = signed_get(f"{url}tasks?TaskId=3")

    assert status == 200
    answer = json.loads(body)
    assert answer["path"] == "/tasks"
    assert answer["query"] == {"TaskId": "3"}
    assert answer["ccc"] == cloud.url  # injected: the function set none; CAM, then the fake CCC


@pytest.mark.parametrize("secret_key", [None, "not-the-key"])
def test_a_cam_url_refuses_unsigned_and_badly_signed_calls(
    call: Call, secret_key: str | None
) -> None:
    url = _deploy(call)["url"]
    if secret_key is None:
        answer = requests.get(url, timeout=30)
        status, body = answer.status_code, answer.content
    else:
        wrong = type(LOCAL_CREDENTIALS)(LOCAL_CREDENTIALS.secret_id, secret_key)
        status, body, _ = signed_get(url, wrong)

    assert status == 401
    assert json.loads(body)["status"] == 401


def test_an_anonymous_url_answers_anyone_and_a_deleted_one_nobody(call: Call) -> None:
    url = _deploy(call, url_auth="NONE")["url"]
    assert requests.get(url, timeout=30).status_code == 200

    call("scf", "DeleteFunction", FunctionName="fn")

    assert requests.get(url, timeout=30).status_code == 404


def test_invoke_runs_the_zip_with_its_variables_and_role(call: Call, cloud: LocalCloud) -> None:
    topic = _deploy(call, url_auth=None)["topic"]

    result = call(
        "scf", "Invoke", FunctionName="fn", ClientContext=json.dumps({"Type": "direct-test"})
    )

    answer = json.loads(result["Result"]["RetMsg"])
    assert answer == {"event": {"Type": "direct-test"}, "greeting": "hi"}
    lines = _wait_for_lines(cloud, topic, 1)
    assert json.loads(lines[0])["has_role"] is True


def test_new_code_is_what_the_next_invocation_runs(call: Call) -> None:
    _deploy(call, url_auth=None, logs=False)
    call("scf", "Invoke", FunctionName="fn", ClientContext="{}")
    changed = sample_functions.ECHO.replace('"greeting"', '"salutation"')

    call("scf", "UpdateFunctionCode", FunctionName="fn", Code=sample_functions.code(changed))

    answer = json.loads(
        call("scf", "Invoke", FunctionName="fn", ClientContext="{}")["Result"]["RetMsg"]
    )
    assert answer == {"event": {}, "salutation": "hi"}


def _wait_for_lines(cloud: LocalCloud, topic: str, count: int, seconds: float = 20) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        lines = requests.get(f"{cloud.url}/_cloud/logs", params={"topic": topic}, timeout=10).json()
        if len(lines) >= count or time.monotonic() > deadline:
            return list(lines)
        time.sleep(0.2)


@pytest.fixture
def timed_cloud() -> Iterator[LocalCloud]:
    with LocalCloud(timers=True) as started:
        yield started


def test_a_timer_fires_with_its_custom_argument_and_logs_into_cls(timed_cloud: LocalCloud) -> None:
    from tests.cloud.clients import sdk

    def call(service: str, action: str, **params: Any) -> dict[str, Any]:
        client = sdk(timed_cloud, service)
        module = __import__(type(client).__module__.rsplit(".", 1)[0] + ".models", fromlist=["x"])
        request = getattr(module, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        return dict(json.loads(getattr(client, action)(request).to_json_string()))

    topic = _deploy(call, url_auth=None)["topic"]
    call(
        "scf",
        "CreateTrigger",
        FunctionName="fn",
        Type="timer",
        TriggerName="poll",
        TriggerDesc="* * * * * * *",
        CustomArgument='{"TaskId": 3}',
        Enable="OPEN",
    )

    lines = _wait_for_lines(timed_cloud, topic, 1)

    assert lines, "the timer did not fire within 20 s"
    assert json.loads(lines[0])["event_type"] == "Timer"
    runs = requests.get(f"{timed_cloud.url}/_cloud/timer-runs", timeout=10).json()
    assert runs[0]["trigger"] == "poll"
    assert runs[0]["answer"]["event"]["Message"] == '{"TaskId": 3}'


@pytest.mark.parametrize(
    ("cron", "moment", "fires"),
    [
        ("0 */5 * * * * *", (2026, 12, 6, 10, 5, 0), True),
        ("0 */5 * * * * *", (2026, 12, 6, 10, 6, 0), False),
        ("0 */5 * * * * *", (2026, 12, 6, 10, 5, 1), False),
        ("30 0 9 * * MON-FRI *", (2026, 12, 7, 9, 0, 30), True),  # a Monday
        ("30 0 9 * * MON-FRI *", (2026, 12, 6, 9, 0, 30), False),  # a Sunday
        ("0 0 12 1,15 * * 2026", (2026, 3, 15, 12, 0, 0), True),
        ("0 0 12 1,15 * * 2027", (2026, 3, 15, 12, 0, 0), False),
        ("0 0 12 * * *", (2026, 3, 15, 12, 0, 0), False),  # six fields: never
        ("0 70 * * * * *", (2026, 3, 15, 12, 0, 0), False),  # out of range: never
    ],
)
def test_cron_has_seven_fields_read_in_china_time(
    cron: str, moment: tuple[int, ...], fires: bool
) -> None:
    assert cron_matches(cron, datetime(*moment, tzinfo=CHINA_TIME)) is fires


def test_cron_is_china_time_not_utc() -> None:
    nine_in_beijing = datetime(2026, 12, 7, 1, 0, 0, tzinfo=timezone.utc).astimezone(CHINA_TIME)
    assert cron_matches("0 0 9 * * * *", nine_in_beijing)


def test_a_stopping_cloud_starts_no_new_instance(call: Call, cloud: LocalCloud) -> None:
    """A timer run that begins while the cloud stops must not leave an instance (a process and
    its unpacked code) behind."""
    from autocallout.local_cloud import CloudError

    _deploy(call, url_auth=None, logs=False)

    cloud.plane.close()

    with pytest.raises(CloudError, match="stopping"):
        cloud.plane.invoke("default/fn", {})
