"""The published contract, generated from the models the function validates with.

``python -m autocallout.openapi`` writes

    docs/openapi.json                                  the OpenAPI 3.1 document, for people
    docs/openapi-3.0.json                              the same as OpenAPI 3.0.3, for importers
    functions/.../callout_task/openapi.json            the same, compact: ``GET /openapi.json``
    docs/task.schema.json                              JSON Schema of the answers (direct, timer)

    functions/.../callout_task/request_schema.py       the request's pydantic-core schema

from ``autocallout.contract`` (the request model, the task and the problem body),
``callout_task.request`` (both spellings) and ``callout_task.problems`` (every problem class,
with its status).
``--check`` writes nothing and exits 1 when a file is not what the code would generate.
"""

from __future__ import annotations

import argparse
import copy
import json
import pprint
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from callout_task import problems
from callout_task.api_document import DOCUMENT as SHIPPED_DOCUMENT
from callout_task.events import MAX_BODY_BYTES
from callout_task.request import SPELLINGS
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from autocallout import contract, front_door_auth
from autocallout.watch_contract import WATCH_MODELS

REPO = Path(__file__).resolve().parents[2]
OPENAPI_DOCUMENT = REPO / "docs" / "openapi.json"
OPENAPI_30_DOCUMENT = REPO / "docs" / "openapi-3.0.json"
TASK_SCHEMA = REPO / "docs" / "task.schema.json"
REQUEST_SCHEMA = (
    REPO / "functions" / "describe_auto_callout_task" / "callout_task" / "request_schema.py"
)

API_VERSION = "1.0.0"  # the contract's own version: bump it when an answer or a parameter changes
JSON_TYPE = "application/json"
PROBLEM_TYPE = "application/problem+json"
COMPONENT_REF = "#/components/schemas/{model}"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TASK_SCHEMA_ID = "urn:autocallout:schema:task"

_ANSWER_MODELS: tuple[type[BaseModel], ...] = (
    contract.Task,
    contract.Problem,
    contract.TimerResults,
)
_REQUIRED_FIELDS = ("sdk_app_id", "task_id")
# Who answers for a deployment is whoever runs it: the document says where that is written.
CONTACT = {
    "name": "The team that deploys this function (its runbook: docs/operations.md)",
}

DESCRIPTION = f"""\
What is the state of auto-callout task `TaskId` of Contact Center application `SdkAppId`?
The function reads it from CCC (`DescribeAutoCalloutTask`) with its execution role and answers
the normalised task, or an RFC 9457 problem (`{PROBLEM_TYPE}`).

Parameters are spelled as Tencent spells them (`SdkAppId`, `TaskId`, `IncludeCallees`,
`CalleeOffset`, `CalleeLimit`); `SdkAppId` and `TaskId` are required. Numbers are whole numbers
from 1 to 2^63-1: in a query string, decimal digits; in a JSON body, any JSON number without a
fraction (`3` and `3.0` alike, as JSON Schema's `integer` says), and for `SdkAppId` and `TaskId`
also the string of their digits without leading zeros (`"3"`, not `"03"` or `" 3"`), as
low-code tools send them. Unknown parameters are ignored.
A body is a JSON object of at most {MAX_BODY_BYTES} bytes.

The function also reads each parameter in snake_case (`sdk_app_id`, `task_id`, ...), for callers
written before this document; that spelling is outside this document, which describes one
parameter per concept. A request giving both spellings of one parameter must give them equal
values.

Methods other than GET, POST and OPTIONS are answered 405 (`Allow: GET, POST, OPTIONS`).
Every answer carries `X-Request-Id` and `Cache-Control: no-store`.

Authentication is the front door's: a CAM-signed request to the Function URL (the default), or
the API key of the legacy API Gateway. Timers and direct invocations get the same task JSON:
see `task.schema.json` and `docs/integrations.md`."""


# --- the pieces ------------------------------------------------------------------------------


def _without_titles(schema: Any) -> Any:
    """pydantic's generated titles ("Sdk App Id") say nothing the names do not: drop them."""
    if isinstance(schema, dict):
        cleaned = {key: _without_titles(value) for key, value in schema.items()}
        if isinstance(cleaned.get("properties"), dict):
            for prop in cleaned["properties"].values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
        return cleaned
    if isinstance(schema, list):
        return [_without_titles(item) for item in schema]
    return schema


