"""The edge's clients of the mesh: one typed client per service, opened once, closed on exit.

Every call carries the edge's service token for the callee (issued by identity to the client
"edge", cached until shortly before expiry); user tokens are verified against identity's JWKS.
Keys and tokens come over a channel of their own that carries no token (getting one is what
it is for). Each service also gets a plain channel for its grpc.health.v1 checks.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2
from opentelemetry.trace import TracerProvider

from edge.config import EdgeSettings
from edge.errors import EDGE_DOMAIN, UpstreamError, status_of_rpc_error
from edge.transcoding.field_paths import with_json_paths
from mesh.auth.jwks import JwksCache, JwksFetch
from mesh.auth.service_tokens import ServiceTokens, TokenIssuer
from mesh.auth.tokens import TokenVerifier
from mesh.breaker import BreakerState
from mesh.catalog import catalog
from mesh.client import ClientOptions, ServiceClient, callee_audience, channel_target, connect
from mesh.interceptors.errors import rich_status
from mesh.service import identity_jwks, identity_token_issuer
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from meshwork.payments.v1 import payments_service_pb2

logger = logging.getLogger("meshwork.edge")

IDENTITY = identity_service_pb2.DESCRIPTOR.services_by_name["IdentityService"]
PAYMENTS = payments_service_pb2.DESCRIPTOR.services_by_name["PaymentsService"]


@dataclass
class Upstreams:
    """Typed clients by service full name, plus what authenticates the edge's calls."""

    clients: dict[str, ServiceClient[Any]]
    names: dict[str, str]  # service full name → mesh service name ("users")
    health_channels: dict[str, grpc.aio.Channel]  # mesh service name → plain channel
    verifier: TokenVerifier
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list, repr=False)

    def add(self, service: ServiceDescriptor, address: str, *, options: ClientOptions) -> None:
        """A typed client for `service` at `address` (and a health channel for its name)."""
        name = callee_audience([service])
        self.clients[service.full_name] = connect(
            stub_class(service), address, service=service, options=options
        )
        self.names[service.full_name] = name
        if name not in self.health_channels:
            self.health_channels[name] = grpc.aio.insecure_channel(channel_target(address))

    async def call(
        self,
        method: MethodDescriptor,
        request: Message,
        *,
        metadata: Sequence[tuple[str, str]],
        timeout: float,  # noqa: ASYNC109 - the call's gRPC deadline, which grpc enforces
    ) -> Message:
        """Calls `method` with a deadline; an open breaker's refusal says when to retry, and a
        refusal's field violations name the fields as the client sent them (JSON names)."""
        service = method.containing_service.full_name
        client = self.clients[service]
        rpc = getattr(client.stub, method.name)
        try:
            reply: Message = await rpc(request, metadata=tuple(metadata), timeout=timeout)
        except ServiceTokenUnavailable as error:
            logger.error("no service token for %s: %s", self.names[service], error)
            message = "the edge cannot get its credentials from identity; retry later"
            info = error_details_pb2.ErrorInfo(
                reason="EDGE_CREDENTIALS_UNAVAILABLE",
                domain=EDGE_DOMAIN,
                metadata={"upstream": self.names[service]},
            )
            raise UpstreamError(rich_status(code_pb2.UNAVAILABLE, message, info)) from error
        except grpc.aio.AioRpcError as error:
            status = with_json_paths(
                status_of_rpc_error(error, upstream=self.names[service]),
                method.input_type,
            )
            headers = {}
            if error.code() == grpc.StatusCode.UNAVAILABLE and client.breaker.state in (
                BreakerState.OPEN,
                BreakerState.HALF_OPEN,
            ):
                headers["Retry-After"] = str(max(1, math.ceil(client.breaker.retry_after_s())))
            raise UpstreamError(status, headers=headers) from None
        return reply

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()
        for channel in self.health_channels.values():
            await channel.close()
        for closer in self._closers:
            await closer()


def open_upstreams(
    settings: EdgeSettings,
    services: Sequence[ServiceDescriptor],
    *,
    addresses: Mapping[str, str] | None = None,
    keys: JwksFetch | None = None,
    tokens: TokenIssuer | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Upstreams:
    """Channels to every service in `services` (plus identity and payments, which the edge
    calls for tokens and webhooks). `addresses` overrides settings' `<service>_address`;
    `keys` and `tokens` replace identity's GetJwks and IssueServiceToken (tests)."""

    def address_of(name: str) -> str:
        return _address(settings, addresses or {}, name)

    identity = connect(identity_service_pb2_grpc.IdentityServiceStub, address_of("identity"))
    options = ClientOptions(
        token_provider=ServiceTokens(
            _explained(tokens or identity_token_issuer(settings, identity.stub))
        ),
        tracer_provider=tracer_provider,
        failure_threshold=settings.upstream_failure_threshold,
        reset_timeout_s=settings.upstream_reset_timeout_s,
    )
    jwks = JwksCache(
        keys or identity_jwks(identity.stub),
        min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
    )
    verifier = TokenVerifier(jwks, issuer=settings.token_issuer)
    upstreams = Upstreams({}, {}, {}, verifier, [identity.close])
    for service in _unique([IDENTITY, PAYMENTS, *services]):
        upstreams.add(service, address_of(callee_audience([service])), options=options)
    return upstreams


class ServiceTokenUnavailable(Exception):
    """Identity did not issue the edge a service token (down, or the edge's secret is wrong)."""


def _explained(issue: TokenIssuer) -> TokenIssuer:
    """`issue`, its failures told apart from the callee's: identity refusing the edge's own
    credentials must not read as the end user being unauthenticated."""

    async def issue_or_explain(audience: str) -> tuple[str, float]:
        try:
            return await issue(audience)
        except grpc.aio.AioRpcError as error:
            raise ServiceTokenUnavailable(
                f"identity refused a token for {audience!r}: {error.code().name}: {error.details()}"
            ) from error

    return issue_or_explain


def _address(settings: EdgeSettings, addresses: Mapping[str, str], name: str) -> str:
    if name in addresses:
        return addresses[name]
    try:
        return settings.address_of(name)
    except KeyError:
        raise ValueError(
            f"no address for upstream {name!r}: it has no entry in the service catalogue "
            f"({catalog().path.name}); add one, or pass upstreams={{{name!r}: 'host:port'}}"
        ) from None


def stub_class(service: ServiceDescriptor) -> type[Any]:
    """The grpcio-tools stub class generated for a service (`<Name>Stub` in `x_pb2_grpc`)."""
    module = service.file.name.removesuffix(".proto").replace("/", ".") + "_pb2_grpc"
    stub: type[Any] = getattr(importlib.import_module(module), f"{service.name}Stub")
    return stub


def _unique(services: Sequence[ServiceDescriptor]) -> list[ServiceDescriptor]:
    seen: dict[str, ServiceDescriptor] = {}
    for service in services:
        seen.setdefault(service.full_name, service)
    return list(seen.values())
