"""Reading the rich status (`google.rpc.Status`) a callee ended a failed call with."""

from __future__ import annotations

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2, status_pb2

#: The trailer that carries a call's `google.rpc.Status`, details included.
STATUS_DETAILS_KEY = "grpc-status-details-bin"

#: The ErrorInfo reason of a callee that answered, but could not reach a service it needs.
DEPENDENCY_UNAVAILABLE = "DEPENDENCY_UNAVAILABLE"


def rich_status_of(error: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    """The status with details that the callee sent, or None when there is none (the failure
    came from gRPC itself, such as a connection refused) or it does not decode."""
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            try:
                return status_pb2.Status.FromString(value)
            except DecodeError:  # a garbled detail must not hide the error itself
                return None
    return None


def error_info_of(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo | None:
    """The callee's ErrorInfo (every mesh service sends one with each error), if any."""
    status = rich_status_of(error)
    if status is None:
        return None
    info = error_details_pb2.ErrorInfo()
    for detail in status.details:
        if detail.Unpack(info):
            return info
    return None


def relays_a_dependency_failure(error: grpc.aio.AioRpcError) -> bool:
    """Whether the callee answered that a service *it* calls is down: the callee itself is up,
    so this says nothing about its own health."""
    info = error_info_of(error)
    return info is not None and info.reason == DEPENDENCY_UNAVAILABLE
