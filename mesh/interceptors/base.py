"""The shape every mesh server interceptor shares: an async context around each call."""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Call:
    """What an interceptor knows about the call it wraps."""

    method: str
    contract: MethodContract | None
    metadata: Mapping[str, str]


class CallInterceptor(grpc.aio.ServerInterceptor):
    """Runs `around(call, context)` as an async context around every served call.

    Subclasses implement `around`; it works the same for unary and streaming responses.
    Exceptions raised by the handler (or by inner interceptors) pass through it.
    """

    def __init__(self, methods: MethodTable) -> None:
        self._methods = methods

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
        metadata = _text_metadata(handler_call_details.invocation_metadata or ())
        call = Call(method=method, contract=self._methods.get(method), metadata=metadata)
        return _wrap(handler, call, self.around)


def _text_metadata(pairs: Iterable[tuple[str, str | bytes]]) -> dict[str, str]:
    return {key: value for key, value in pairs if isinstance(value, str)}


def _wrap(handler: grpc.RpcMethodHandler, call: Call, around: Callable[..., Any]) -> Any:
    def unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
        async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
            async with around(call, context):
                return await behavior(request, context)

        return run

    def streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.isasyncgenfunction(behavior):
            return unary(behavior)  # a streaming handler written with context.write()

        async def run(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
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
