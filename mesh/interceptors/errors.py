"""Maps exceptions to gRPC status: DomainError → its code with ErrorInfo (+ BadRequest)."""

from __future__ import annotations

import logging

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from mesh.client.status import DEPENDENCY_UNAVAILABLE
from mesh.context import REQUEST_ID_KEY, current_request_id
from mesh.errors import MESH_DOMAIN, DomainError, InvalidArgument, ResourceExhausted

logger = logging.getLogger("meshwork.errors")


def rpc_status_of(error: DomainError) -> status_pb2.Status:
    """The google.rpc.Status for a domain error: one ErrorInfo, plus BadRequest or RetryInfo."""
    code = code_pb2.Code.Value(error.code)
    details = [
        error_details_pb2.ErrorInfo(
            reason=error.reason, domain=error.domain, metadata=error.metadata
        )
    ]
    if isinstance(error, InvalidArgument) and error.violations:
        details.append(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description
                    )
                    for v in error.violations
                ]
            )
        )
    if isinstance(error, ResourceExhausted) and error.retry_after_s is not None:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(error.retry_after_s * 1e9))
        details.append(error_details_pb2.RetryInfo(retry_delay=delay))
    return rich_status(code, error.message, *details)


def rich_status(code: int, message: str, *details: Message) -> status_pb2.Status:
    """A google.rpc.Status with its details packed."""
    packed = []
    for detail in details:
        wrapper = any_pb2.Any()
        wrapper.Pack(detail)
        packed.append(wrapper)
    return status_pb2.Status(code=code, message=message, details=packed)


async def abort_with(context: grpc.aio.ServicerContext, status: status_pb2.Status) -> None:
    """Ends the call with a rich status (details travel in grpc-status-details-bin)."""
    converted = rpc_status.to_status(status)
    trailing = (*converted.trailing_metadata, (REQUEST_ID_KEY, current_request_id()))
    await context.abort(converted.code, converted.details, trailing)


def internal_error_status() -> status_pb2.Status:
    """What a caller sees of an unexpected failure: no internals, just the request id."""
    request_id = current_request_id()
    info = error_details_pb2.ErrorInfo(
        reason="INTERNAL_ERROR", domain=MESH_DOMAIN, metadata={"request_id": request_id}
    )
    message = f"internal error; quote request id {request_id} when reporting it"
    return rich_status(code_pb2.INTERNAL, message, info)


_DEPENDENCY_DOWN = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def dependency_failure_status(method: str, error: grpc.aio.AioRpcError) -> status_pb2.Status:
    """A downstream call failed: UNAVAILABLE if the dependency is down, else INTERNAL."""
    if error.code() not in _DEPENDENCY_DOWN:
        logger.error("downstream call failed in %s: %s %s", method, error.code(), error.details())
        return internal_error_status()
    # The details name addresses and connection errors inside the mesh: logged, never sent.
    logger.warning("a dependency of %s failed: %s %s", method, error.code().name, error.details())
    info = error_details_pb2.ErrorInfo(
        reason=DEPENDENCY_UNAVAILABLE, domain=MESH_DOMAIN, metadata={"status": error.code().name}
    )
    message = f"a service {method} depends on is unavailable ({error.code().name}); retry later"
    return rich_status(code_pb2.UNAVAILABLE, message, info)


def status_of_failure(method: str, error: BaseException) -> status_pb2.Status | None:
    """The status a handler's exception ends its call with: DomainError → its code with
    details, TimeoutError → DEADLINE_EXCEEDED, a failed downstream call → UNAVAILABLE or
    INTERNAL, anything else → INTERNAL (logged with its traceback here, never sent).

    None when gRPC already knows the outcome: an abort, a cancellation, or a BaseException
    that is not an Exception (the process is going down).
    """
    if isinstance(error, grpc.aio.AbortError) or not isinstance(error, Exception):
        return None
    if isinstance(error, grpc.aio.AioRpcError):  # a call this handler made to another service
        return dependency_failure_status(method, error)
    if isinstance(error, DomainError):
        return rpc_status_of(error)
    if isinstance(error, TimeoutError):
        return status_pb2.Status(
            code=code_pb2.DEADLINE_EXCEEDED, message=f"{method} did not finish before its deadline"
        )
    logger.error("unhandled error in %s", method, exc_info=error)
    return internal_error_status()