def model_schemas(
    ref_template: str, answers: tuple[type[BaseModel], ...] = _ANSWER_MODELS
) -> dict[str, Any]:
    """Every answer model's JSON Schema, by name, referring to each other with ref_template."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in answers
    ]
    _, top = models_json_schema(models, ref_template=ref_template)
    schemas: dict[str, Any] = _without_titles(top["$defs"])
    return schemas


def spellings_by_field() -> dict[str, list[str]]:
    """``sdk_app_id`` -> ``["SdkAppId", "sdk_app_id"]``: Tencent's spelling first."""
    by_field: dict[str, list[str]] = {}
    for name, field in SPELLINGS.items():
        by_field.setdefault(field, []).append(name)
    return {
        field: sorted(names, key=lambda n: (n[:1].islower(), n))
        for field, names in by_field.items()
    }


def _field_schemas() -> dict[str, dict[str, Any]]:
    properties = _without_titles(contract.TaskRequestModel.model_json_schema())["properties"]
    return {name: dict(schema) for name, schema in properties.items()}


def published_names() -> dict[str, str]:
    """Each parameter's one published name: Tencent's spelling (``sdk_app_id`` -> ``SdkAppId``)."""
    return {field: names[0] for field, names in spellings_by_field().items()}


def _published_schemas() -> dict[str, dict[str, Any]]:
    """Each published name's schema, its description saying which snake_case name it also has."""
    fields = _field_schemas()
    schemas: dict[str, dict[str, Any]] = {}
    for field, name in published_names().items():
        schema = dict(fields[field])
        schema["description"] = f"{schema['description']}. Also read as `{field}`."
        schemas[name] = schema
    return schemas


def request_parameters() -> dict[str, Any]:
    """One query parameter per concept, in Tencent's spelling."""
    required = {published_names()[field] for field in _REQUIRED_FIELDS}
    parameters: dict[str, Any] = {}
    for name, schema in _published_schemas().items():
        description = schema.pop("description")
        parameters[name] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": description,
            "schema": schema,
        }
    return parameters


def request_body_schema() -> dict[str, Any]:
    """The JSON body: one member per concept, in Tencent's spelling."""
    names = published_names()
    properties = _published_schemas()
    for field in _REQUIRED_FIELDS:  # the ids: a number, or the string of its digits
        properties[names[field]] = contract.id_in_json(properties[names[field]])
    return {
        "type": "object",
        "description": "The task to describe. Unknown members are ignored.",
        "properties": properties,
        "required": [names[field] for field in _REQUIRED_FIELDS],
        "examples": [{"SdkAppId": 1400000000, "TaskId": 3, "CalleeLimit": 2}],
    }


def problem_kinds() -> dict[int, list[tuple[str, str]]]:
    """Every problem class's ``(slug, title)``, by HTTP status (``problems``' own classes)."""
    kinds: dict[int, set[tuple[str, str]]] = {}
    for cls in _subclasses(problems.Problem):
        kinds.setdefault(cls.status, set()).add((cls.slug, cls.title))
    return {status: sorted(found) for status, found in sorted(kinds.items())}


def _subclasses(cls: type[problems.Problem]) -> Iterator[type[problems.Problem]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


# --- the OpenAPI document --------------------------------------------------------------------

_COMMON_HEADERS = {
    "X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"},
    "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
}
_CORS_HEADER = {
    "Access-Control-Allow-Origin": {"$ref": "#/components/headers/Access-Control-Allow-Origin"}
}


def _problem_schema(status: int, kinds: list[tuple[str, str]]) -> dict[str, Any]:
    """The problem of one status: the shared Problem, its status pinned and its kinds listed."""
    return {
        "allOf": [
            {"$ref": COMPONENT_REF.format(model="Problem")},
            {
                # bounds, not const: generators type `status` as the base's int and cannot
                # merge that with a Literal (openapi-python-client drops the response). Each
                # part states its types again: Postman's importer (openapi-to-postmanv2) merges
                # allOf parts and takes a part without a type for an object, which no integer
                # merges with ("Could not resolve allOf schema" in every problem example).
                "type": "object",
                "properties": {
                    "status": {"type": "integer", "minimum": status, "maximum": status},
                    "type": {
                        "type": "string",
                        "enum": [problems.PROBLEM_TYPE_PREFIX + slug for slug, _ in kinds],
                    },
                    "title": {"type": "string", "enum": sorted({title for _, title in kinds})},
                },
            },
        ]
    }


