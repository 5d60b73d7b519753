"""Request ids and the access log: every call gets an id and one structured log line."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc

from mesh.context import REQUEST_ID_KEY, request_id_var
from mesh.interceptors.base import Call, CallInterceptor, MethodTable

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


class RequestContextInterceptor(CallInterceptor):
    """Adopts the caller's `x-request-id` (or makes one), echoes it, and logs the call's outcome."""

    def __init__(self, methods: MethodTable, *, service: str) -> None:
        super().__init__(methods)
        self._service = service

    @asynccontextmanager
    async def around(self, call: Call, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        request_id = call.metadata.get(REQUEST_ID_KEY, "")[:_MAX_REQUEST_ID] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            yield
        except BaseException as raised:
            error = raised
            raise
        finally:
            code = status_code_of(context, error)
            level = logging.ERROR if code in ("INTERNAL", "UNKNOWN", "DATA_LOSS") else logging.INFO
            if logger.isEnabledFor(level):
                logger.log(
                    level,
                    "%s %s",
                    call.method,
                    code,
                    extra={
                        "rpc": call.method,
                        "code": code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "peer": context.peer(),
                    },
                )
            request_id_var.reset(token)
