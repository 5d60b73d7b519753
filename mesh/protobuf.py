"""Conversions between Python values and protobuf well-known types, shared by every servicer."""

from __future__ import annotations

from datetime import datetime
from typing import overload

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
