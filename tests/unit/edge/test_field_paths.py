"""A service's field violations reach REST clients under the JSON names they sent."""

from __future__ import annotations

import pytest
from google.protobuf import any_pb2, struct_pb2
from google.rpc import error_details_pb2, status_pb2

from edge.transcoding.field_paths import json_path, with_json_paths
from meshwork.users.v1 import users_service_pb2 as users_pb

UPDATE_USER = users_pb.UpdateUserRequest.DESCRIPTOR


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("user.phone_number", "user.phoneNumber"),
        ("update_mask", "updateMask"),
        ("user.address.address_lines[1]", "user.address.addressLines[1]"),
        ("user.phoneNumber", "user.phoneNumber"),  # already a JSON name: kept
        # not a field: kept from there on (a header, the body, a service's own name)
        ("Idempotency-Key", "Idempotency-Key"),
        ("user.no_such_field.given_name", "user.no_such_field.given_name"),
        ("user.display_name.length", "user.displayName.length"),  # a scalar has no fields
        ("", ""),
    ],
)
def test_proto_names_become_json_names_along_the_path(path: str, expected: str) -> None:
    assert json_path(UPDATE_USER, path) == expected


def test_a_map_key_leads_into_the_value_message() -> None:
    assert (
        json_path(struct_pb2.Struct.DESCRIPTOR, "fields['a'].struct_value.fields['b'].bool_value")
        == "fields['a'].structValue.fields['b'].boolValue"
    )


def test_only_the_bad_request_detail_is_renamed() -> None:
    bad_request = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field="user.time_zone", description="is not an IANA time zone"
            )
        ]
    )
    info = error_details_pb2.ErrorInfo(reason="INVALID_TIME_ZONE", domain="users.meshwork")
    status = status_pb2.Status(code=3, message="the request has invalid fields: user.time_zone")
    for detail in (info, bad_request):
        status.details.add().Pack(detail)

    renamed = with_json_paths(status, UPDATE_USER)

    found = error_details_pb2.BadRequest()
    assert renamed.details[1].Unpack(found)
    assert [(v.field, v.description) for v in found.field_violations] == [
        ("user.timeZone", "is not an IANA time zone")
    ]
    assert renamed.details[0] == _packed(info)
    assert renamed.message == status.message
    assert status.details[1] == _packed(bad_request)  # the original is left as it was


def _packed(message: error_details_pb2.ErrorInfo | error_details_pb2.BadRequest) -> any_pb2.Any:
    wrapper = any_pb2.Any()
    wrapper.Pack(message)
    return wrapper