def _problem_response(
    status: int, kinds: list[tuple[str, str]], extra_headers: Sequence[str] = ()
) -> dict[str, Any]:
    headers = dict(_COMMON_HEADERS)
    if status == problems.RateLimited.status:
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    if status == problems.MethodNotAllowed.status:
        headers["Allow"] = {"$ref": "#/components/headers/Allow"}
    for name in extra_headers:
        headers[name] = {"$ref": f"#/components/headers/{name}"}
    return {
        "description": "; ".join(f"{title} (`{slug}`)" for slug, title in kinds),
        "headers": headers,
        "content": {
            PROBLEM_TYPE: {"schema": {"$ref": COMPONENT_REF.format(model=_response_name(status))}}
        },
    }


def _response_name(status: int) -> str:
    return f"Problem{status}"


def _operation_statuses() -> list[int]:
    """The problem statuses an operation can answer. 405 is the answer to the methods the
    document does not list, so no operation has it: the description says it, and a response
    component that nothing uses would be one more thing for linters to flag."""
    return [status for status in problem_kinds() if status != problems.MethodNotAllowed.status]


def _lookup_operation(method: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "The task, normalised.",
            "headers": {**_COMMON_HEADERS, **_CORS_HEADER},
            "content": {JSON_TYPE: {"schema": {"$ref": COMPONENT_REF.format(model="Task")}}},
        }
    }
    for status in _operation_statuses():
        responses[str(status)] = {"$ref": f"#/components/responses/{_response_name(status)}"}
    operation: dict[str, Any] = {
        "operationId": f"describeAutoCalloutTask{method.title()}",
        "summary": "Describe an auto-callout task",
        "tags": ["tasks"],
        "responses": responses,
    }
    if method == "get":
        operation["description"] = "The parameters in the query string."
        operation["parameters"] = [
            {"$ref": f"#/components/parameters/{name}"} for name in request_parameters()
        ]
    else:
        operation["description"] = (
            "The parameters in a JSON body (query-string parameters are read too, and must agree)."
        )
        operation["requestBody"] = {
            "required": True,
            "content": {
                JSON_TYPE: {"schema": {"$ref": COMPONENT_REF.format(model="TaskRequestBody")}}
            },
        }
    return operation


def _preflight_operation() -> dict[str, Any]:
    return {
        "operationId": "preflight",
        "summary": "CORS preflight",
        "description": "Answers browsers' preflight; the CORS headers only for an allowed Origin "
        "(`CORS_ALLOW_ORIGINS`). No authentication: the Function URL answers it itself.",
        "tags": ["meta"],
        "security": [],
        "responses": {
            "204": {
                "description": "No content.",
                "headers": {
                    **_COMMON_HEADERS,
                    "Allow": {"$ref": "#/components/headers/Allow"},
                    **_CORS_HEADER,
                },
            },
            "500": {"$ref": f"#/components/responses/{_response_name(500)}"},
        },
    }


def _document_operation() -> dict[str, Any]:
    return {
        "operationId": "getOpenApiDocument",
        "summary": "This document",
        "description": "This API's OpenAPI document, served by the function without calling CCC.",
        "tags": ["meta"],
        "responses": {
            "200": {
                "description": "The OpenAPI document (3.1).",
                "headers": {**_COMMON_HEADERS, **_CORS_HEADER},
                "content": {
                    JSON_TYPE: {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "openapi": {"type": "string"},
                                "paths": {"type": "object", "additionalProperties": True},
                            },
                            "required": ["openapi", "paths"],
                            "additionalProperties": True,
                        }
                    }
                },
            },
            # a package built without the generated file
            "404": {"$ref": f"#/components/responses/{_response_name(404)}"},
            "500": {"$ref": f"#/components/responses/{_response_name(500)}"},
        },
    }


def _headers() -> dict[str, Any]:
    return {
        "X-Request-Id": {
            "description": "The invocation's request id; quote it to support (also `request_id`).",
            "required": True,
            "schema": {"type": "string", "minLength": 1},
        },
        "Cache-Control": {
            "description": "Answers are never cached.",
            "required": True,
            "schema": {"type": "string", "const": "no-store"},
        },
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
        "Allow": {
            "description": "The methods the path answers: `GET, POST, OPTIONS` (`/`), "
            "`GET, OPTIONS` (`/openapi.json`).",
            "required": True,
            "schema": {"type": "string", "pattern": "^[A-Z]+(, [A-Z]+)*$"},
        },
        "Access-Control-Allow-Origin": {
            "description": "Present when the request's Origin is allowed (`CORS_ALLOW_ORIGINS`).",
            "required": False,
            "schema": {"type": "string"},
        },
    }


