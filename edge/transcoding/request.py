"""HTTP request → request message: path variables, query parameters and the JSON body.

Per google.api.http: path variables set the fields they name; `body: "*"` maps the whole JSON
body onto the request, `body: "<field>"` onto that field; every field bound by neither may be
set by a query parameter (`?pageSize=10&filter.author=Le%20Guin&tags=a&tags=b`), under its
JSON or proto name. A PATCH whose body is a field and that sends no `update_mask` gets one
naming the body's top-level fields (as grpc-gateway does, AIP-134).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from edge.errors import EDGE_DOMAIN, UnsupportedMediaType
from edge.transcoding.bindings import HttpBinding
from edge.transcoding.json_body import parse_json_body
from edge.transcoding.json_input import (
    FIELD_MASK,
    JsonInput,
    field_named,
    is_plain_message,
)
from mesh.errors import FieldViolation, InvalidArgument

UPDATE_MASK = "update_mask"
_FLOATS = frozenset({FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE})


def transcode_request(
    binding: HttpBinding,
    *,
    path_values: Mapping[str, str],
    query: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    content_type: str | None = None,
) -> Message:
    """The request message, or InvalidArgument naming every bad field (nothing is sent)."""
    request_type = binding.request_type
    checker = JsonInput()
    violations: list[FieldViolation] = []
    body_json = _body_json(binding, body, content_type, checker)
    bound: dict[str, Any] = {}
    for field_path, text in path_values.items():
        _set_path(request_type, field_path.split("."), text, bound)
    for key, values in _grouped(query).items():
        _set_query(binding, key, values, bound, violations)
    merged = _merge(checker.message(bound, request_type, ""), body_json)
    _refuse_any([*violations, *checker.violations])
    _derive_update_mask(binding, merged, body_json)
    message = GetMessageClass(request_type)()
    try:
        json_format.ParseDict(merged, message)
    except (json_format.ParseError, TypeError, ValueError) as error:  # a case the walk missed
        _refuse_any([FieldViolation("body", str(error))])
    return message


def _refuse_any(violations: list[FieldViolation]) -> None:
    """Raises InvalidArgument naming every violation, if there is any."""
    if violations:
        raise InvalidArgument(
            "the request has invalid fields: "
            + "; ".join(f"{v.field}: {v.description}" for v in violations),
            reason="INVALID_REQUEST",
            domain=EDGE_DOMAIN,
            violations=violations,
        )


def _body_json(
    binding: HttpBinding, body: bytes, content_type: str | None, checker: JsonInput
) -> dict[str, Any]:
    """The body mapped onto the request, in canonical JSON; {} for bindings without a body."""
    if not binding.body or not body.strip():
        return {}
    _check_content_type(content_type)
    data = parse_json_body(body)
    if binding.body == "*":
        return checker.message(data, binding.request_type, "")
    field = binding.request_type.fields_by_name[binding.body]
    if data is None:
        return {}
    return {field.json_name: checker.field(field, data, field.json_name)}


def _check_content_type(content_type: str | None) -> None:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"the request body must be JSON (Content-Type: application/json), not {media!r}",
            reason="UNSUPPORTED_MEDIA_TYPE",
            domain=EDGE_DOMAIN,
        )


def _grouped(query: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in query:
        grouped.setdefault(key, []).append(value)
    return grouped


def _set_path(
    message: Descriptor,
    names: list[str],
    text: str,
    target: dict[str, Any],
) -> None:
    fields = [message.fields_by_name[names[0]]]
    for name in names[1:]:
        fields.append(fields[-1].message_type.fields_by_name[name])
    _deep_set(target, [f.json_name for f in fields], _from_text(fields[-1], text))


def _set_query(
    binding: HttpBinding,
    key: str,
    values: list[str],
    target: dict[str, Any],
    violations: list[FieldViolation],
) -> None:
    fields, problem = _resolve_query_key(binding, key)
    if problem:
        violations.append(FieldViolation(key, problem))
        return
    leaf = fields[-1]
    if not leaf.is_repeated and len(values) > 1:
        violations.append(FieldViolation(key, f"given {len(values)} times; it takes one value"))
        return
    converted = [_from_text(leaf, text) for text in values]
    _deep_set(
        target, [f.json_name for f in fields], converted if leaf.is_repeated else converted[0]
    )


def _unknown_query_parameter(
    binding: HttpBinding, message: Descriptor, parents: list[FieldDescriptor]
) -> str:
    """Why a name is no query parameter, listing the fields of `message` (reached through
    `parents`) that the query may set: not the body's, not those the path binds."""
    prefix = "".join(f"{parent.name}." for parent in parents)
    bound = binding.path_fields()
    settable = [
        field.json_name
        for field in message.fields
        if f"{prefix}{field.name}" != binding.body and f"{prefix}{field.name}" not in bound
    ]
    if not settable:
        return "unknown query parameter; this method takes none"
    json_prefix = "".join(f"{parent.json_name}." for parent in parents)
    return f"unknown query parameter; the query may set: {json_prefix}" + (
        f", {json_prefix}".join(settable)
    )


