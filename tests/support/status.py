"""Reading the rich status of a refused gRPC call in tests."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
from google.rpc import error_details_pb2, status_pb2


async def refusal(call: Awaitable[object]) -> tuple[grpc.StatusCode, str]:
    """The status code and ErrorInfo reason of `call`, which must fail."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin", b"")
        for detail in status_pb2.Status.FromString(raw).details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return error.code(), info.reason
        return error.code(), ""
    raise AssertionError("the call succeeded; it was expected to be refused")
