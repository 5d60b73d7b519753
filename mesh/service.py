"""Runs a service: builds its resources in order, serves, and closes them in reverse on SIGTERM.

A service's `__main__` is one line — `run_service(Settings(), build=build, ...)` — and its
`build(runtime)` returns the servicers (and consumers) wired to `runtime`'s shared resources:
the database (migrated), the unit of work with its outbox relay, NATS, the token verifier,
outgoing service tokens and typed clients for other services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from google.protobuf.json_format import MessageToDict
from nats.aio.client import Client as NATS
from prometheus_client import start_http_server
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache, JwksFetch
from mesh.auth.revocation_feed import RevocationWatcher
from mesh.auth.revocations import Revocations
from mesh.auth.service_tokens import ServiceTokens, TokenIssuer
from mesh.auth.tokens import TokenVerifier
from mesh.client import ClientOptions, ServiceClient, connect
from mesh.db import UnitOfWork, create_engine, migrate, ping
from mesh.events.envelope import envelope_for
from mesh.events.outbox import OutboxRelay
from mesh.events.streams import ensure_event_stream
from mesh.log_shipping import LogShipper, audit_sink
from mesh.logs import configure_logging
from mesh.reconnect import DATABASE_UNREACHABLE, connect_nats, until_reached
from mesh.server import MeshServer, ServiceBinding, create_server, termination_requested
from mesh.settings import ServiceSettings
from mesh.tracing import install_tracer_provider
from meshwork.audit.v1 import audit_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc

logger = logging.getLogger("meshwork.service")
StubT = TypeVar("StubT")
UnitOfWorkT = TypeVar("UnitOfWorkT", bound=UnitOfWork)


class BackgroundTask(Protocol):
    """What runs beside the server: event consumers, dispatchers, schedulers.

    Started after `build`, probed by `check` for health (under `name`), stopped in reverse
    order when the service stops.
    """

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def check(self) -> None: ...


@dataclass
class Built:
    """What a service's `build` returns: its servicers and its background tasks."""

    bindings: Sequence[ServiceBinding]
    consumers: Sequence[BackgroundTask] = ()


@dataclass
class ServiceRuntime:
    """The resources a running service shares; see `run_service`."""

    settings: ServiceSettings
    engine: AsyncEngine
    nc: NATS
    relay: OutboxRelay
    verifier: TokenVerifier
    tokens: Callable[[str], Awaitable[str]]
    #: Follows the revoked users (suspensions) that `verifier` refuses the tokens of.
    revocations: RevocationWatcher | None = None
    _clients: dict[type, ServiceClient[Any]] = field(default_factory=dict, repr=False)

    def unit_of_work(
        self,
        *,
        read_only: bool = False,
        inline: bool = False,
        on_commit: Callable[[], object] | None = None,
    ) -> UnitOfWork:
        """A new unit of work whose committed events wake the outbox relay at once
        (`read_only` for use cases that only read: they do not queue behind writers; `inline`
        for such reads of a few rows by key; `on_commit` runs after every commit: see
        `UnitOfWork`)."""
        return self.unit_of_work_of(
            UnitOfWork, read_only=read_only, inline=inline, on_commit=on_commit
        )

    def unit_of_work_of(
        self,
        kind: type[UnitOfWorkT],
        *,
        read_only: bool = False,
        inline: bool = False,
        on_commit: Callable[[], object] | None = None,
    ) -> UnitOfWorkT:
        """As `unit_of_work`, of the service's own subclass (the one holding its repositories)."""
        return kind(
            self.engine,
            envelope_for=envelope_for,
            on_events_committed=self.relay.wake,
            on_commit=on_commit,
            read_only=read_only,
            inline=inline,
        )

    def client(self, stub_type: type[StubT], service: str) -> StubT:
        """The typed stub for `service` (one channel per service, reused), with service tokens."""
        if stub_type not in self._clients:
            self._clients[stub_type] = connect(
                stub_type,
                self.settings.address_of(service),
                options=ClientOptions(token_provider=self.tokens),
            )
        return self._clients[stub_type].stub

    async def close_clients(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


def identity_jwks(identity: Any) -> JwksFetch:
    """Fetches the JWK Set from identity's GetJwks (a public RPC)."""

    async def fetch() -> list[dict[str, Any]]:
        reply = await identity.GetJwks(identity_service_pb2.GetJwksRequest())
        return [MessageToDict(key, preserving_proto_field_name=True) for key in reply.keys]

    return fetch


def identity_token_issuer(settings: ServiceSettings, identity: Any) -> TokenIssuer:
    """Asks identity for this service's token for an audience (client-credentials style)."""

    async def issue(audience: str) -> tuple[str, float]:
        reply = await identity.IssueServiceToken(
            identity_service_pb2.IssueServiceTokenRequest(
                client_id=settings.service,
                client_secret=settings.client_secret.get_secret_value(),
                audience=audience,
            )
        )
        return reply.access_token, reply.expire_time.ToSeconds()

    return issue


@dataclass
class RunningService:
    """A started service: its server (port), its runtime, and what it was built with."""

    server: MeshServer
    runtime: ServiceRuntime
    built: Built

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"


@contextlib.asynccontextmanager
async def start_service(
    settings: ServiceSettings,
    *,
    build: Callable[[ServiceRuntime], Awaitable[Built]],
    migrations: Path,
    local_keys: JwksFetch | None = None,
    local_tokens: TokenIssuer | None = None,
) -> AsyncIterator[RunningService]:
    """Builds and starts the service; on exit stops it (health first) and closes everything.

    Other services fetch signing keys and their own service tokens from identity over gRPC;
    identity passes `local_keys` and `local_tokens` to serve itself from its own database.
    """
    async with contextlib.AsyncExitStack() as stack:
        runtime = await _open_runtime(
            settings, stack, migrations=migrations, local_keys=local_keys, local_tokens=local_tokens
        )
        await _ship_logs(settings, runtime, stack)
        built = await build(runtime)
        for consumer in built.consumers:
            await consumer.start()
            stack.push_async_callback(consumer.stop)
        probes = {"database": lambda: ping(runtime.engine), "events": runtime.relay.check}
        if runtime.revocations is not None:
            probes["revocations"] = runtime.revocations.check
        probes |= {f"consumer {c.name}": c.check for c in built.consumers}
        server, _ = create_server(
            built.bindings,
            service=settings.service,
            authenticator=JwtAuthenticator(runtime.verifier),
            address=settings.grpc_address,
            instance_id=settings.instance_id,
            probes=probes,
        )
        await server.start()
        stack.push_async_callback(server.stop, settings.shutdown_grace_s)
        yield RunningService(server=server, runtime=runtime, built=built)


async def run_service(
    settings: ServiceSettings,
    *,
    build: Callable[[ServiceRuntime], Awaitable[Built]],
    migrations: Path,
    local_keys: JwksFetch | None = None,
    local_tokens: TokenIssuer | None = None,
) -> None:
    """`python -m services.<name>`: logs, metrics endpoint, and `start_service` until SIGTERM."""
    configure_logging(settings.service, level=settings.log_level, json_output=settings.log_json)
    tracing = install_tracer_provider(settings.service)
    logger.info("starting", extra={"settings": settings.public_view()})
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, addr=settings.metrics_host)
    running = start_service(
        settings,
        build=build,
        migrations=migrations,
        local_keys=local_keys,
        local_tokens=local_tokens,
    )
    with termination_requested() as stop:
        async with _unless_stopped(running, stop) as service:
            if service is not None:
                logger.info("listening", extra={"address": service.address})
                await stop.wait()
            logger.info("shutting down", extra={"grace_s": settings.shutdown_grace_s})
    tracing.shutdown()  # flushes spans still queued for export


