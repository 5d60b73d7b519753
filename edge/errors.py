"""Errors at the edge: gRPC status → HTTP status, rendered as an AIP-193 JSON body.

    {"error": {"code": 404, "status": "NOT_FOUND", "message": "...",
               "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", ...},
                           {"@type": "type.googleapis.com/google.rpc.RequestInfo",
                            "requestId": "..."}]}}

Upstream errors keep their `google.rpc.Status` (from `grpc-status-details-bin`); the edge's own
refusals are `mesh.errors.DomainError`s (domain `edge.meshwork`), mapped the same way.
Unexpected failures answer 500 with the request id only, never a stack trace.
"""

from __future__ import annotations

import base64
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import grpc
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from google.protobuf import any_pb2, json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2
from starlette.exceptions import HTTPException

from mesh.client.status import rich_status_of
from mesh.errors import DomainError
from mesh.interceptors.errors import rich_status, rpc_status_of

logger = logging.getLogger("meshwork.edge")

#: ErrorInfo domain of the errors the edge raises itself.
EDGE_DOMAIN = "edge.meshwork"
#: Where the request id of a request is kept in its ASGI scope.
REQUEST_ID_SCOPE_KEY = "meshwork.request_id"

#: google.rpc.Code → HTTP status, as google/rpc/code.proto documents it.
HTTP_STATUS: dict[int, int] = {
    code_pb2.OK: 200,
    code_pb2.CANCELLED: 499,
    code_pb2.UNKNOWN: 500,
    code_pb2.INVALID_ARGUMENT: 400,
    code_pb2.DEADLINE_EXCEEDED: 504,
    code_pb2.NOT_FOUND: 404,
    code_pb2.ALREADY_EXISTS: 409,
    code_pb2.PERMISSION_DENIED: 403,
    code_pb2.UNAUTHENTICATED: 401,
    code_pb2.RESOURCE_EXHAUSTED: 429,
    code_pb2.FAILED_PRECONDITION: 400,
    code_pb2.ABORTED: 409,
    code_pb2.OUT_OF_RANGE: 400,
    code_pb2.UNIMPLEMENTED: 501,
    code_pb2.INTERNAL: 500,
    code_pb2.UNAVAILABLE: 503,
    code_pb2.DATA_LOSS: 500,
}


class EdgeError(DomainError):
    """A refusal of the edge whose HTTP status is not the one its gRPC code maps to."""

    http_status: ClassVar[int] = 400


class UnsupportedMediaType(EdgeError):
    """The request body is not JSON."""

    code = "INVALID_ARGUMENT"
    http_status = 415


class PayloadTooLarge(EdgeError):
    """The request body exceeds the configured limit."""

    code = "INVALID_ARGUMENT"
    http_status = 413


class MethodNotAllowed(EdgeError):
    """The path exists, but not with this HTTP method; `Allow` lists the methods it has."""

    code = "UNIMPLEMENTED"
    http_status = 405

    def __init__(self, method: str, allowed: Sequence[str]) -> None:
        super().__init__(
            f"{method} is not allowed on this path; allowed: {', '.join(allowed)}",
            reason="METHOD_NOT_ALLOWED",
            domain=EDGE_DOMAIN,
        )
        self.headers = {"Allow": ", ".join(allowed)}


class UpstreamError(Exception):
    """An upstream call failed: the status to answer with, and headers to add."""

    def __init__(self, status: status_pb2.Status, *, headers: Mapping[str, str] | None = None):
        super().__init__(status.message)
        self.status = status
        self.headers = dict(headers or {})

    @property
    def code(self) -> int:
        return self.status.code


def request_id_of(scope: Mapping[str, Any]) -> str:
    return str(scope.get(REQUEST_ID_SCOPE_KEY, ""))


def status_of_rpc_error(error: grpc.aio.AioRpcError, *, upstream: str = "") -> status_pb2.Status:
    """The google.rpc.Status an upstream call ended with, details included when it sent them.

    A status without details comes from gRPC itself rather than from a mesh service (which
    always sends an ErrorInfo); its text would describe the mesh's insides (addresses,
    connection errors), so the client gets a plain message instead, with the ErrorInfo that
    AIP-193 asks of every error (reason UPSTREAM_<CODE>, the upstream's name in metadata).
    `upstream` is the mesh service's name ("users"), when known.
    """
    sent = rich_status_of(error)
    if sent is not None:
        return sent
    code = error.code().value[0]
    named = f"the {upstream} service" if upstream else "a service"
    message = _TRANSPORT_MESSAGES.get(code, "{upstream} failed").format(upstream=named)
    info = error_details_pb2.ErrorInfo(
        reason=f"UPSTREAM_{error.code().name}",
        domain=EDGE_DOMAIN,
        metadata={"upstream": upstream} if upstream else {},
    )
    return rich_status(code, message, info)


