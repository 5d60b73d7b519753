"""JSON Schemas (OpenAPI 3.1) of messages, in their proto3 JSON form.

Enums are strings (their value names), 64-bit integers strings of digits, Timestamp an RFC
3339 date-time, Duration and FieldMask strings, Struct any object, wrappers their value or
null; maps are objects, repeated fields arrays, and a oneof admits at most one of its fields.
Comments become descriptions; field_behavior marks fields readOnly (OUTPUT_ONLY), writeOnly
(INPUT_ONLY) or required (REQUIRED, in request bodies only: responses leave default values out).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from edge.comments import Comments

Schema = dict[str, Any]
REF_PREFIX = "#/components/schemas/"

_INT32 = {"type": "integer", "format": "int32"}
_UINT32 = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**32 - 1}
_INT64 = {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}
_UINT64 = {"type": "string", "format": "uint64", "pattern": "^[0-9]+$"}
_FLOAT = {"anyOf": [{"type": "number"}, {"enum": ["NaN", "Infinity", "-Infinity"]}]}
_SCALARS: dict[int, Schema] = {
    FieldDescriptor.TYPE_DOUBLE: _FLOAT,
    FieldDescriptor.TYPE_FLOAT: _FLOAT,
    FieldDescriptor.TYPE_INT32: _INT32,
    FieldDescriptor.TYPE_SINT32: _INT32,
    FieldDescriptor.TYPE_SFIXED32: _INT32,
    FieldDescriptor.TYPE_UINT32: _UINT32,
    FieldDescriptor.TYPE_FIXED32: _UINT32,
    FieldDescriptor.TYPE_INT64: _INT64,
    FieldDescriptor.TYPE_SINT64: _INT64,
    FieldDescriptor.TYPE_SFIXED64: _INT64,
    FieldDescriptor.TYPE_UINT64: _UINT64,
    FieldDescriptor.TYPE_FIXED64: _UINT64,
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte", "contentEncoding": "base64"},
}
_DURATION = {
    "type": "string",
    "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
    "description": 'A duration in seconds with up to 9 fractional digits, ending in "s": "1.5s".',
}
_WELL_KNOWN: dict[str, Schema] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": _DURATION,
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": 'Comma-separated field paths, e.g. "displayName,address".',
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
}


def behaviors(field: FieldDescriptor) -> set[int]:
    """The field's google.api.field_behavior values."""
    return set(field.GetOptions().Extensions[field_behavior_pb2.field_behavior])


def is_map(field: FieldDescriptor) -> bool:
    message = field.message_type
    return bool(field.is_repeated and message is not None and message.GetOptions().map_entry)


class Schemas:
    """Builds schemas, registering each message and enum once as a component."""

    def __init__(self, comments: Comments) -> None:
        self.comments = comments
        self.components: dict[str, Schema] = {}

    def message_ref(self, message: Descriptor) -> Schema:
        if message.full_name in _WELL_KNOWN:
            return dict(_WELL_KNOWN[message.full_name])
        if message.full_name not in self.components:
            self.components[message.full_name] = {}  # placeholder: recursive types end here
            self.components[message.full_name] = self.message(message)
        return {"$ref": REF_PREFIX + message.full_name}

    def message(
        self, message: Descriptor, *, exclude: frozenset[str] = frozenset(), request: bool = False
    ) -> Schema:
        """The object schema of a message; `exclude` drops fields (bound by the path),
        `request` lists REQUIRED fields as required."""
        fields = [f for f in message.fields if f.name not in exclude]
        schema: Schema = {"type": "object", "properties": {}, "additionalProperties": False}
        description = self.comments.of(message.full_name)
        if description:
            schema["description"] = description
        for field in fields:
            schema["properties"][field.json_name] = self.field(field)
        required = [f.json_name for f in fields if field_behavior_pb2.REQUIRED in behaviors(f)]
        if request and required:
            schema["required"] = required
        exclusive = _oneof_exclusions(message, exclude)
        if exclusive:
            schema["allOf"] = exclusive
        return schema

    def field(self, field: FieldDescriptor) -> Schema:
        """A field's schema, with its comment and field behaviour."""
        schema = self.value(field)
        described = dict(schema)
        comment = self.comments.of(field.full_name)
        marks = behaviors(field)
        if field_behavior_pb2.IMMUTABLE in marks:
            comment = f"{comment}\n\nImmutable: set on creation only.".strip()
        if comment:
            described["description"] = comment
        if field_behavior_pb2.OUTPUT_ONLY in marks:
            described["readOnly"] = True
        if field_behavior_pb2.INPUT_ONLY in marks:
            described["writeOnly"] = True
        return described

    def value(self, field: FieldDescriptor) -> Schema:
        """The schema of a field's JSON value (an array for repeated, an object for maps)."""
        if is_map(field):
            key, value = (
                field.message_type.fields_by_name["key"],
                field.message_type.fields_by_name["value"],
            )
            schema: Schema = {"type": "object", "additionalProperties": self.single(value)}
            if key.type != FieldDescriptor.TYPE_STRING:
                schema["propertyNames"] = {"pattern": _KEY_PATTERNS.get(key.type, "^-?[0-9]+$")}
            return schema
        if field.is_repeated:
            return {"type": "array", "items": self.single(field)}
        return self.single(field)

    def single(self, field: FieldDescriptor) -> Schema:
        """The schema of one value of the field's type."""
        if field.type == FieldDescriptor.TYPE_ENUM:
            return self.enum_ref(field.enum_type)
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            wrapped = _wrapped_value(field.message_type)
            if wrapped is not None:
                return {"anyOf": [self.single(wrapped), {"type": "null"}]}
            return self.message_ref(field.message_type)
        return dict(_SCALARS[field.type])

    def enum_ref(self, enum: EnumDescriptor) -> Schema:
        if enum.full_name not in self.components:
            schema: Schema = {"type": "string", "enum": [value.name for value in enum.values]}
            lines = [self.comments.of(enum.full_name)]
            for value in enum.values:
                comment = self.comments.of(f"{enum.full_name}.{value.name}")
                lines.append(f"- `{value.name}`: {comment}" if comment else f"- `{value.name}`")
            schema["description"] = "\n".join(line for line in lines if line)
            self.components[enum.full_name] = schema
        return {"$ref": REF_PREFIX + enum.full_name}


_KEY_PATTERNS = {
    FieldDescriptor.TYPE_BOOL: "^(true|false)$",
    FieldDescriptor.TYPE_UINT32: "^[0-9]+$",
    FieldDescriptor.TYPE_UINT64: "^[0-9]+$",
    FieldDescriptor.TYPE_FIXED32: "^[0-9]+$",
    FieldDescriptor.TYPE_FIXED64: "^[0-9]+$",
}


def _wrapped_value(message: Descriptor) -> FieldDescriptor | None:
    """The `value` field of a google.protobuf wrapper type (Int64Value, ...), else None."""
    if message.file.name == "google/protobuf/wrappers.proto":
        return message.fields_by_name["value"]
    return None


def _oneof_exclusions(message: Descriptor, exclude: frozenset[str]) -> list[Schema]:
    exclusions = []
    for oneof in message.oneofs:
        if len(oneof.fields) == 1 and oneof.name == f"_{oneof.fields[0].name}":
            continue  # a proto3 `optional` field
        names = [f.json_name for f in oneof.fields if f.name not in exclude]
        exclusions += [{"not": {"required": list(pair)}} for pair in combinations(names, 2)]
    return exclusions
