"""The mesh gRPC server: interceptor chain, health, reflection and graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    ("grpc.so_reuseport", 0),  # a taken port is an error, not a silently shared one
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
    """A started-on-demand gRPC server with its health monitor; see `create_server`."""

    def __init__(self, server: grpc.aio.Server, health: HealthMonitor, port: int) -> None:
        self.grpc = server
        self.health = health
        self.port = port

    async def start(self) -> None:
        """Starts serving; health is checked before the first call is accepted."""
        await self.health.start()
        await self.grpc.start()

    async def stop(self, grace_s: float = 5.0) -> None:
        """Health → NOT_SERVING first (load balancers drain), then finish calls within grace."""
        await self.health.shutdown()
        await self.grpc.stop(grace_s)


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
    methods = MethodTable(binding.descriptor for binding in bindings)
    chain = server_chain(
        methods,
        service=service,
        authenticator=authenticator,
        registry=registry,
        tracer_provider=tracer_provider,
    )
    return assemble_server(
        bindings, interceptors=chain, address=address, probes=probes, instance_id=instance_id
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
    server = grpc.aio.server(interceptors=interceptors, options=_SERVER_OPTIONS)
    for binding in bindings:
        binding.register(binding.servicer, server)
    names = [binding.descriptor.full_name for binding in bindings]
    instance = [instance_service(instance_id)] if instance_id else []
    health = HealthMonitor([*names, *instance], probes or {})
    health_pb2_grpc.add_HealthServicer_to_server(health.servicer, server)
    enable_reflection(server, names, [b.messages for b in bindings if b.messages is not None])
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}: the address is taken or invalid")
    return MeshServer(server, health, port), port


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
