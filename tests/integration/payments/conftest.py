"""The payments service in-process on SQLite and PostgreSQL, against a Stripe sandbox of its
own, called over real gRPC."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence

import grpc
import nats
import pytest
import stripe
from google.protobuf.message import Message
from nats.aio.msg import Msg
from pydantic import SecretStr

from mesh.events.envelope import TYPE_HEADER
from mesh.events.subjects import stream_name, subject_for
from mesh.service import RunningService, start_service
from meshwork.payments.v1 import events_pb2, payments_service_pb2_grpc, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as pb
from sandbox.stripe import SandboxSettings, running_sandbox
from services.payments.bootstrap import MIGRATIONS, build
from services.payments.config import PaymentsSettings
from tests.integration.users.conftest import reason_of, violations_of
from tests.support.tokens import ISSUER, Callers, TestIssuer

__all__ = ["reason_of", "violations_of"]

Metadata = Sequence[tuple[str, str]]
API_KEY = "sk_test_payments_integration"
WEBHOOK_SECRETS = ("whsec_payments_current", "whsec_payments_previous")


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with running_sandbox(SandboxSettings()) as url:
        yield url


@pytest.fixture
def stripe_client(sandbox_url: str) -> stripe.StripeClient:
    """The SDK pointed at the test's sandbox, to look at what the provider holds."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": sandbox_url}, max_network_retries=0)


@pytest.fixture
async def payments_service(
    database_url: str, nats_server, issuer: TestIssuer, sandbox_url: str
) -> AsyncIterator[RunningService]:
    settings = PaymentsSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("payments-test-secret"),
        shutdown_grace_s=0.5,
        stripe_api_key=SecretStr(API_KEY),
        stripe_api_base=sandbox_url,
        stripe_webhook_secrets=[SecretStr(secret) for secret in WEBHOOK_SECRETS],
    )
    async with start_service(
        settings, build=build, migrations=MIGRATIONS, local_keys=issuer.jwks
    ) as running:
        yield running


@pytest.fixture
async def stub(
    payments_service: RunningService,
) -> AsyncIterator[payments_service_pb2_grpc.PaymentsServiceStub]:
    async with grpc.aio.insecure_channel(payments_service.address) as channel:
        yield payments_service_pb2_grpc.PaymentsServiceStub(channel)


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="payments")


class PublishedEvents:
    """The payments service's events as they reach NATS (a subscription on events.payments.>)."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self._arrived = asyncio.Condition()

    async def on_message(self, msg: Msg) -> None:
        name = (msg.headers or {})[TYPE_HEADER].rsplit(".", 1)[-1]
        async with self._arrived:
            self.received.append(getattr(events_pb2, name).FromString(msg.data))
            self._arrived.notify_all()

    async def wait_for(self, kind: type[Message], payment_id: str) -> Message:
        """The first `kind` event of the payment, waiting for it if need be."""
        async with asyncio.timeout(10), self._arrived:
            await self._arrived.wait_for(lambda: bool(self.of(kind, payment_id)))
        return self.of(kind, payment_id)[0]

    def of(self, kind: type[Message], payment_id: str) -> list[Message]:
        return [
            m
            for m in self.received
            if isinstance(m, kind) and getattr(m, "payment_id", None) == payment_id
        ]


async def kept_in_stream(nats_url: str, kind: type[Message], payment_id: str) -> int:
    """How many `kind` events of the payment the payments stream holds: JetStream keeps one
    of each Nats-Msg-Id, where a plain subscriber sees every publish."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        subscription = await js.pull_subscribe(subject_for(kind), stream=stream_name("payments"))
        pending = (await subscription.consumer_info()).num_pending
        messages: list[Msg] = []
        while len(messages) < pending:
            messages += await subscription.fetch(pending - len(messages), timeout=5)
        await subscription.unsubscribe()
    finally:
        await connection.close()
    return sum(getattr(kind.FromString(m.data), "payment_id", "") == payment_id for m in messages)


@pytest.fixture
async def published(nats_server) -> AsyncIterator[PublishedEvents]:
    events = PublishedEvents()
    connection = await nats.connect(nats_server.url)
    await connection.subscribe("events.payments.>", cb=events.on_message)
    await connection.flush()
    yield events
    await connection.close()


Pay = Callable[..., Awaitable[resources_pb2.Payment]]


@pytest.fixture
def pay(stub: payments_service_pb2_grpc.PaymentsServiceStub, callers: Callers) -> Pay:
    """Creates a payment: `await pay("u-1", amount=500, payment_method_id="pm_card_visa")`."""

    async def create(user_id: str, *, key: str = "", **fields: object) -> resources_pb2.Payment:
        payment = resources_pb2.Payment(
            **{"amount": 2000, "currency_code": "EUR", "payment_method_id": "pm_card_visa"} | fields
        )
        metadata = callers.user(user_id, key=key or uuid.uuid4().hex)
        reply = await stub.CreatePayment(
            pb.CreatePaymentRequest(payment=payment), metadata=metadata
        )
        return reply.payment

    return create
