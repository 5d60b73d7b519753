"""The shape every mesh server interceptor shares: an async context around each call."""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor

from mesh.contracts import MethodContract, service_contracts


class MethodTable:
    """The contracts of the methods a server serves, looked up by wire name."""

    def __init__(self, services: Iterable[ServiceDescriptor]) -> None:
        self._contracts = service_contracts(services)

    def get(self, full_method: str) -> MethodContract | None:
        """The method's contract; None for infrastructure (health, reflection)."""
        return self._contracts.get(full_method)

    def __iter__(self) -> Any:
        return iter(self._contracts.values())


class Call:
    """What an interceptor knows about the call it wraps."""

    __slots__ = ("_context", "_metadata", "contract", "method")

    def __init__(
        self, method: str, contract: MethodContract | None, context: grpc.aio.ServicerContext
    ) -> None:
        self.method = method
        self.contract = contract
        self._context = context
        self._metadata: dict[str, str] | None = None

    @property
    def metadata(self) -> Mapping[str, str]:
        """The call's text metadata (binary entries left out), read once."""
        if self._metadata is None:
            pairs = self._context.invocation_metadata() or ()
            self._metadata = {key: value for key, value in pairs if isinstance(value, str)}
        return self._metadata


class CallInterceptor(grpc.aio.ServerInterceptor):
    """Runs `around(call, context)` as an async context around every served call.

    Subclasses implement `around`; it works the same for unary and streaming responses.
    Exceptions raised by the handler (or by inner interceptors) pass through it.
    """

    def __init__(self, methods: MethodTable) -> None:
        self._methods = methods
        # Wrapped handlers per method: wrapping once keeps per-call work to the `around` itself.
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, Any]] = {}

    @abstractmethod
    def around(self, call: Call, context: grpc.aio.ServicerContext) -> AbstractAsyncContextManager:
        """The async context the call runs in."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Any],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        cached = self._wrapped.get(method)
        if cached is None or cached[0] is not handler:
            cached = (handler, _wrap(handler, method, self._methods.get(method), self.around))
            self._wrapped[method] = cached
        return cached[1]


def _wrap(
    handler: grpc.RpcMethodHandler,
    method: str,
    contract: MethodContract | None,
    around: Callable[..., Any],
) -> Any:
    def unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call = Call(method, contract, context)
            async with around(call, context):
                return await behavior(request, context)

        return run

    def streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.isasyncgenfunction(behavior):
            return unary(behavior)  # a streaming handler written with context.write()

        async def run(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            call = Call(method, contract, context)
            async with around(call, context):
                async for response in behavior(request, context):
                    yield response

        return run

    if handler.unary_unary:
        return handler._replace(unary_unary=unary(handler.unary_unary))
    if handler.stream_unary:
        return handler._replace(stream_unary=unary(handler.stream_unary))
    if handler.unary_stream:
        return handler._replace(unary_stream=streaming(handler.unary_stream))
    return handler._replace(stream_stream=streaming(handler.stream_stream))
