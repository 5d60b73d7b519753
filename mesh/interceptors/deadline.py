"""Deadlines: a call without one gets its method's default; an expired one is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc

from mesh.context import deadline_var
from mesh.contracts import DEFAULT_DEADLINE_S
from mesh.errors import MESH_DOMAIN, DomainError
from mesh.interceptors.base import Call, CallInterceptor


class DeadlineExpired(DomainError):
    """The call's deadline had passed before it could start."""

    code = "DEADLINE_EXCEEDED"


class DeadlineInterceptor(CallInterceptor):
    """Bounds every call by its deadline and publishes it to `mesh.context.time_remaining`.

    The caller's deadline wins; a call that arrives without one gets the method's declared
    `default_deadline_ms` (or the mesh default), so no handler runs unbounded. Outgoing calls
    made while serving inherit what is left of it.
    """

    @asynccontextmanager
    async def around(self, call: Call, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        remaining = context.time_remaining()
        if remaining is None and call.contract is None:
            yield  # infrastructure (health Watch, reflection streams) runs as long as asked
            return
        if remaining is not None and remaining <= 0:
            raise DeadlineExpired(
                f"{call.method}: the deadline had passed when the call arrived",
                reason="DEADLINE_EXPIRED_ON_ARRIVAL",
                domain=MESH_DOMAIN,
            )
        loop = asyncio.get_running_loop()
        if remaining is not None:
            # gRPC itself cancels the handler when the caller's deadline passes.
            token = deadline_var.set(loop.time() + remaining)
            try:
                yield
            finally:
                deadline_var.reset(token)
            return
        default = call.contract.default_deadline_s if call.contract else DEFAULT_DEADLINE_S
        token = deadline_var.set(loop.time() + default)
        try:
            async with asyncio.timeout(default):
                yield
        finally:
            deadline_var.reset(token)