_TRANSPORT_MESSAGES = {
    code_pb2.UNAVAILABLE: "{upstream} is unavailable; retry later",
    code_pb2.DEADLINE_EXCEEDED: "{upstream} did not answer in time",
    code_pb2.UNIMPLEMENTED: "{upstream} does not implement this method (yet)",
    code_pb2.CANCELLED: "the call to {upstream} was cancelled",
}


def error_response(
    status: status_pb2.Status,
    *,
    request_id: str,
    http_status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The AIP-193 response for a status, with X-Request-Id, Retry-After and WWW-Authenticate."""
    http_status = http_status or HTTP_STATUS.get(status.code, 500)
    details = [_detail_json(detail) for detail in status.details]
    details.append(
        json_format.MessageToDict(_packed(error_details_pb2.RequestInfo(request_id=request_id)))
    )
    body = {
        "error": {
            "code": http_status,
            "status": code_pb2.Code.Name(status.code) if status.code in HTTP_STATUS else "UNKNOWN",
            "message": status.message,
            "details": details,
        }
    }
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    retry_after = _retry_after_s(status)
    if retry_after is not None and "Retry-After" not in all_headers:
        all_headers["Retry-After"] = str(retry_after)
    if http_status == 401:
        all_headers["WWW-Authenticate"] = 'Bearer realm="meshwork"'
    return JSONResponse(body, status_code=http_status, headers=all_headers)


def domain_error_response(error: DomainError, *, request_id: str) -> JSONResponse:
    """The response for one of the edge's own refusals (or a DomainError raised in mesh code)."""
    return error_response(
        rpc_status_of(error),
        request_id=request_id,
        http_status=error.http_status if isinstance(error, EdgeError) else None,
        headers=getattr(error, "headers", None),
    )


def install_error_handlers(app: FastAPI) -> None:
    """Every failure a route can raise, rendered as AIP-193 JSON."""
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(grpc.aio.AioRpcError, _on_rpc_error)
    app.add_exception_handler(UpstreamError, _on_upstream_error)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected_error)


async def _on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    return domain_error_response(error, request_id=request_id_of(request.scope))


async def _on_rpc_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, grpc.aio.AioRpcError)
    status = status_of_rpc_error(error)
    return error_response(status, request_id=request_id_of(request.scope))


async def _on_upstream_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, UpstreamError)
    return error_response(
        error.status, request_id=request_id_of(request.scope), headers=error.headers
    )


#: Starlette's own refusals (no route, a route of the edge's own asked with another method):
#: their gRPC code, ErrorInfo reason and message.
_HTTP_REFUSALS: dict[int, tuple[int, str, str]] = {
    404: (code_pb2.NOT_FOUND, "ROUTE_NOT_FOUND",
          "no route matches {method} {path}; the API is listed at /docs"),
    405: (code_pb2.UNIMPLEMENTED, "METHOD_NOT_ALLOWED",
          "{method} is not allowed on {path}; allowed: {allow}"),
}  # fmt: skip


async def _on_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code, reason, message = _HTTP_REFUSALS.get(
        error.status_code, (code_pb2.INVALID_ARGUMENT, "BAD_REQUEST", "{detail}")
    )
    info = error_details_pb2.ErrorInfo(reason=reason, domain=EDGE_DOMAIN)
    headers = dict(error.headers or {})
    if "Allow" in headers:  # in one order, as the transcoded routes list theirs
        headers["Allow"] = ", ".join(sorted(headers["Allow"].split(", ")))
    text = message.format(
        method=request.method,
        path=request.url.path,
        detail=error.detail,
        allow=headers.get("Allow", ""),
    )
    return error_response(
        rich_status(code, text, info),
        request_id=request_id_of(request.scope),
        http_status=error.status_code,
        headers=headers,
    )


async def _on_unexpected_error(request: Request, error: Exception) -> Response:
    logger.error("unhandled error in %s %s", request.method, request.url.path, exc_info=error)
    request_id = request_id_of(request.scope)
    info = error_details_pb2.ErrorInfo(
        reason="INTERNAL_ERROR", domain=EDGE_DOMAIN, metadata={"request_id": request_id}
    )
    message = f"internal error; quote request id {request_id} when reporting it"
    return error_response(rich_status(code_pb2.INTERNAL, message, info), request_id=request_id)


def _packed(message: Any) -> any_pb2.Any:
    wrapper = any_pb2.Any()
    wrapper.Pack(message)
    return wrapper


def _detail_json(detail: any_pb2.Any) -> dict[str, Any]:
    try:
        return json_format.MessageToDict(detail)
    except (TypeError, KeyError, json_format.Error):  # a detail type this edge does not know
        return {"@type": detail.type_url, "value": base64.b64encode(detail.value).decode()}


def _retry_after_s(status: status_pb2.Status) -> int | None:
    for detail in status.details:
        retry = error_details_pb2.RetryInfo()
        if detail.Unpack(retry):
            return max(1, math.ceil(retry.retry_delay.ToTimedelta().total_seconds()))
    return None
