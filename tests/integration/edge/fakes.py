"""Fake upstreams for the edge: real mesh gRPC servers (port 0) whose servicers record calls.

The fakes verify tokens like a real service (JwtAuthenticator over the test issuer's JWKS),
so a call only reaches a servicer when the edge sent its service token and the user's.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
import httpx
from fastapi import FastAPI
from google.protobuf.message import Message

from edge.app import create_app
from edge.config import EdgeSettings
from mesh.auth.authenticator import JwtAuthenticator
from mesh.auth.jwks import JwksCache
from mesh.auth.tokens import TokenVerifier
from mesh.catalog import catalog
from mesh.context import Principal, current_principal, time_remaining
from mesh.server import MeshServer, ServiceBinding, assemble_server, create_server
from meshwork.payments.v1 import payments_service_pb2, payments_service_pb2_grpc, resources_pb2
from meshwork.testing.v1 import transcoding_pb2, transcoding_pb2_grpc
from tests.support.tokens import ISSUER, TestIssuer

TRANSCODING = transcoding_pb2.DESCRIPTOR.services_by_name["TranscodingService"]
#: Nothing listens on port 1: calls there fail at once with UNAVAILABLE.
NOWHERE = "127.0.0.1:1"
CLIENT_ADDRESS = "203.0.113.7"


@dataclass
class Received:
    """One call as the servicer saw it."""

    request: Message
    principal: Principal
    metadata: dict[str, str]
    deadline_s: float | None


@dataclass
class Recorder:
    """Calls by method name; `answer` overrides the reply of a method (a message, or an
    async callable taking the request and context, which may abort or stall)."""

    calls: dict[str, list[Received]] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    def last(self, method: str) -> Received:
        return self.calls[method][-1]

    def count(self, method: str) -> int:
        return len(self.calls.get(method, []))

    async def reply(self, method: str, request: Message, context: Any, default: Message) -> Any:
        metadata = {
            key: value
            for key, value in context.invocation_metadata() or ()
            if isinstance(value, str)
        }
        received = Received(request, current_principal(), metadata, time_remaining())
        self.calls.setdefault(method, []).append(received)
        answer = self.answers.get(method, default)
        if callable(answer):
            return await answer(request, context)
        return answer


class FakeTranscoding(transcoding_pb2_grpc.TranscodingServiceServicer):
    """Answers every RPC with an empty (or configured) reply, recording the call."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def __getattribute__(self, name: str) -> Any:
        method = TRANSCODING.methods_by_name.get(name)
        if method is None:
            return super().__getattribute__(name)
        reply_type = getattr(transcoding_pb2, method.output_type.name)
        recorder = super().__getattribute__("recorder")

        async def handle(request: Message, context: Any) -> Any:
            return await recorder.reply(name, request, context, reply_type())

        return handle


class FakePayments(payments_service_pb2_grpc.PaymentsServiceServicer):
    """Payments as the webhook sees it: records the delivery, answers with a receipt."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def HandleStripeWebhook(self, request: Any, context: Any) -> Any:
        default = payments_service_pb2.HandleStripeWebhookResponse(
            receipt=resources_pb2.WebhookReceipt(id="wr_1"), duplicate=False
        )
        return await self.recorder.reply("HandleStripeWebhook", request, context, default)


def verifier_of(issuer: TestIssuer) -> TokenVerifier:
    return TokenVerifier(JwksCache(issuer.jwks, min_refresh_interval_s=0), issuer=ISSUER)


@contextlib.asynccontextmanager
async def fake_server(
    servicer: Any, messages: Any, stubs: Any, *, service: str, issuer: TestIssuer
) -> AsyncIterator[tuple[MeshServer, str]]:
    binding = ServiceBinding.of(messages, stubs, servicer)
    server, port = create_server(
        [binding], service=service, authenticator=JwtAuthenticator(verifier_of(issuer))
    )
    await server.start()
    try:
        yield server, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


@contextlib.asynccontextmanager
async def admitting_server(
    servicer: Any, messages: Any, stubs: Any
) -> AsyncIterator[tuple[MeshServer, str]]:
    """A fake upstream that checks nothing (no mesh chain): whatever the edge lets through
    reaches the servicer, so a refusal seen by the client can only be the edge's own."""
    server, port = assemble_server([ServiceBinding.of(messages, stubs, servicer)], interceptors=())
    await server.start()
    try:
        yield server, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


def edge_token_issuer(issuer: TestIssuer) -> Callable[[str], Any]:
    """Service tokens for the edge, signed by the test issuer (instead of identity's)."""

    async def issue(audience: str) -> tuple[str, float]:
        token = issuer.sign(sub="edge", aud=audience, typ="service", roles=None)
        return token, time.time() + 300

    return issue


def edge_settings(**overrides: Any) -> EdgeSettings:
    addresses = {entry.address_setting: NOWHERE for entry in catalog().services}
    values: dict[str, Any] = {
        **addresses,
        "token_issuer": ISSUER,
        "log_json": False,
        "rate_limit_per_address": "10000/minute",
        "rate_limit_per_user": "10000/minute",
        "rate_limit_strict": "10000/minute",
        "readiness_timeout_s": 0.5,
        "jwks_min_refresh_interval_s": 0,
        "watch_revocations": False,  # no NATS here
    }
    return EdgeSettings(**(values | overrides))


def edge_app(
    issuer: TestIssuer,
    *,
    upstreams: Mapping[str, str],
    settings: EdgeSettings | None = None,
    services: Any = (TRANSCODING,),
) -> FastAPI:
    """The edge for the test service, its tokens and keys from the test issuer."""
    return create_app(
        settings or edge_settings(),
        upstreams=upstreams,
        services=list(services),
        keys=issuer.jwks,
        tokens=edge_token_issuer(issuer),
    )


@contextlib.asynccontextmanager
async def serving(
    app: FastAPI, *, client: str = CLIENT_ADDRESS, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, and an HTTP client calling it in-process."""
    async with (
        app.router.lifespan_context(app),
        http_client(app, client=client, raise_app_exceptions=raise_app_exceptions) as http,
    ):
        yield http


def http_client(
    app: FastAPI, *, client: str = CLIENT_ADDRESS, raise_app_exceptions: bool = True
) -> httpx.AsyncClient:
    """An in-process HTTP client of a running app, calling from the address `client`."""
    transport = httpx.ASGITransport(
        app=app, client=(client, 40000), raise_app_exceptions=raise_app_exceptions
    )
    return httpx.AsyncClient(transport=transport, base_url="http://edge.test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stall(request: Any, context: Any) -> Any:
    """An answer that never comes (until the caller's deadline cancels the call)."""
    await asyncio.Event().wait()


def aborting(code: grpc.StatusCode, message: str) -> Callable[..., Any]:
    async def abort(request: Any, context: Any) -> Any:
        await context.abort(code, message)

    return abort