def _security_schemes() -> dict[str, Any]:
    return {
        "functionUrlCam": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Function URL with CAM authentication (the default front door): the "
            "request is signed with TC3-HMAC-SHA256 (Tencent Cloud API signature v3, service "
            "`scf`) using the key of a CAM user or role allowed `scf:InvokeFunctionUrl` on this "
            "function, sent in `Authorization` with `X-TC-Timestamp` (and `X-TC-Token` for "
            "temporary credentials). Recipes: docs/integrations.md.",
        },
        "apiGatewayKey": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Legacy API Gateway, key-pair authentication (`auth_type = SECRET`): "
            '`Authorization: hmac id="<key id>", algorithm="hmac-sha1", headers="x-date source", '
            'signature="<Base64 HMAC-SHA1 of the listed headers>"`, with the `X-Date` (GMT, '
            "within 15 minutes) and `Source` headers. Recipes: docs/integrations.md.",
        },
    }


def build_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, in a stable order."""
    schemas = model_schemas(COMPONENT_REF)
    # A timer's answer never crosses HTTP: it and its problem entries are task.schema.json's,
    # not this document's.
    del schemas[contract.TimerResults.__name__]
    del schemas[contract.TimerProblem.__name__]
    schemas["TaskRequestBody"] = request_body_schema()
    kinds_by_status = problem_kinds()
    for status in _operation_statuses():
        schemas[_response_name(status)] = _problem_schema(status, kinds_by_status[status])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Auto-callout task lookup (Tencent CCC)",
            "version": API_VERSION,
            "description": DESCRIPTION,
            "contact": CONTACT,
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "servers": [
            {
                "url": "https://{function_url_host}",
                "description": "Function URL (`terraform output url`)",
                "variables": {"function_url_host": {"default": "function-url.example.com"}},
            },
            {
                "url": "https://{api_gateway_host}/release",
                "description": 'Legacy API Gateway (`front_door = "api_gateway"`)',
                "variables": {
                    "api_gateway_host": {"default": "service-example.gz.apigw.tencentcs.com"}
                },
            },
        ],
        "security": [{"functionUrlCam": []}, {"apiGatewayKey": []}],
        "tags": [
            {"name": "tasks", "description": "Auto-callout tasks"},
            {"name": "meta", "description": "CORS and this document"},
        ],
        "paths": {
            "/": {
                "get": _lookup_operation("get"),
                "post": _lookup_operation("post"),
                "options": _preflight_operation(),
            },
            "/openapi.json": {"get": _document_operation()},
        },
        "components": {
            "schemas": schemas,
            "parameters": request_parameters(),
            "headers": _headers(),
            "responses": {
                _response_name(status): _problem_response(status, kinds_by_status[status])
                for status in _operation_statuses()
            },
            "securitySchemes": _security_schemes(),
        },
    }


# --- the document a local front door serves (autocallout serve --auth) -----------------------

_DOOR_SCHEMES = {"cam": "functionUrlCam", "api-key": "apiGatewayKey"}


def for_front_door(document: dict[str, Any], mode: str) -> dict[str, Any]:
    """The document as ``autocallout serve --auth MODE`` serves it: only the security that door
    enforces, and its 401 problem on every operation it guards (all but the preflight)."""
    served = copy.deepcopy(document)
    if mode == "none":
        served["security"] = []
        return served
    served["security"] = [{_DOOR_SCHEMES[mode]: []}]
    components = served["components"]
    kinds = [(front_door_auth.PROBLEM_SLUG, front_door_auth.PROBLEM_TITLE)]
    status = front_door_auth.STATUS
    components["schemas"][_response_name(status)] = _problem_schema(status, kinds)
    components["headers"]["WWW-Authenticate"] = {
        "description": "The authentication scheme the front door expects.",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
    }
    response = _problem_response(status, kinds, extra_headers=("WWW-Authenticate",))
    response["description"] = "The local front door refused the credentials (serve --auth)."
    components["responses"][_response_name(status)] = response
    for operations in served["paths"].values():
        for operation in operations.values():
            if operation.get("security") != []:
                ref = f"#/components/responses/{_response_name(status)}"
                operation["responses"][str(status)] = {"$ref": ref}
                operation["responses"] = dict(sorted(operation["responses"].items()))
    return served


# --- the OpenAPI 3.0 rendition, for importers that do not read 3.1 ---------------------------


def _schema_30(schema: Any) -> Any:
    """One JSON Schema 2020-12 schema as an OpenAPI 3.0 Schema Object."""
    if isinstance(schema, list):
        return [_schema_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            out[key] = {name: _schema_30(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = _schema_30(value)
        elif key == "const":
            out["enum"] = [value]
        elif key == "examples":
            out["example"] = value[0]  # 3.0 has one example per schema
        else:
            out[key] = value
    return _nullable_30(out)


def _nullable_30(schema: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {"type": "null"}]`` as 3.0 says it: X with ``nullable: true``."""
    out = dict(schema)
    for combiner in ("anyOf", "oneOf"):
        options = out.get(combiner)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            del out[combiner]
            out["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                out = {**rest[0], **out}
            else:
                out["allOf" if len(rest) == 1 else combiner] = rest
    if "$ref" in out and len(out) > 1:  # 3.0 ignores a $ref's siblings: wrap the reference
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


def _objects_30(node: Any) -> Any:
    """Every Schema Object in an OpenAPI document (under a `schema` key or in
    components.schemas) converted; the rest kept."""
    if isinstance(node, list):
        return [_objects_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _schema_30(value) if key == "schema" else _objects_30(value)
        for key, value in node.items()
    }


def openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """The same API as an OpenAPI 3.0.3 document."""
    converted: dict[str, Any] = _objects_30(
        {k: v for k, v in document.items() if k != "jsonSchemaDialect"}
    )
    converted["openapi"] = "3.0.3"
    converted["components"]["schemas"] = {
        name: _schema_30(schema) for name, schema in document["components"]["schemas"].items()
    }
    license_ = converted["info"]["license"]
    identifier = license_.pop("identifier")  # 3.1 only; 3.0 names a licence by URL
    license_["url"] = f"https://spdx.org/licenses/{identifier}.html"
    converted["info"]["description"] += (
        "\n\nThis is the OpenAPI 3.0.3 rendition of `openapi.json` (3.1), generated from it."
    )
    return converted


# --- the JSON Schema of the answers ----------------------------------------------------------


def build_task_schema() -> dict[str, Any]:
    """The normalised task at the root; the problem, the timer's envelope and either answer of a
    direct invocation under ``$defs``, for direct-invocation and timer consumers."""
    defs = model_schemas("#/$defs/{model}", (*_ANSWER_MODELS, *WATCH_MODELS))
    defs["DirectAnswer"] = {
        "description": "What a direct invocation returns: the task, or a problem.",
        "anyOf": [{"$ref": "#/$defs/Task"}, {"$ref": "#/$defs/Problem"}],
    }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": TASK_SCHEMA_ID,
        "title": "Normalised CCC auto-callout task",
        "description": "The task JSON the function answers (HTTP 200 body, direct invocation, "
        "each successful timer result). `#/$defs/Problem` is a failure, `#/$defs/TimerResults` "
        "a timer run's answer, `#/$defs/DirectAnswer` a direct invocation's; "
        "`#/$defs/WatchEvent` is what a watch delivers, `#/$defs/WatchRun` a watching timer's "
        "answer (docs/integrations.md §5). Generated by "
        "`python -m autocallout.openapi`.",
        "$ref": "#/$defs/Task",
        "$defs": defs,
    }


