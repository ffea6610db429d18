"""SCF through Tencent's SCF client: functions, code, triggers, reserved concurrency, errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from tests.cloud import sample_functions

Call = Callable[..., dict[str, Any]]


def _role(call: Call, name: str = "fn-exec") -> str:
    call("cam", "CreateRole", RoleName=name, PolicyDocument=sample_functions.trust_document())
    return name


def _create(call: Call, name: str = "fn", **extra: Any) -> None:
    call(
        "scf",
        "CreateFunction",
        FunctionName=name,
        Runtime="Python3.12",
        Handler="index.main_handler",
        Code=sample_functions.code(),
        **extra,
    )


def _error(call: Call, service: str, action: str, **params: Any) -> str:
    with pytest.raises(TencentCloudSDKException) as raised:
        call(service, action, **params)
    return str(raised.value.get_code())


def test_a_created_function_reads_back_what_was_sent(call: Call) -> None:
    role = _role(call)
    _create(
        call,
        Description="reads tasks",
        MemorySize=256,
        Timeout=10,
        Role=role,
        Environment={"Variables": [{"Key": "LOG_LEVEL", "Value": "DEBUG"}]},
        Tags=[{"Key": "project", "Value": "autocallout"}],
        PublicNetConfig={"PublicNetStatus": "DISABLE", "EipConfig": {"EipStatus": "DISABLE"}},
    )

    got = call("scf", "GetFunction", FunctionName="fn", Namespace="default")

    assert (got["FunctionName"], got["Namespace"], got["Runtime"]) == (
        "fn",
        "default",
        "Python3.12",
    )
    assert (got["MemorySize"], got["Timeout"], got["Role"]) == (256, 10, role)
    assert got["Description"] == "reads tasks"
    assert got["Environment"]["Variables"] == [{"Key": "LOG_LEVEL", "Value": "DEBUG"}]
    assert got["Tags"] == [{"Key": "project", "Value": "autocallout"}]
    assert got["Status"] == "Active"
    assert got["FunctionId"].startswith("lam-")
    assert got["PublicNetConfig"]["PublicNetStatus"] == "DISABLE"
    # dereferenced by the provider without a nil check
    assert got["VpcConfig"] == {"VpcId": "", "SubnetId": ""}
    assert (got["L5Enable"], got["InstallDependency"]) == ("FALSE", "FALSE")
    assert got["EipConfig"]["EipFixed"] == "FALSE"
    assert got["AccessInfo"] == {"Host": "", "Vip": ""}


def test_the_same_name_twice_is_resource_in_use(call: Call) -> None:
    _create(call)
    assert (
        _error(
            call,
            "scf",
            "CreateFunction",
            FunctionName="fn",
            Runtime="Python3.12",
            Handler="index.main_handler",
            Code=sample_functions.code(),
        )
        == "ResourceInUse.Function"
    )


def test_a_missing_function_is_resource_not_found(call: Call) -> None:
    assert _error(call, "scf", "GetFunction", FunctionName="nope") == "ResourceNotFound.Function"
    assert _error(call, "scf", "DeleteFunction", FunctionName="nope") == "ResourceNotFound.Function"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"Code": {"ZipFile": base64.b64encode(b"not a zip").decode()}},
            "InvalidParameterValue.ZipFile",
        ),
        ({"Code": {"ZipFile": "%%% not base64"}}, "InvalidParameterValue"),
        ({"Runtime": "Python2.7"}, "InvalidParameterValue.Runtime"),
        ({"MemorySize": 100}, "InvalidParameterValue.MemorySize"),
        ({"Timeout": 901}, "InvalidParameterValue"),
        ({"Handler": "no_function"}, "InvalidParameterValue.Handler"),
        ({"Role": "no-such-role"}, "InvalidParameter.RoleCheck"),
        ({"ClsTopicId": "no-such-topic"}, "InvalidParameterValue.Cls"),
        ({"FunctionName": "9starts-with-a-digit"}, "InvalidParameterValue.FunctionName"),
    ],
)
def test_bad_parameters_are_refused_with_scf_codes(
    call: Call, change: dict[str, Any], code: str
) -> None:
    params = {
        "FunctionName": "fn",
        "Runtime": "Python3.12",
        "Handler": "index.main_handler",
        "Code": sample_functions.code(),
        **change,
    }
    assert _error(call, "scf", "CreateFunction", **params) == code
    assert _error(call, "scf", "GetFunction", FunctionName="fn") == "ResourceNotFound.Function"


def test_new_code_replaces_the_zip(call: Call) -> None:
    _create(call)
    before = call("scf", "GetFunction", FunctionName="fn")["CodeSize"]
    bigger = sample_functions.code(**{"data.txt": "x" * 5000})

    call("scf", "UpdateFunctionCode", FunctionName="fn", Handler="index.main_handler", Code=bigger)

    after = call("scf", "GetFunction", FunctionName="fn")["CodeSize"]
    assert after == len(base64.b64decode(bigger["ZipFile"])) > before


def test_configuration_changes_and_the_providers_empty_pair_clears_variables(call: Call) -> None:
    _create(call, Environment={"Variables": [{"Key": "A", "Value": "1"}]})

    call("scf", "UpdateFunctionConfiguration", FunctionName="fn", Timeout=20, Description="d")
    call(
        "scf",
        "UpdateFunctionConfiguration",
        FunctionName="fn",
        Environment={"Variables": [{"Key": "", "Value": ""}]},
    )

    got = call("scf", "GetFunction", FunctionName="fn")
    assert (got["Timeout"], got["Description"]) == (20, "d")
    assert got["Environment"]["Variables"] == []


def test_a_function_url_reports_its_address_and_keeps_the_callers_fields(call: Call) -> None:
    _create(call)
    desc = json.dumps(
        {"AuthType": "CAM", "NetConfig": {"EnableExtranet": True, "EnableIntranet": False}}
    )

    created = call(
        "scf",
        "CreateTrigger",
        FunctionName="fn",
        Type="http",
        TriggerDesc=desc,
        Qualifier="$LATEST",
        Enable="OPEN",
        Description="front door",
    )

    info = created["TriggerInfo"]
    assert info["TriggerName"] == "url-trigger"
    reported = json.loads(info["TriggerDesc"])
    assert reported["AuthType"] == "CAM"
    assert reported["NetConfig"]["EnableExtranet"] is True
    assert "/scf-url/" in reported["NetConfig"]["ExtranetUrl"]
    assert reported["NetConfig"]["IntranetUrl"] == ""
    listed = call(
        "scf",
        "ListTriggers",
        FunctionName="fn",
        Filters=[{"Name": "TriggerName", "Values": ["url-trigger"]}],
    )
    assert [(t["Type"], t["Enable"], t["Description"]) for t in listed["Triggers"]] == [
        ("http", 1, "front door")
    ]
    assert (
        _error(call, "scf", "CreateTrigger", FunctionName="fn", Type="http", TriggerDesc=desc)
        == "ResourceInUse.Trigger"
    )


def test_a_timer_keeps_its_cron_and_custom_argument(call: Call) -> None:
    _create(call)

    call(
        "scf",
        "CreateTrigger",
        FunctionName="fn",
        Type="timer",
        TriggerName="poll",
        TriggerDesc="0 */5 * * * * *",
        CustomArgument='[{"TaskId": 3}]',
        Enable="OPEN",
    )

    [trigger] = call("scf", "ListTriggers", FunctionName="fn")["Triggers"]
    assert json.loads(trigger["TriggerDesc"]) == {"cron": "0 */5 * * * * *"}
    assert trigger["CustomArgument"] == '[{"TaskId": 3}]'
    function = call("scf", "GetFunction", FunctionName="fn")
    assert [t["TriggerName"] for t in function["Triggers"]] == ["poll"]


def test_a_cron_without_seven_fields_is_refused(call: Call) -> None:
    _create(call)
    assert (
        _error(
            call,
            "scf",
            "CreateTrigger",
            FunctionName="fn",
            Type="timer",
            TriggerName="poll",
            TriggerDesc="*/5 * * * *",
        )
        == "InvalidParameterValue.TriggerDesc"
    )


def test_triggers_update_and_go_with_their_function(call: Call) -> None:
    _create(call)
    call(
        "scf",
        "CreateTrigger",
        FunctionName="fn",
        Type="timer",
        TriggerName="poll",
        TriggerDesc="0 */5 * * * * *",
        Enable="OPEN",
    )

    call(
        "scf",
        "UpdateTrigger",
        FunctionName="fn",
        TriggerName="poll",
        Type="timer",
        Enable="CLOSE",
        TriggerDesc="0 0 * * * * *",
    )
    [trigger] = call("scf", "ListTriggers", FunctionName="fn")["Triggers"]
    assert (trigger["Enable"], json.loads(trigger["TriggerDesc"])["cron"]) == (0, "0 0 * * * * *")

    call("scf", "DeleteFunction", FunctionName="fn")
    _create(call)
    assert call("scf", "ListTriggers", FunctionName="fn")["Triggers"] == []
    assert (
        _error(call, "scf", "DeleteTrigger", FunctionName="fn", TriggerName="poll", Type="timer")
        == "ResourceNotFound.Trigger"
    )


def test_reserved_concurrency_is_memory_in_multiples_of_the_functions(call: Call) -> None:
    _create(call, MemorySize=256)

    call(
        "scf",
        "PutReservedConcurrencyConfig",
        FunctionName="fn",
        Namespace="default",
        ReservedConcurrencyMem=2560,
    )
    assert call("scf", "GetReservedConcurrencyConfig", FunctionName="fn")["ReservedMem"] == 2560
    assert (
        _error(
            call,
            "scf",
            "PutReservedConcurrencyConfig",
            FunctionName="fn",
            ReservedConcurrencyMem=300,
        )
        == "LimitExceeded.FunctionReservedConcurrencyMemory"
    )

    call("scf", "DeleteReservedConcurrencyConfig", FunctionName="fn")
    assert call("scf", "GetReservedConcurrencyConfig", FunctionName="fn")["ReservedMem"] is None


def test_list_functions_pages_and_searches(call: Call) -> None:
    for name in ("alpha", "beta", "alphabet"):
        _create(call, name)

    found = call("scf", "ListFunctions", SearchKey="alpha", Limit=1, Offset=1)

    assert found["TotalCount"] == 2
    assert [f["FunctionName"] for f in found["Functions"]] == ["alphabet"]
