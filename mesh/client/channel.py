"""Client channels to a callee, and typed clients that own their channel and breaker."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from opentelemetry.trace import TracerProvider

from mesh.breaker import CircuitBreaker
from mesh.client.config import (
    Keepalive,
    RetryPolicy,
    channel_options,
    channel_target,
    service_config,
)
from mesh.client.connection import ConnectionWait
from mesh.client.interceptors import (
    DefaultDeadlines,
    OutgoingContext,
    TokenProvider,
    mesh_interceptors,
)
from mesh.client.tracing import ClientTracing
from mesh.contracts import service_contracts

StubT = TypeVar("StubT")

_MESHWORK_PACKAGE = re.compile(r"^meshwork\.(?P<service>[a-z][a-z0-9_]*)\.v\d+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientOptions:
    """How this process calls its callees; build one in bootstrap and share it for every callee.

    `interceptors` run innermost, after ours; `channel_options` override our channel arguments.
    """

    token_provider: TokenProvider | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    keepalive: Keepalive = field(default_factory=Keepalive)
    failure_threshold: int = 5
    reset_timeout_s: float = 10.0
    #: How long calls wait for a callee that lost its connection to be back (a restart)
    #: before failing fast (an outage); see `mesh.client.connection`.
    connect_wait_s: float = 1.0
    credentials: grpc.ChannelCredentials | None = None
    tracer_provider: TracerProvider | None = None
    interceptors: Sequence[grpc.aio.ClientInterceptor] = ()
    channel_options: Mapping[str, str | int] = field(default_factory=dict)


def callee_audience(services: Sequence[ServiceDescriptor]) -> str:
    """The callee's service name ("users" for meshwork.users.v1), the audience of our token."""
    names = {
        match["service"]
        for service in services
        if (match := _MESHWORK_PACKAGE.match(service.file.package)) is not None
    }
    if len(names) != 1:
        packages = sorted({service.file.package for service in services})
        raise ValueError(
            f"cannot tell which mesh service a channel to {packages} reaches: a channel serves "
            "services of exactly one 'meshwork.<service>.v1' package"
        )
    return names.pop()


def create_channel(
    target: str | Sequence[str],
    *,
    services: Sequence[ServiceDescriptor],
    options: ClientOptions | None = None,
    breaker: CircuitBreaker | None = None,
) -> grpc.aio.Channel:
    """A grpc.aio channel to one callee, configured from the contracts of `services`.

    - round robin over every address of `target` (see `channel_target`);
    - per method: the declared default deadline for calls that set no timeout, and retries
      on UNAVAILABLE for idempotent methods only (through the gRPC service config);
    - keepalive pings, OpenTelemetry client spans (the W3C `traceparent` travels along);
    - the request id, the end user's token and, with a token provider, this service's token
      for the callee (audience derived from the services' package) in every call's metadata;
    - a circuit breaker (`breaker`, or a new one) failing unary calls fast while open;
    - calls made while the channel has no connection wait up to `options.connect_wait_s` for
      one (a restarting callee), then fail fast (see `mesh.client.connection`).

    Close the channel with `await channel.close()`.
    """
    options = options or ClientOptions()
    grpc_target = channel_target(target)
    contracts = service_contracts(services)
    breaker = breaker or _new_breaker(grpc_target, options)
    audience = callee_audience(services) if options.token_provider else ""
    outgoing = OutgoingContext(audience=audience, token_provider=options.token_provider)
    connection = ConnectionWait(options.connect_wait_s)
    interceptors = [
        *mesh_interceptors(
            tracing=ClientTracing(options.tracer_provider),
            deadlines=DefaultDeadlines(contracts),
            outgoing=outgoing,
            breaker=breaker,
            connection=connection,
        ),
        *options.interceptors,
    ]
    config = service_config(contracts.values(), options.retry)
    arguments = channel_options(config, options.keepalive, options.channel_options)
    if options.credentials is not None:
        channel = grpc.aio.secure_channel(
            grpc_target, options.credentials, options=arguments, interceptors=interceptors
        )
    else:
        channel = grpc.aio.insecure_channel(
            grpc_target, options=arguments, interceptors=interceptors
        )
    connection.channel = channel
    return channel


def _new_breaker(grpc_target: str, options: ClientOptions) -> CircuitBreaker:
    return CircuitBreaker(
        grpc_target,
        failure_threshold=options.failure_threshold,
        reset_timeout_s=options.reset_timeout_s,
    )


@dataclass(frozen=True, slots=True)
class ServiceClient(Generic[StubT]):
    """A typed stub with the channel and circuit breaker behind it; close it when done.

    `breaker.state` is there for metrics and readiness checks.
    """

    stub: StubT
    channel: grpc.aio.Channel
    breaker: CircuitBreaker

    async def close(self, grace: float | None = None) -> None:
        """Closes the channel, cancelling calls still running after `grace` seconds."""
        await self.channel.close(grace)

    async def __aenter__(self) -> ServiceClient[StubT]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def connect(
    stub_type: type[StubT],
    target: str | Sequence[str],
    *,
    service: ServiceDescriptor | None = None,
    options: ClientOptions | None = None,
    breaker: CircuitBreaker | None = None,
) -> ServiceClient[StubT]:
    """A client for the service behind a generated stub; the client owns channel and breaker.

        async with connect(UsersServiceStub, "dns:///users:50051", options=options) as users:
            user = await users.stub.GetUser(GetUserRequest(name="users/42"))

    The service's descriptor is found next to the stub (`x_pb2_grpc.FooStub` → `x_pb2`'s
    `Foo`); pass `service` for stubs that do not follow grpcio-tools' naming.
    See `create_channel` for what the channel does.
    """
    options = options or ClientOptions()
    descriptor = service or service_of_stub(stub_type)
    breaker = breaker or _new_breaker(channel_target(target), options)
    channel = create_channel(target, services=[descriptor], options=options, breaker=breaker)
    stub_factory: Any = stub_type  # generated stubs are untyped: StubT(channel)
    return ServiceClient(stub=stub_factory(channel), channel=channel, breaker=breaker)


def service_of_stub(stub_type: type[Any]) -> ServiceDescriptor:
    """The descriptor of the service a grpcio-tools stub class calls."""
    module_name = stub_type.__module__.removesuffix("_grpc")
    service_name = stub_type.__name__.removesuffix("Stub")
    try:
        descriptor: ServiceDescriptor = importlib.import_module(
            module_name
        ).DESCRIPTOR.services_by_name[service_name]
    except (ImportError, AttributeError, KeyError) as error:
        raise ValueError(
            f"no service {service_name!r} in {module_name!r} for stub {stub_type.__qualname__}: "
            "pass service=<its ServiceDescriptor>"
        ) from error
    return descriptor
