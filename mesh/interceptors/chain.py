"""The mesh interceptor: every served call runs inside one scope that applies each layer.

Outermost first: tracing → request id + access log → RED metrics → error mapping →
deadline → authentication. Each layer lives in its own module as plain functions; they run
here, in one interceptor and one scope object per call, because every extra grpc.aio
interceptor and generator-based context manager costs measurably on each call
(bench/mesh_chain.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import grpc
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from mesh.context import Principal, deadline_var, principal_var, request_id_var
from mesh.contracts import MethodContract
from mesh.interceptors.auth import Authenticator, authenticate
from mesh.interceptors.base import Call, MethodTable
from mesh.interceptors.deadline import call_timeout
from mesh.interceptors.errors import abort_with, status_of_failure
from mesh.interceptors.metrics import MethodMetrics, server_metrics
from mesh.interceptors.request_context import adopt_request_id, log_access, status_code_of
from mesh.interceptors.tracing import ServerSpan, ServerTracing

#: The metadata of the call this task serves, as the interceptor received it.
_received_metadata: contextvars.ContextVar[Sequence[tuple[str, str | bytes]] | None] = (
    contextvars.ContextVar("meshwork_received_metadata", default=None)
)


class _Method:
    """What the scope needs to know about a served method, resolved once per method."""

    __slots__ = ("contract", "metrics", "name")

    def __init__(self, name: str, contract: MethodContract | None, metrics: MethodMetrics) -> None:
        self.name = name
        self.contract = contract
        self.metrics = metrics


class MeshInterceptor(grpc.aio.ServerInterceptor):
    """Runs every call (unary or streaming) inside a `CallScope`."""

    def __init__(
        self,
        methods: MethodTable,
        *,
        service: str,
        authenticator: Authenticator,
        registry: CollectorRegistry | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        self._methods = methods
        self._service = service
        self._authenticator = authenticator
        self._metrics = server_metrics(registry)
        self._tracing = ServerTracing(tracer_provider)
        # Wrapped handlers per method: wrapping once keeps per-call work to the scope itself.
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, Any]] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        # The handler runs in this same task (grpc.aio awaits the interceptors, then the
        # handler, in the call's one task), so it finds the metadata already read here.
        _received_metadata.set(handler_call_details.invocation_metadata)
        name = handler_call_details.method
        cached = self._wrapped.get(name)
        if cached is None or cached[0] is not handler:
            method = _Method(
                name, self._methods.get(name), self._metrics.method(self._service, name)
            )
            cached = (handler, self._wrap(handler, method))
            self._wrapped[name] = cached
        return cached[1]

    def _wrap(self, handler: grpc.RpcMethodHandler, method: _Method) -> Any:
        authenticator, tracing = self._authenticator, self._tracing

        def unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
            async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
                async with CallScope(method, context, authenticator, tracing):
                    return await behavior(request, context)

            return run

        def streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
            if not inspect.isasyncgenfunction(behavior):
                return unary(behavior)  # a streaming handler written with context.write()

            # The responses are written from the call's own task, never yielded to grpc: an
            # async generator that grpc stops iterating (the client cancelled) is finalized
            # later by the garbage collector, and its scope would then touch a call grpc has
            # already freed (a segfault in grpc's Cython layer). Here a cancellation ends the
            # scope, and closes the handler's generator, while the call is still alive.
            async def run(request: Any, context: grpc.aio.ServicerContext) -> None:
                async with (
                    CallScope(method, context, authenticator, tracing),
                    contextlib.aclosing(behavior(request, context)) as responses,
                ):
                    async for response in responses:
                        await context.write(response)

            return run

        if handler.unary_unary:
            return handler._replace(unary_unary=unary(handler.unary_unary))
        if handler.stream_unary:
            return handler._replace(stream_unary=unary(handler.stream_unary))
        if handler.unary_stream:
            return handler._replace(unary_stream=streaming(handler.unary_stream))
        return handler._replace(stream_stream=streaming(handler.stream_stream))


class CallScope:
    """One served call, from arrival to its final status.

    Entering: start the server span, adopt the request id, count the call, bound it by its
    deadline, authenticate and authorize the caller. Leaving (also when entering failed):
    map the handler's exception to its status, then record that status in the metrics, the
    access log and the span. The context variables set on entry (the caller among them, which
    the access line names) are reset after that.
    """

    __slots__ = (
        "_authenticator",
        "_call",
        "_context",
        "_deadline",
        "_method",
        "_principal",
        "_request_id",
        "_span",
        "_started",
        "_timeout",
        "_tracing",
    )

    def __init__(
        self,
        method: _Method,
        context: grpc.aio.ServicerContext,
        authenticator: Authenticator,
        tracing: ServerTracing,
    ) -> None:
        self._method = method
        self._tracing = tracing
        self._context = context
        self._authenticator = authenticator
        self._call = Call(method.name, method.contract, context, _received_metadata.get())
        self._span: ServerSpan | None = None
        self._request_id: contextvars.Token[str] | None = None
        self._deadline: contextvars.Token[float | None] | None = None
        self._principal: contextvars.Token[Principal] | None = None
        self._timeout: asyncio.Timeout | None = None
        self._started = 0.0

    async def __aenter__(self) -> CallScope:
        call, context = self._call, self._context
        if call.contract is not None:  # infrastructure (health, reflection) is not traced
            self._span = self._tracing.start(call, context)
        self._request_id = adopt_request_id(call, context)
        self._method.metrics.begin()
        self._started = time.perf_counter()
        try:  # admit the call: bound it by its deadline, then authenticate and authorize
            timeout_s, enforced = call_timeout(call, context)
            if timeout_s is not None:
                self._deadline = deadline_var.set(time.monotonic() + timeout_s)
            if enforced:  # the caller set no deadline: the method's default applies
                self._timeout = asyncio.timeout(timeout_s)
                await self._timeout.__aenter__()
            principal = await authenticate(call, self._authenticator)
            if principal is not None:
                self._principal = principal_var.set(principal)
        except BaseException as error:
            await self.__aexit__(type(error), error, error.__traceback__)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timeout is not None:
            try:
                await self._timeout.__aexit__(exc_type, error, traceback)
            except TimeoutError as timed_out:  # the default deadline cut the handler off
                error = timed_out
            self._timeout = None
        outcome = await self._map_failure(error) if error is not None else None
        code = status_code_of(self._context, outcome)
        duration_s = time.perf_counter() - self._started
        self._method.metrics.end(code, duration_s)
        log_access(self._call, self._context, code, duration_s)  # with the caller still current
        if self._span is not None:
            self._span.end(code, error)
        if self._principal is not None:
            principal_var.reset(self._principal)
            self._principal = None
        if self._deadline is not None:
            deadline_var.reset(self._deadline)
            self._deadline = None
        if self._request_id is not None:
            request_id_var.reset(self._request_id)
            self._request_id = None
        if outcome is not None and outcome is not error:
            raise outcome  # the abort carrying the mapped status

    async def _map_failure(self, error: BaseException) -> BaseException:
        """Ends the call with the status `error` maps to; returns the exception that ends it."""
        status = status_of_failure(self._call.method, error)
        if status is None:
            return error
        try:
            await abort_with(self._context, status)
        except grpc.aio.AbortError as aborted:
            return aborted
        return error
