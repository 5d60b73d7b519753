"""Response message → JSON (proto3 JSON mapping), or just its `response_body` field."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from edge.transcoding.bindings import HttpBinding


def response_json(binding: HttpBinding, message: Message) -> Any:
    """The JSON the client gets: lowerCamelCase names, enums by name, 64-bit integers as
    strings, fields at their default value left out (proto3 JSON's canonical form)."""
    data = json_format.MessageToDict(message)
    if not binding.response_body:
        return data
    field = message.DESCRIPTOR.fields_by_name[binding.response_body]
    if field.json_name in data:
        return data[field.json_name]
    return _default_json(field)


def _default_json(field: FieldDescriptor) -> Any:
    if field.is_repeated:
        return {} if field.message_type and field.message_type.GetOptions().map_entry else []
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return {}
    empty = GetMessageClass(field.containing_type)()
    return json_format.MessageToDict(empty, always_print_fields_with_no_presence=True).get(
        field.json_name
    )