# --- files -----------------------------------------------------------------------------------


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def python_module(schema: Any) -> str:
    return (
        '"""Generated by ``python -m autocallout.openapi`` from autocallout.contract.'
        'TaskRequestModel:\nthe request\'s pydantic-core schema. Do not edit."""\n\n'
        "from typing import Any\n\n"
        f"REQUEST_SCHEMA: Any = {pprint.pformat(schema, width=88, sort_dicts=True)}\n"
    )


def expected_files() -> dict[Path, str]:
    """Each generated file and the text it must hold."""
    document = build_document()
    outputs: list[tuple[Path, Callable[[Any], str], Any]] = [
        (OPENAPI_DOCUMENT, pretty, document),
        (OPENAPI_30_DOCUMENT, pretty, openapi_30(document)),
        (SHIPPED_DOCUMENT, compact, document),
        (TASK_SCHEMA, pretty, build_task_schema()),
        (REQUEST_SCHEMA, python_module, contract.request_core_schema()),
    ]
    return {path: render(value) for path, render, value in outputs}


def stale_files() -> list[Path]:
    return [
        path
        for path, text in expected_files().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocallout.openapi",
        description="Generate the OpenAPI document and the task JSON Schema from the code.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(REPO)} (run python -m autocallout.openapi)")
        return 1 if stale else 0
    for path, text in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
