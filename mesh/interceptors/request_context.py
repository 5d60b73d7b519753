"""Request ids and the access log: every call gets an id and one structured log line."""

from __future__ import annotations

import asyncio
import contextvars
import logging

import grpc

from mesh.context import REQUEST_ID_KEY, new_request_id, request_id_var
from mesh.interceptors.base import Call

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
    """The call's one access-log line (ERROR for the codes that mean the server failed).

    The record is made and handled directly, its fields set on it afterwards: the source-line
    lookup `logger.log` does and the checks `extra` gets (these names are known not to clash
    with a record's own) say nothing here and cost on every call.
    """
    level = logging.ERROR if code in ("INTERNAL", "UNKNOWN", "DATA_LOSS") else logging.INFO
    if not logger.isEnabledFor(level):
        return
    record = logger.makeRecord(logger.name, level, __file__, 0, "%s %s", (call.method, code), None)
    fields = record.__dict__
    fields["rpc"] = call.method
    fields["code"] = code
    fields["duration_ms"] = round(duration_s * 1000, 2)
    fields["peer"] = context.peer()
    logger.handle(record)
