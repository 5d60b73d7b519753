"""Proto3 JSON input checked field by field before it is parsed, so every error names its field.

`json_format.ParseDict` stops at the first problem, describes it in its own words, and lets
some through (a list where an object belongs, a field given under both of its names). This
walks the JSON against the message descriptor, collects one violation per bad field (path in
lowerCamelCase, e.g. `user.address.addressLines[1]`), and returns the JSON in canonical form
(lowerCamelCase keys, field masks in camelCase), which `json_format` then parses.
"""

from __future__ import annotations

import re
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message_factory import GetMessageClass

from mesh.errors import FieldViolation

#: Well-known types whose JSON form is not an object of their fields.
SPECIAL_JSON_TYPES = frozenset(
    {
        "google.protobuf.Any",
        "google.protobuf.Timestamp",
        "google.protobuf.Duration",
        "google.protobuf.FieldMask",
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.NullValue",
        "google.protobuf.DoubleValue",
        "google.protobuf.FloatValue",
        "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value",
        "google.protobuf.Int32Value",
        "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue",
        "google.protobuf.StringValue",
        "google.protobuf.BytesValue",
    }
)
FIELD_MASK = "google.protobuf.FieldMask"

_JSON_KINDS: dict[type, str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}
_INTEGER_TYPES = frozenset(
    {
        FieldDescriptor.CPPTYPE_INT32,
        FieldDescriptor.CPPTYPE_INT64,
        FieldDescriptor.CPPTYPE_UINT32,
        FieldDescriptor.CPPTYPE_UINT64,
    }
)
_PARSE_PREFIX = re.compile(r"^(Failed to parse \w+ field: )+")
_PARSE_SUFFIX = re.compile(r"( at [\w.\[\]]+)?\.*$")


def is_plain_message(field: FieldDescriptor) -> bool:
    """A message field whose JSON is an object of its own fields (not a well-known type)."""
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.full_name not in SPECIAL_JSON_TYPES
    )


def field_named(message: Descriptor, key: str) -> FieldDescriptor | None:
    """A field by its JSON name or its proto name (the proto3 JSON spec accepts both)."""
    for field in message.fields:
        if key in (field.json_name, field.name):
            return field
    return None


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class JsonInput:
    """Checks JSON values against message types; violations accumulate in `violations`."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def message(self, value: Any, message: Descriptor, path: str) -> dict[str, Any]:
        """The canonical JSON of a message-typed value (an object of its fields)."""
        if not isinstance(value, dict):
            self._violate(path or "body", f"expected an object, got {_kind(value)}")
            return {}
        canonical: dict[str, Any] = {}
        for key, item in value.items():
            field = field_named(message, key)
            if field is None:
                known = ", ".join(f.json_name for f in message.fields)
                self._violate(join(path, key), f"unknown field; {message.name} has: {known}")
            elif field.json_name in canonical:
                self._violate(join(path, key), "given twice (under its JSON and proto names)")
            elif item is not None or _is_value(field):
                canonical[field.json_name] = self.field(field, item, join(path, field.json_name))
        self._check_oneofs(message, canonical, path)
        return canonical

    def field(self, field: FieldDescriptor, value: Any, path: str) -> Any:
        """The canonical JSON of one field's value."""
        if _is_map(field):
            return self._map(field, value, path)
        if field.is_repeated:
            if not isinstance(value, list):
                self._violate(path, f"expected an array, got {_kind(value)}")
                return []
            return [self._single(field, item, f"{path}[{i}]") for i, item in enumerate(value)]
        return self._single(field, value, path)

    def _single(self, field: FieldDescriptor, value: Any, path: str) -> Any:
        if is_plain_message(field):
            return self.message(value, field.message_type, path)
        if isinstance(value, str) and _is_field_mask(field):
            value = camel_case_mask(value)
        self._trial(field, [value] if field.is_repeated else value, path, shown=value)
        return value

    def _map(self, field: FieldDescriptor, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self._violate(path, f"expected an object (a map), got {_kind(value)}")
            return {}
        value_field = field.message_type.fields_by_name["value"]
        canonical = {}
        for key, item in value.items():
            entry_path = f"{path}[{key!r}]"
            if is_plain_message(value_field):
                self._trial(field, {key: {}}, entry_path, shown=key)  # checks the key
                canonical[key] = self.message(item, value_field.message_type, entry_path)
            else:
                self._trial(field, {key: item}, entry_path, shown=item)
                canonical[key] = item
        return canonical

    def _trial(self, field: FieldDescriptor, value: Any, path: str, *, shown: Any) -> None:
        """Parses one field's value alone, to learn whether and why json_format refuses it."""
        scratch = GetMessageClass(field.containing_type)()
        try:
            json_format.ParseDict({field.name: value}, scratch)
        except (json_format.ParseError, TypeError, ValueError) as error:
            value_field = field.message_type.fields_by_name["value"] if _is_map(field) else field
            self._violate(path, _describe(value_field, shown, error))

    def _check_oneofs(self, message: Descriptor, canonical: dict[str, Any], path: str) -> None:
        for oneof in message.oneofs:
            if len(oneof.fields) == 1 and oneof.name == f"_{oneof.fields[0].name}":
                continue  # the synthetic oneof of a proto3 `optional` field
            given = [f.json_name for f in oneof.fields if f.json_name in canonical]
            if len(given) > 1:
                self._violate(
                    join(path, given[1]),
                    f"only one of {', '.join(given)} may be set (oneof {oneof.name})",
                )

    def _violate(self, path: str, description: str) -> None:
        self.violations.append(FieldViolation(path, description))


def camel_case_mask(mask: str) -> str:
    """A field mask's JSON form in camelCase, from paths in either case ("display_name,x.y_z")."""
    return ",".join(
        ".".join(_lower_camel(name) for name in path.strip().split("."))
        for path in mask.split(",")
        if path.strip()
    )


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _is_map(field: FieldDescriptor) -> bool:
    message = field.message_type
    return bool(field.is_repeated and message is not None and message.GetOptions().map_entry)


def _is_field_mask(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.full_name == FIELD_MASK


def _is_value(field: FieldDescriptor) -> bool:
    """google.protobuf.Value, whose JSON null is a value, not an absent field."""
    return field.message_type is not None and field.message_type.full_name == (
        "google.protobuf.Value"
    )


def _kind(value: Any) -> str:
    return "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)


def _describe(field: FieldDescriptor, value: Any, error: Exception) -> str:
    """What is wrong with `value`, in words that tell the client what to send instead."""
    if field.type == FieldDescriptor.TYPE_STRING and not isinstance(value, str):
        return f"expected a string, got {_kind(value)}"
    if field.type == FieldDescriptor.TYPE_BOOL and not isinstance(value, bool):
        return f"expected true or false, got {_kind(value)}"
    if field.type == FieldDescriptor.TYPE_ENUM:
        names = ", ".join(v.name for v in field.enum_type.values)
        return f"unknown value {value!r}; expected one of: {names}"
    text = _PARSE_SUFFIX.sub("", _PARSE_PREFIX.sub("", str(error).splitlines()[0]))
    if field.cpp_type in _INTEGER_TYPES and "out of range" not in text:
        return f"expected an integer, got {_kind(value)} {value!r}"
    return text or "invalid value"
