"""Conversions between Python values and protobuf messages (timestamps, enum values), shared."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import overload

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


@overload
def timestamp_of(moment: datetime) -> Timestamp: ...


@overload
def timestamp_of(moment: datetime | None) -> Timestamp | None: ...


def timestamp_of(moment: datetime | None) -> Timestamp | None:
    """The Timestamp of an aware datetime (None stays None: the field is left unset)."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def datetime_of(message: Message, field: str) -> datetime | None:
    """The aware UTC datetime of a Timestamp field of `message`; None when it is unset."""
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return stamp.ToDatetime(tzinfo=UTC)


@functools.cache  # one per enum type: its values share the prefix the Buf style demands
def _prefix(enum: EnumDescriptor) -> str:
    """The prefix of an enum's value names: "KYC_STATUS_" for KYC_STATUS_UNSPECIFIED = 0."""
    return enum.values_by_number[0].name.removesuffix("UNSPECIFIED")


def enum_name(wrapper: EnumTypeWrapper, number: int) -> str:
    """The name of a request's enum value without its prefix (KYC_STATUS_VERIFIED → VERIFIED),
    as domain enums spell it: "" when unspecified, the number itself when the contract has no
    such value (so the request's check names what was sent)."""
    try:
        name: str = wrapper.Name(number)
    except ValueError:
        return str(number)
    prefix = _prefix(wrapper.DESCRIPTOR)
    return "" if name == f"{prefix}UNSPECIFIED" else name.removeprefix(prefix)


def enum_number(wrapper: EnumTypeWrapper, name: str) -> int:
    """The number of the enum value a domain member names ("VERIFIED" → KYC_STATUS_VERIFIED)."""
    return int(wrapper.Value(_prefix(wrapper.DESCRIPTOR) + name))