def _resolve_query_key(binding: HttpBinding, key: str) -> tuple[list[FieldDescriptor], str]:
    """The fields a query parameter's dotted name leads to, or why it may not be set."""
    if binding.body == "*":
        return [], "this method takes its fields in the JSON body, not in the query"
    message = binding.request_type
    fields: list[FieldDescriptor] = []
    for position, name in enumerate(key.split(".")):
        field = field_named(message, name)
        if field is None:
            return [], _unknown_query_parameter(binding, message, fields)
        fields.append(field)
        last = position == len(key.split(".")) - 1
        if not last:
            if not is_plain_message(field) or field.is_repeated:
                return [], f"{field.json_name} has no fields to set"
            message = field.message_type
    proto_path = ".".join(f.name for f in fields)
    if fields[0].name == binding.body:
        return [], f"{fields[0].json_name} is set by the request body"
    if any(proto_path == p or proto_path.startswith(p + ".") for p in binding.path_fields()):
        return [], "set by the URL path, not the query"
    leaf = fields[-1]
    if is_plain_message(leaf) or (leaf.message_type and leaf.message_type.GetOptions().map_entry):
        return [], "an object: set its fields one by one, e.g. ?field.subfield=value"
    return fields, ""


def _from_text(field: FieldDescriptor, text: str) -> Any:
    """The JSON value a query or path text stands for (json_format checks it afterwards)."""
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name.endswith("Value") and "value" in (
            field.message_type.fields_by_name
        ):
            return _from_text(field.message_type.fields_by_name["value"], text)  # wrappers
        return text  # Timestamp, Duration, FieldMask: their JSON form is a string
    if field.type == FieldDescriptor.TYPE_BOOL:
        return {"true": True, "false": False}.get(text.lower(), text)
    if field.cpp_type in _FLOATS:
        try:
            return float(text)
        except ValueError:
            return text
    if field.type == FieldDescriptor.TYPE_ENUM and text.lstrip("-").isdigit():
        return int(text)
    return text


def _deep_set(target: dict[str, Any], names: list[str], value: Any) -> None:
    for name in names[:-1]:
        target = target.setdefault(name, {})
    target[names[-1]] = value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` over `base`, objects merged key by key; path values win over the body's."""
    merged = dict(extra)
    for key, value in base.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(value, merged[key])
        else:
            merged[key] = value
    return merged


def _derive_update_mask(
    binding: HttpBinding, merged: dict[str, Any], body_json: dict[str, Any]
) -> None:
    mask = binding.request_type.fields_by_name.get(UPDATE_MASK)
    if (
        binding.http_method != "PATCH"
        or binding.body in ("", "*")
        or mask is None
        or mask.message_type is None
        or mask.message_type.full_name != FIELD_MASK
        or mask.json_name in merged
    ):
        return
    body_field = binding.request_type.fields_by_name[binding.body]
    given = body_json.get(body_field.json_name)
    if not isinstance(given, dict) or not is_plain_message(body_field):
        return
    in_path = {
        path.removeprefix(binding.body + ".")
        for path in binding.path_fields()
        if path.startswith(binding.body + ".")
    }
    paths = [
        field.name
        for key in given
        if (field := field_named(body_field.message_type, key)) is not None
        and field.name not in in_path
    ]
    merged[mask.json_name] = ",".join(_camel(path) for path in paths)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
