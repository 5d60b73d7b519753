"""A service's field violations renamed for REST clients: the paths in proto names that a
service reports (`user.phone_number`, `items[0].unit_price`) in the lowerCamelCase JSON names
the client sent (`user.phoneNumber`), as the edge names the violations it finds itself."""

from __future__ import annotations

import re

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.rpc import error_details_pb2, status_pb2

#: One step of a path: a field name and any indexes or map keys after it ("items[0]").
_STEP = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<index>(?:\[[^\]]*\])*)$")


def json_path(message: Descriptor, path: str) -> str:
    """`path` with each field of `message` it names in its JSON name; from the first step that
    is not a field (a header, "body", a typo of the service's) the rest is kept as it is."""
    steps = path.split(".")
    current: Descriptor | None = message
    for position, step in enumerate(steps):
        matched = _STEP.match(step)
        field = current.fields_by_name.get(matched["name"]) if current and matched else None
        if field is None or matched is None:
            break
        steps[position] = field.json_name + matched["index"]
        current = _message_within(field)
    return ".".join(steps)


def with_json_paths(status: status_pb2.Status, message: Descriptor) -> status_pb2.Status:
    """`status` with the field paths of its BadRequest detail, if any, as `json_path` gives
    them for a request of type `message`; every other detail as it was."""
    renamed = status_pb2.Status()
    renamed.CopyFrom(status)
    for detail in renamed.details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            for violation in bad_request.field_violations:
                violation.field = json_path(message, violation.field)
            detail.Pack(bad_request)
    return renamed


def _message_within(field: FieldDescriptor) -> Descriptor | None:
    """The message a path continues into after `field` (a map's value message, for maps)."""
    message = field.message_type
    if message is not None and message.GetOptions().map_entry:
        return message.fields_by_name["value"].message_type
    return message
