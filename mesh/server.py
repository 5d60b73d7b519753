"""The mesh gRPC server: interceptor chain, health, reflection and graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health_pb2_grpc
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from mesh.health import HealthMonitor, Probe, instance_service
from mesh.interceptors import Authenticator, MethodTable, server_chain
from mesh.reflection import enable_reflection

logger = logging.getLogger("meshwork.server")

_SERVER_OPTIONS = (
    ("grpc.max_receive_message_length", 8 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 60_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
)


@dataclass(frozen=True, slots=True)
class ServiceBinding:
    """A servicer with its service descriptor and the generated function that registers it."""

    descriptor: ServiceDescriptor
    servicer: object
    register: Callable[[Any, grpc.aio.Server], None]
    messages: ModuleType | None = None  # the *_pb2 module, whose comments reflection serves

    @classmethod
    def of(cls, messages: ModuleType, stubs: ModuleType, servicer: object) -> ServiceBinding:
        """Binds `servicer` (a subclass of a `<Name>Servicer` in `stubs`, the *_pb2_grpc module)."""
        for base in type(servicer).__mro__:
            if base.__module__ == stubs.__name__ and base.__name__.endswith("Servicer"):
                name = base.__name__.removesuffix("Servicer")
                return cls(
                    descriptor=messages.DESCRIPTOR.services_by_name[name],
                    servicer=servicer,
                    register=getattr(stubs, f"add_{name}Servicer_to_server"),
                    messages=messages,
                )
        raise TypeError(f"{type(servicer).__name__} subclasses no servicer of {stubs.__name__}")


class MeshServer:
    """A gRPC server with its health monitor, opened before its services are ready.

    `open()` binds the address and answers health at once (NOT_SERVING: starting) while the
    process still waits for its dependencies; `attach()` adds the services once they are
    built; `start()` (which opens first if needed) serves them and lets the probes decide
    health. Until attached, every call but health's is answered UNAVAILABLE. See
    `create_server` for a server built with its services in one go.
    """

    def __init__(
        self,
        server: grpc.aio.Server,
        health: HealthMonitor,
        *,
        address: str,
        services: _AttachedServices,
        chain: _AttachedChain | None,
    ) -> None:
        self.grpc = server
        self.health = health
        self.port = 0
        self._address = address
        self._services = services
        self._chain = chain
        self._opened = False
        self._stopped = False

    def bind(self) -> int:
        """Listens on the address (port 0 picks a free one) and returns the port."""
        if not self.port:
            port = self.grpc.add_insecure_port(self._address)
            if port == 0:
                raise OSError(f"cannot listen on {self._address}: the address is taken or invalid")
            self.port = port
        return self.port

    async def open(self) -> None:
        """Binds and answers at once: health NOT_SERVING, other calls UNAVAILABLE, until
        `start()`."""
        if not self._opened:
            self.bind()
            await self.health.starting()
            await self.grpc.start()
            self._opened = True

    def attach(
        self,
        bindings: Sequence[ServiceBinding],
        *,
        probes: Mapping[str, Probe] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        """Adds the services (with reflection), the probes that decide health, and the
        interceptors every call runs through (only for a server opened without them)."""
        if interceptors:
            if self._chain is None:
                raise ValueError("this server was built with its interceptors")
            self._chain.interceptors = tuple(interceptors)
        for binding in bindings:
            binding.register(binding.servicer, self._services)
        names = [binding.descriptor.full_name for binding in bindings]
        modules = [b.messages for b in bindings if b.messages is not None]
        enable_reflection(self._services, names, modules)
        self.health.add(names, probes or {})
        self._services.attached = True

    async def start(self) -> None:
        """Serves the attached services; health follows the probes from now on."""
        await self.open()
        await self.health.start()

    async def stop(self, grace_s: float = 5.0) -> None:
        """Health → NOT_SERVING first (load balancers drain), then finish calls within grace.
        Once stopped, stopping again does nothing."""
        if self._stopped:
            return
        self._stopped = True
        await self.health.shutdown()
        await self.grpc.stop(grace_s)


class _AttachedServices(grpc.GenericRpcHandler):
    """The handlers of the services attached to a server, looked up by wire name. It takes
    the calls a generated `add_<Name>Servicer_to_server` makes on a server, so services can
    join a server that already runs (grpc takes registrations only before it starts)."""

    def __init__(self) -> None:
        self._methods: dict[str, grpc.RpcMethodHandler] = {}
        self._generic: list[grpc.GenericRpcHandler] = []
        self.attached = False

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._generic.extend(handlers)

    def add_registered_method_handlers(
        self, service: str, handlers: Mapping[str, grpc.RpcMethodHandler]
    ) -> None:
        self._methods.update({f"/{service}/{name}": h for name, h in handlers.items()})

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        handler = self._methods.get(details.method)
        if handler is not None:
            return handler
        for generic in self._generic:
            if (handler := generic.service(details)) is not None:
                return handler
        return None if self.attached else _STARTING


async def _starting(requests: object, context: grpc.aio.ServicerContext) -> None:
    await context.abort(
        grpc.StatusCode.UNAVAILABLE, "the service is starting (waiting for its dependencies)"
    )


#: Answers any call (whatever its arity: it reads nothing) while the services are not attached.
_STARTING = grpc.stream_stream_rpc_method_handler(_starting)


class _AttachedChain(grpc.aio.ServerInterceptor):
    """The interceptors of a server opened before they could be built: none until attached."""

    def __init__(self) -> None:
        self.interceptors: tuple[grpc.aio.ServerInterceptor, ...] = ()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        return await _through(self.interceptors, 0, continuation, details)


async def _through(
    interceptors: tuple[grpc.aio.ServerInterceptor, ...],
    index: int,
    continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
    details: grpc.HandlerCallDetails,
) -> grpc.RpcMethodHandler | None:
    if index == len(interceptors):
        return await continuation(details)
    inner = functools.partial(_through, interceptors, index + 1, continuation)
    return await interceptors[index].intercept_service(inner, details)


def create_server(
    bindings: Sequence[ServiceBinding],
    *,
    service: str,
    authenticator: Authenticator,
    address: str = "127.0.0.1:0",
    probes: Mapping[str, Probe] | None = None,
    registry: CollectorRegistry | None = None,
    tracer_provider: TracerProvider | None = None,
    instance_id: str = "",
) -> tuple[MeshServer, int]:
    """Builds a server for `bindings`, bound to `address` (port 0 picks a free one).

    Every server gets the mesh interceptor chain, grpc.health.v1 (NOT_SERVING while a probe
    fails) and server reflection. Metrics go to `registry` and spans to `tracer_provider`
    (defaults: the global ones). With an `instance_id`, health also answers for
    `instance_service(instance_id)`, which tells a supervisor this server is the process it
    started. Returns the server, not yet started, and its port.
    """
    return assemble_server(
        bindings,
        interceptors=mesh_chain(
            bindings,
            service=service,
            authenticator=authenticator,
            registry=registry,
            tracer_provider=tracer_provider,
        ),
        address=address,
        probes=probes,
        instance_id=instance_id,
    )


def mesh_chain(
    bindings: Sequence[ServiceBinding],
    *,
    service: str,
    authenticator: Authenticator,
    registry: CollectorRegistry | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Sequence[grpc.aio.ServerInterceptor]:
    """The mesh interceptor chain for the methods of `bindings` (see `server_chain`)."""
    return server_chain(
        MethodTable(binding.descriptor for binding in bindings),
        service=service,
        authenticator=authenticator,
        registry=registry,
        tracer_provider=tracer_provider,
    )


def assemble_server(
    bindings: Sequence[ServiceBinding],
    *,
    interceptors: Sequence[grpc.aio.ServerInterceptor],
    address: str = "127.0.0.1:0",
    probes: Mapping[str, Probe] | None = None,
    instance_id: str = "",
) -> tuple[MeshServer, int]:
    """The server `create_server` builds, around `interceptors` instead of the mesh chain.

    Services use `create_server`; without the chain nothing is authenticated. This exists so
    the chain's own cost can be measured against the same server without it
    (bench/mesh_chain.py).
    """
    server = open_server(address=address, instance_id=instance_id, interceptors=interceptors)
    server.attach(bindings, probes=probes)
    return server, server.bind()


def open_server(
    *,
    address: str = "127.0.0.1:0",
    instance_id: str = "",
    services: Sequence[str] = (),
    interceptors: Sequence[grpc.aio.ServerInterceptor] | None = None,
    reuse_port: bool = False,
) -> MeshServer:
    """A server with health and nothing else yet, for services attached later (`attach`).

    Health answers for the overall server, `services` (the names the process will serve)
    and, with an `instance_id`, `instance_service(instance_id)`: NOT_SERVING from `open()`
    until `start()`. With `interceptors` None, those given to `attach` run on every call.
    `reuse_port` shares the port with other processes that set it (SO_REUSEPORT): a
    successor can listen beside the process it replaces; otherwise a taken port is an error.
    """
    chain = _AttachedChain() if interceptors is None else None
    options = (("grpc.so_reuseport", int(reuse_port)), *_SERVER_OPTIONS)
    server = grpc.aio.server(
        interceptors=[chain] if chain is not None else interceptors, options=options
    )
    attached = _AttachedServices()
    server.add_generic_rpc_handlers((attached,))
    instance = [instance_service(instance_id)] if instance_id else []
    health = HealthMonitor([*services, *instance], {})
    health_pb2_grpc.add_HealthServicer_to_server(health.servicer, server)
    return MeshServer(server, health, address=address, services=attached, chain=chain)


@contextlib.contextmanager
def termination_requested() -> Iterator[asyncio.Event]:
    """An event set by SIGTERM or SIGINT, handled from now until the block ends.

    Install it before starting anything, so a signal during start-up still stops gracefully.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def serve(server: MeshServer, *, grace_s: float = 10.0) -> None:
    """Runs `server` until SIGTERM or SIGINT, then shuts it down gracefully."""
    with termination_requested() as stop:
        await server.start()
        logger.info("listening", extra={"port": server.port})
        try:
            await stop.wait()
            logger.info("shutting down", extra={"grace_s": grace_s})
        finally:
            await server.stop(grace_s)
