"""The OpenAPI 3.1 document, generated from the same descriptors as the routes.

One operation per HTTP binding: path and query parameters from the request fields the
binding leaves there, the JSON body, the response (or its `response_body` field), the
contract's comments as descriptions, and security from the access option (public methods
need nothing; others a bearer access token, from `POST /oauth/token` in Swagger UI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from edge import openapi_fixed
from edge.comments import Comments
from edge.schemas import Schema, Schemas, is_map
from edge.transcoding.bindings import HttpBinding, resolve_field_path
from edge.transcoding.json_input import is_plain_message

ERROR_REF = {"$ref": "#/components/responses/Error"}
#: How deep nested messages are flattened into dotted query parameters.
MAX_QUERY_DEPTH = 3


def openapi_document(
    bindings: Sequence[HttpBinding], *, title: str = "Meshwork API", version: str = "v1"
) -> dict[str, Any]:
    """The whole document: transcoded operations plus the edge's own endpoints."""
    services = {b.rpc.containing_service.full_name: b.rpc.containing_service for b in bindings}
    comments = Comments(service.file for service in services.values())
    schemas = Schemas(comments)
    paths: dict[str, dict[str, Any]] = {}
    for binding in bindings:
        operations = paths.setdefault(binding.template.openapi_path(), {})
        operations[binding.http_method.lower()] = _operation(binding, schemas)
    for path, operations in openapi_fixed.paths().items():
        paths.setdefault(path, {}).update(operations)
    tags = [
        {"name": service.name, "description": comments.of(service.full_name)}
        for service in sorted(services.values(), key=lambda s: s.full_name)
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": openapi_fixed.DESCRIPTION},
        "tags": [*tags, *openapi_fixed.TAGS],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted({**schemas.components, **openapi_fixed.SCHEMAS}.items())),
            "responses": openapi_fixed.RESPONSES,
            "securitySchemes": openapi_fixed.SECURITY_SCHEMES,
        },
    }


def _operation(binding: HttpBinding, schemas: Schemas) -> dict[str, Any]:
    comment = schemas.comments.of(binding.rpc.full_name)
    access = binding.contract.access
    operation: dict[str, Any] = {
        "operationId": binding.operation_id,
        "tags": [binding.rpc.containing_service.name],
        "summary": _summary(comment) or binding.rpc.name,
        "description": f"{comment}\n\n{_access_note(binding)}".strip(),
        "parameters": [*_path_parameters(binding, schemas), *_query_parameters(binding, schemas)],
        "responses": _responses(binding, schemas),
        "security": []
        if access.public
        else [
            {openapi_fixed.BEARER: sorted(access.roles)},
            {openapi_fixed.OAUTH2: []},
        ],
        "x-grpc-method": binding.contract.full_method,
        "x-meshwork-access": {"public": access.public, "roles": sorted(access.roles)},
    }
    if binding.http_method != "GET":
        operation["parameters"].append(openapi_fixed.IDEMPOTENCY_KEY_PARAMETER)
    if binding.body:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": _body_schema(binding, schemas)}},
        }
    return operation


def _summary(comment: str) -> str:
    first = comment.split("\n\n")[0].replace("\n", " ")
    return first.split(". ")[0].rstrip(".")


def _access_note(binding: HttpBinding) -> str:
    access = binding.contract.access
    if access.public:
        return "Public: no access token needed."
    if access.roles:
        roles = ", ".join(sorted(access.roles))
        return f"Requires an access token of a user with one of the roles: {roles}."
    return "Requires an access token."


def _path_parameters(binding: HttpBinding, schemas: Schemas) -> list[dict[str, Any]]:
    parameters = []
    for variable in binding.template.variables:
        field = resolve_field_path(binding.request_type, variable.field_path.split("."))
        assert field is not None  # checked when the binding was read
        schema = schemas.single(field)
        if variable.pattern:
            schema = {"type": "string", "pattern": variable.pattern}
        parameter = {
            "name": variable.openapi_name,
            "in": "path",
            "required": True,
            "description": schemas.comments.of(field.full_name),
            "schema": schema,
        }
        if variable.openapi_name != variable.field_path:
            parameter["x-field-path"] = variable.field_path  # the request field it sets
        parameters.append(parameter)
    return parameters


def _query_parameters(binding: HttpBinding, schemas: Schemas) -> list[dict[str, Any]]:
    if binding.body == "*":
        return []
    bound = binding.path_fields() | ({binding.body} if binding.body else set())
    return _flattened(binding.request_type, schemas, prefix="", proto_prefix="", bound=bound)


def _flattened(
    message: Descriptor, schemas: Schemas, *, prefix: str, proto_prefix: str, bound: set[str]
) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for field in message.fields:
        proto_path = proto_prefix + field.name
        if proto_path in bound or is_map(field):
            continue
        name = prefix + field.json_name
        if is_plain_message(field):
            if not field.is_repeated and name.count(".") < MAX_QUERY_DEPTH - 1:
                parameters += _flattened(
                    field.message_type,
                    schemas,
                    prefix=name + ".",
                    proto_prefix=proto_path + ".",
                    bound=bound,
                )
            continue
        parameters.append(_query_parameter(field, name, schemas))
    return parameters


def _query_parameter(field: FieldDescriptor, name: str, schemas: Schemas) -> dict[str, Any]:
    schema: Schema = schemas.value(field)
    if "anyOf" in schema and {"type": "null"} in schema["anyOf"]:  # a wrapper: its value
        schema = next(s for s in schema["anyOf"] if s != {"type": "null"})
    parameter = {
        "name": name,
        "in": "query",
        "required": False,
        "description": schemas.comments.of(field.full_name),
        "schema": schema,
    }
    if field.is_repeated:
        parameter |= {"style": "form", "explode": True}
    return parameter


def _body_schema(binding: HttpBinding, schemas: Schemas) -> Schema:
    if binding.body == "*":
        top_level_bound = frozenset(p for p in binding.path_fields() if "." not in p)
        return schemas.message(binding.request_type, exclude=top_level_bound, request=True)
    return schemas.field(binding.request_type.fields_by_name[binding.body])


def _responses(binding: HttpBinding, schemas: Schemas) -> dict[str, Any]:
    output = binding.rpc.output_type
    if binding.response_body:
        schema = schemas.field(output.fields_by_name[binding.response_body])
    else:
        schema = schemas.message_ref(output)
    responses: dict[str, Any] = {
        "200": {
            "description": schemas.comments.of(output.full_name) or "The response.",
            "content": {"application/json": {"schema": schema}},
        },
        "400": ERROR_REF,
    }
    if not binding.contract.access.public:
        responses["401"] = ERROR_REF
        responses["403"] = ERROR_REF
    responses |= {"404": ERROR_REF, "429": ERROR_REF, "503": ERROR_REF, "504": ERROR_REF}
    responses["default"] = ERROR_REF
    return responses
