"""Request ids and the access log: every call gets an id and one structured log line."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from typing import Any

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
    """The call's one access-log line (ERROR for the codes that mean the server failed)."""
    level = logging.ERROR if code in ("INTERNAL", "UNKNOWN", "DATA_LOSS") else logging.INFO
    if not logger.isEnabledFor(level):
        return
    record = _access_record(level, f"{call.method} {code}")
    fields = record.__dict__
    fields["rpc"] = call.method
    fields["code"] = code
    fields["duration_ms"] = round(duration_s * 1000, 2)
    fields["peer"] = context.peer()
    logger.handle(record)


#: Per level, the fields every access record has in common, as the record factory made them.
_shared_fields: dict[int, dict[str, Any]] = {}


def _access_record(level: int, message: str) -> logging.LogRecord:
    """An access-log record, as `logger.makeRecord` would make it, for a fraction of its cost.

    Its fields but the time and message are the same on every call, so they are made once
    per level and copied; the record's own fields (its extras are set afterwards, by names
    known not to clash with them) come first, as the JSON formatter expects. When the
    process asks for what differs per record beyond that (thread or process fields) or
    installs its own record factory, records are made by the logger.
    """
    if (
        logging.logThreads
        or logging.logProcesses
        or logging.logMultiprocessing
        or logging.getLogRecordFactory() is not logging.LogRecord
    ):
        return logger.makeRecord(logger.name, level, __file__, 0, message, (), None)
    shared = _shared_fields.get(level)
    if shared is None:
        made = logger.makeRecord(logger.name, level, __file__, 0, "", (), None)
        shared = _shared_fields[level] = dict(made.__dict__)
    record = logging.LogRecord.__new__(logging.LogRecord)
    fields = record.__dict__
    fields.update(shared)
    created = time.time()
    fields["created"] = created
    fields["msecs"] = int((created - int(created)) * 1000) + 0.0
    fields["relativeCreated"] = shared["relativeCreated"] + (created - shared["created"]) * 1000
    fields["msg"] = message
    return record
