"""The orders service in-process on SQLite and PostgreSQL, called over real gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import grpc
import nats
import pytest
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from nats.aio.msg import Msg
from pydantic import SecretStr

from mesh.events.envelope import TYPE_HEADER
from mesh.service import RunningService, start_service
from meshwork.orders.v1 import events_pb2, orders_service_pb2_grpc
from services.orders.bootstrap import MIGRATIONS, build
from services.orders.config import OrdersSettings
from tests.support.tokens import ISSUER, TestIssuer

Metadata = Sequence[tuple[str, str]]


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
async def orders_service(
    database_url: str, nats_server, issuer: TestIssuer
) -> AsyncIterator[RunningService]:
    settings = OrdersSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("orders-test-secret"),
        shutdown_grace_s=0.5,
    )
    async with start_service(
        settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks
    ) as running:
        yield running


@pytest.fixture
async def stub(
    orders_service: RunningService,
) -> AsyncIterator[orders_service_pb2_grpc.OrdersServiceStub]:
    async with grpc.aio.insecure_channel(orders_service.address) as channel:
        yield orders_service_pb2_grpc.OrdersServiceStub(channel)


class Callers:
    """Call metadata of a user reaching the service through the edge."""

    def __init__(self, issuer: TestIssuer) -> None:
        self._issuer = issuer

    def user(self, user_id: str, *roles: str) -> Metadata:
        service = self._issuer.sign(sub="edge", aud="orders", typ="service", roles=None)
        token = self._issuer.sign(sub=user_id, roles=list(roles or ("user",)))
        return (("authorization", f"Bearer {service}"), ("x-user-authorization", f"Bearer {token}"))


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer)


class PublishedEvents:
    """The service's events as they reach NATS (subscribed to events.orders.>)."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self._arrived = asyncio.Condition()

    async def on_message(self, msg: Msg) -> None:
        name = (msg.headers or {})[TYPE_HEADER].rsplit(".", 1)[-1]
        async with self._arrived:
            self.received.append(getattr(events_pb2, name).FromString(msg.data))
            self._arrived.notify_all()

    async def wait_for(self, kind: type[Message], count: int = 1) -> list[Message]:
        """The first `count` received events of `kind`, waiting for them if need be."""

        def found() -> list[Message]:
            return [message for message in self.received if isinstance(message, kind)]

        async with asyncio.timeout(5.0), self._arrived:
            await self._arrived.wait_for(lambda: len(found()) >= count)
        return found()[:count]


@pytest.fixture
async def published(nats_server) -> AsyncIterator[PublishedEvents]:
    events = PublishedEvents()
    connection = await nats.connect(nats_server.url)
    await connection.subscribe("events.orders.>", cb=events.on_message)
    await connection.flush()
    yield events
    await connection.close()


def reason_of(error: grpc.aio.AioRpcError) -> str:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    for detail in status_pb2.Status.FromString(raw).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""
