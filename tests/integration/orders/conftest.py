"""The orders service in-process on SQLite and PostgreSQL with the payments service it calls,
against a Stripe sandbox of their own, over real gRPC and a real nats-server."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from pydantic import SecretStr

from mesh.service import RunningService, start_service
from meshwork.orders.v1 import orders_service_pb2 as pb
from meshwork.orders.v1 import orders_service_pb2_grpc, resources_pb2
from meshwork.payments.v1 import payments_service_pb2_grpc
from sandbox.stripe import SandboxSettings, running_sandbox
from services.orders import bootstrap as orders_bootstrap
from services.orders.config import OrdersSettings
from services.payments import bootstrap as payments_bootstrap
from services.payments.config import PaymentsSettings
from tests.integration.users.conftest import reason_of, violations_of
from tests.support.tokens import ISSUER, Callers, TestIssuer
from tests.support.waiting import eventually

__all__ = ["reason_of", "violations_of"]

API_KEY = "sk_test_orders_integration"
#: Deadline of the tests' calls: 50 checkouts at once on a busy machine outlast the defaults.
CALL_S = 60
FINAL = (resources_pb2.ORDER_STATE_CONFIRMED, resources_pb2.ORDER_STATE_CANCELLED)


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with running_sandbox(SandboxSettings()) as url:
        yield url


def service_tokens(issuer: TestIssuer, name: str) -> Callable[[str], Awaitable[tuple[str, float]]]:
    """Issues `name`'s service tokens as identity would, signed by the test issuer."""

    async def issue(audience: str) -> tuple[str, float]:
        token = issuer.sign(sub=name, aud=audience, typ="service", roles=None)
        return token, time.time() + 300

    return issue


@pytest.fixture
def payments_database(tmp_path: Path) -> str:
    """payments' own database, an SQLite file (orders' is the one on SQLite and PostgreSQL)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'payments.db'}"


@pytest.fixture
async def payments_service(
    payments_database: str, nats_server, issuer: TestIssuer, sandbox_url: str
) -> AsyncIterator[RunningService]:
    settings = PaymentsSettings(
        environment="test",
        database_url=payments_database,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("payments-test-secret"),
        shutdown_grace_s=0.5,
        stripe_api_key=SecretStr(API_KEY),
        stripe_api_base=sandbox_url,
        stripe_webhook_secrets=[SecretStr("whsec_orders_integration")],
    )
    async with start_service(
        settings,
        build=payments_bootstrap.build,
        migrations=payments_bootstrap.MIGRATIONS,
        local_keys=issuer.jwks,
    ) as running:
        yield running


@dataclass
class OrdersOptions:
    """Settings a test changes before the orders service starts (`orders_options`)."""

    payment_timeout_s: float = 60.0
    step_timeout_s: float = 5.0


@pytest.fixture
def orders_options() -> OrdersOptions:
    return OrdersOptions()


@pytest.fixture
async def orders_service(
    database_url: str,
    nats_server,
    issuer: TestIssuer,
    payments_service: RunningService,
    orders_options: OrdersOptions,
) -> AsyncIterator[RunningService]:
    settings = OrdersSettings(
        environment="test",
        database_url=database_url,
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        token_issuer=ISSUER,
        client_secret=SecretStr("orders-test-secret"),
        shutdown_grace_s=0.5,
        payments_address=payments_service.address,
        payment_timeout_s=orders_options.payment_timeout_s,
        step_timeout_s=orders_options.step_timeout_s,
        sweep_interval_s=0.2,
    )
    async with start_service(
        settings,
        build=orders_bootstrap.build,
        migrations=orders_bootstrap.MIGRATIONS,
        local_keys=issuer.jwks,
        local_tokens=service_tokens(issuer, "orders"),
    ) as running:
        yield running


@pytest.fixture
async def stub(
    orders_service: RunningService,
) -> AsyncIterator[orders_service_pb2_grpc.OrdersServiceStub]:
    async with grpc.aio.insecure_channel(orders_service.address) as channel:
        yield orders_service_pb2_grpc.OrdersServiceStub(channel)


@pytest.fixture
async def payments_stub(
    payments_service: RunningService,
) -> AsyncIterator[payments_service_pb2_grpc.PaymentsServiceStub]:
    async with grpc.aio.insecure_channel(payments_service.address) as channel:
        yield payments_service_pb2_grpc.PaymentsServiceStub(channel)


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="orders")


@pytest.fixture
def payments_callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="payments")


class Shop:
    """Calls to the orders service as staff and as buyers."""

    def __init__(self, stub: orders_service_pb2_grpc.OrdersServiceStub, callers: Callers) -> None:
        self.stub, self.callers = stub, callers

    async def product(self, *, stock: int, unit_price: int = 1250, currency: str = "EUR") -> str:
        product = resources_pb2.Product(
            display_name=f"Mug {uuid.uuid4().hex[:6]}",
            unit_price=unit_price,
            currency_code=currency,
            stock=stock,
        )
        reply = await self.stub.CreateProduct(
            pb.CreateProductRequest(product=product), metadata=self.callers.admin()
        )
        return reply.product.id

    async def stock(self, product_id: str) -> int:
        reply = await self.stub.GetProduct(
            pb.GetProductRequest(product_id=product_id), metadata=self.callers.user("u-any")
        )
        return reply.product.stock

    async def place(
        self, buyer: str, *lines: tuple[str, int], card: str = "pm_card_visa"
    ) -> resources_pb2.Order:
        order = resources_pb2.Order(
            lines=[resources_pb2.OrderLine(product_id=p, quantity=q) for p, q in lines],
            payment_method_id=card,
        )
        reply = await self.stub.CreateOrder(
            pb.CreateOrderRequest(order=order), metadata=self.callers.user(buyer), timeout=CALL_S
        )
        return reply.order

    async def get(self, buyer: str, order_id: str) -> resources_pb2.Order:
        reply = await self.stub.GetOrder(
            pb.GetOrderRequest(order_id=order_id), metadata=self.callers.user(buyer), timeout=CALL_S
        )
        return reply.order

    async def when(
        self, buyer: str, order_id: str, holds: Callable[[resources_pb2.Order], bool]
    ) -> resources_pb2.Order:
        """The order once `holds(order)`, read until then."""
        found: list[resources_pb2.Order] = []

        async def check() -> bool:
            found[:] = [await self.get(buyer, order_id)]
            return holds(found[0])

        await eventually(check, timeout_s=30)
        return found[0]

    async def settled(self, buyer: str, order_id: str) -> resources_pb2.Order:
        return await self.when(buyer, order_id, lambda order: order.state in FINAL)


@pytest.fixture
def shop(stub: orders_service_pb2_grpc.OrdersServiceStub, callers: Callers) -> Shop:
    return Shop(stub, callers)
