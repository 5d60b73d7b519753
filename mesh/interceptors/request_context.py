"""Request ids and the access log: every call gets an id and one structured log line."""

from __future__ import annotations

import asyncio
import contextvars
import logging

import grpc

from mesh.context import REQUEST_ID_KEY, new_request_id, request_id_var
from mesh.interceptors.base import Call
from mesh.logs import log_structured

logger = logging.getLogger("meshwork.access")

_MAX_REQUEST_ID = 128


def status_code_of(context: grpc.aio.ServicerContext, error: BaseException | None) -> str:
    """The status a finished call ended with, by name ("OK", "NOT_FOUND", ...)."""
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code.name
    if error is None:
        return "OK"
    return "CANCELLED" if isinstance(error, asyncio.CancelledError) else "UNKNOWN"


def adopt_request_id(call: Call, context: grpc.aio.ServicerContext) -> contextvars.Token[str]:
    """Makes the caller's `x-request-id` (or a new one) current and echoes it in the trailers."""
    request_id = call.metadata.get(REQUEST_ID_KEY, "")[:_MAX_REQUEST_ID] or new_request_id()
    context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
    return request_id_var.set(request_id)


def log_access(call: Call, context: grpc.aio.ServicerContext, code: str, duration_s: float) -> None:
    """The call's one access-log line (ERROR for the codes that mean the server failed)."""
    level = logging.ERROR if code in ("INTERNAL", "UNKNOWN", "DATA_LOSS") else logging.INFO
    fields = {
        "rpc": call.method,
        "code": code,
        "duration_ms": round(duration_s * 1000, 2),
        "peer": context.peer(),
    }
    log_structured(logger, level, f"{call.method} {code}", fields)
