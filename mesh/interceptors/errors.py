"""Maps exceptions to gRPC status: DomainError → its code with ErrorInfo (+ BadRequest)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from mesh.context import REQUEST_ID_KEY, current_request_id
from mesh.errors import MESH_DOMAIN, DomainError, InvalidArgument, ResourceExhausted
from mesh.interceptors.base import Call, CallInterceptor

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
    info = error_details_pb2.ErrorInfo(
        reason="DEPENDENCY_UNAVAILABLE", domain=MESH_DOMAIN, metadata={"status": error.code().name}
    )
    message = f"a service {method} depends on is unavailable ({error.details()}); retry later"
    return rich_status(code_pb2.UNAVAILABLE, message, info)


class ErrorInterceptor(CallInterceptor):
    """Turns DomainError into its status, TimeoutError into DEADLINE_EXCEEDED, the rest INTERNAL."""

    @asynccontextmanager
    async def around(self, call: Call, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        try:
            yield
        except grpc.aio.AbortError:
            raise
        except grpc.aio.AioRpcError as error:  # a call this handler made to another service
            await abort_with(context, dependency_failure_status(call.method, error))
        except DomainError as error:
            await abort_with(context, rpc_status_of(error))
        except TimeoutError:
            status = status_pb2.Status(
                code=code_pb2.DEADLINE_EXCEEDED,
                message=f"{call.method} did not finish before its deadline",
            )
            await abort_with(context, status)
        except Exception:
            logger.exception("unhandled error in %s", call.method)
            await abort_with(context, internal_error_status())