@contextlib.asynccontextmanager
async def _unless_stopped(
    running: contextlib.AbstractAsyncContextManager[RunningService], stop: asyncio.Event
) -> AsyncIterator[RunningService | None]:
    """Enters `running` (the service's start-up, which may wait for its dependencies) unless
    `stop` is set first: then start-up is cancelled, what it opened is closed, and this
    yields None. SIGTERM is honoured at every moment, start-up included."""
    async with contextlib.AsyncExitStack() as stack:
        starting = asyncio.ensure_future(stack.enter_async_context(running))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            yield None
            return
        yield starting.result()


async def _ship_logs(
    settings: ServiceSettings, runtime: ServiceRuntime, stack: contextlib.AsyncExitStack
) -> None:
    """Ships the service's WARNING-and-above records to audit, when its address is set."""
    if not settings.ships_logs_to_audit():
        return
    shipper = LogShipper(
        audit_sink(runtime.client(audit_service_pb2_grpc.AuditServiceStub, "audit")),
        service=settings.service,
        instance=settings.instance_id or socket.gethostname(),
        level=settings.log_shipping_level.upper(),
        capacity=settings.log_shipping_buffer,
    )
    shipper.install()
    await shipper.start()
    stack.push_async_callback(shipper.stop)


async def _open_runtime(
    settings: ServiceSettings,
    stack: contextlib.AsyncExitStack,
    *,
    migrations: Path,
    local_keys: JwksFetch | None,
    local_tokens: TokenIssuer | None,
) -> ServiceRuntime:
    engine = create_engine(settings.database_url)
    stack.push_async_callback(engine.dispose)
    await until_reached(
        "the database",
        lambda: migrate(settings.database_url, migrations),
        unreachable=DATABASE_UNREACHABLE,
    )
    nc = await connect_nats(settings.nats_url, name=settings.service)
    stack.push_async_callback(nc.drain)
    await ensure_event_stream(nc.jetstream(), settings.service)
    relay = OutboxRelay(engine, nc)
    await relay.start()
    stack.push_async_callback(relay.stop)
    # Keys and service tokens come from identity's public RPCs, over a channel that carries
    # no service token of its own (getting one is what this channel is for).
    identity = connect(
        identity_service_pb2_grpc.IdentityServiceStub, settings.address_of("identity")
    )
    stack.push_async_callback(identity.close)
    keys = JwksCache(local_keys or identity_jwks(identity.stub))
    # Loaded before the server starts: a suspended user's tokens are refused from the first call.
    revocations = RevocationWatcher(nc, Revocations())
    await revocations.start()
    stack.push_async_callback(revocations.stop)
    runtime = ServiceRuntime(
        settings=settings,
        engine=engine,
        nc=nc,
        relay=relay,
        verifier=TokenVerifier(
            keys, issuer=settings.token_issuer, revocations=revocations.revocations
        ),
        tokens=ServiceTokens(local_tokens or identity_token_issuer(settings, identity.stub)),
        revocations=revocations,
    )
    stack.push_async_callback(runtime.close_clients)
    return runtime
