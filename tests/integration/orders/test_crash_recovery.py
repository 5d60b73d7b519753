"""kill -9 of the orders process after each checkout step in turn: once restarted, every
checkout finishes or compensates, with one payment at most and the stock neither lost nor
returned twice.

identity, users and payments (against its Stripe sandbox) run in-process; orders runs as its own
process, killed by its crash point (`ORDERS_CRASH_AFTER_STEP`) right after the step took
effect, then started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from mesh.service import RunningService, start_service
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.orders.v1 import orders_service_pb2 as pb
from meshwork.orders.v1 import orders_service_pb2_grpc, resources_pb2
from meshwork.payments.v1 import payments_service_pb2 as payments_pb
from meshwork.payments.v1 import payments_service_pb2_grpc
from meshwork.payments.v1 import resources_pb2 as payments_resources
from sandbox.stripe import SandboxSettings, running_sandbox
from services.identity.bootstrap import IdentityService
from services.identity.config import IdentitySettings
from services.payments import bootstrap as payments_bootstrap
from services.payments.config import PaymentsSettings
from services.users import bootstrap as users_bootstrap
from services.users.config import UsersSettings
from tests.support import subprocess_env
from tests.support.admin import admin_settings, running_admin
from tests.support.waiting import eventually

DEV_SECRET = "dev-insecure-client-secret"
ADMIN_EMAIL = "admin@example.com"
PASSWORD = "correct horse battery"
VISA, DECLINED = "pm_card_visa", "pm_card_chargeDeclined"
AUTHENTICATION = "pm_card_authenticationRequired"
FINAL = (resources_pb2.ORDER_STATE_CONFIRMED, resources_pb2.ORDER_STATE_CANCELLED)
SUCCEEDED = payments_resources.PAYMENT_STATE_SUCCEEDED
FAILED = payments_resources.PAYMENT_STATE_FAILED
CANCELLED_PAYMENT = payments_resources.PAYMENT_STATE_CANCELLED

pytestmark = pytest.mark.timeout(300)


@dataclass(frozen=True)
class Case:
    """Kill orders after `step` of a checkout paid with `card`; it must end `state`, with its
    one payment `payment_state` (when it made one) and the stock `stock_after`."""

    step: str
    card: str
    state: int
    payment_state: int | None
    stock_after: int


QUANTITY, STOCK = 2, 5
CASES = [
    Case("RESERVE_STOCK", VISA, resources_pb2.ORDER_STATE_CONFIRMED, SUCCEEDED, STOCK - QUANTITY),
    Case("CREATE_PAYMENT", VISA, resources_pb2.ORDER_STATE_CONFIRMED, SUCCEEDED, STOCK - QUANTITY),
    Case("CONFIRM", VISA, resources_pb2.ORDER_STATE_CONFIRMED, SUCCEEDED, STOCK - QUANTITY),
    Case("CREATE_PAYMENT", DECLINED, resources_pb2.ORDER_STATE_CANCELLED, FAILED, STOCK),
    Case("RELEASE_STOCK", DECLINED, resources_pb2.ORDER_STATE_CANCELLED, FAILED, STOCK),
    Case(
        "AWAIT_PAYMENT",
        AUTHENTICATION,
        resources_pb2.ORDER_STATE_CANCELLED,
        CANCELLED_PAYMENT,
        STOCK,
    ),
    Case(
        "CANCEL_PAYMENT",
        AUTHENTICATION,
        resources_pb2.ORDER_STATE_CANCELLED,
        CANCELLED_PAYMENT,
        STOCK,
    ),
]


class OrdersProcess:
    """`python -m services.orders` as a child process; `address` once it listens."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self.process: asyncio.subprocess.Process | None = None
        self.address = ""
        self._draining: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.orders",
            env=self._env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        assert self.process.stdout is not None
        async with asyncio.timeout(120):
            while not self.address:
                line = await self.process.stdout.readline()
                assert line, "orders exited before listening"
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if record.get("message") == "listening":
                        self.address = record["address"]
        self._draining = asyncio.create_task(self._drain(self.process.stdout))

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    async def died(self) -> int:
        """Waits for the process to end by itself; its return code."""
        assert self.process is not None
        async with asyncio.timeout(60):
            code = await self.process.wait()
        self.address = ""
        return code

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                await self.process.wait()
        if self._draining is not None:
            self._draining.cancel()


@dataclass
class Platform:
    identity: identity_service_pb2_grpc.IdentityServiceStub
    payments: payments_service_pb2_grpc.PaymentsServiceStub
    identity_address: str
    payments_address: str

    async def service_token(self, client: str, audience: str) -> str:
        reply = await self.identity.IssueServiceToken(
            identity_pb.IssueServiceTokenRequest(
                client_id=client, client_secret=DEV_SECRET, audience=audience
            )
        )
        return str(reply.access_token)

    async def sign_up(self, email: str) -> tuple[str, str]:
        """The new user's id and access token."""
        reply = await self.identity.SignUp(
            identity_pb.SignUpRequest(email=email, password=PASSWORD, display_name="Sam")
        )
        return reply.user_id, reply.tokens.access_token

    async def as_user(self, token: str, *, to: str) -> tuple[tuple[str, str], ...]:
        edge = await self.service_token("edge", to)
        return (("authorization", f"Bearer {edge}"), ("x-user-authorization", f"Bearer {token}"))


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with running_sandbox(SandboxSettings()) as url:
        yield url


@pytest.fixture
async def platform(tmp_path: Path, nats_server, sandbox_url: str) -> AsyncIterator[Platform]:
    settings = IdentitySettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        nats_url=nats_server.url,
        grpc_address="127.0.0.1:0",
        shutdown_grace_s=0.5,
        log_json=False,
    )
    identity = IdentityService(settings)
    async with contextlib.AsyncExitStack() as stack:
        running_identity: RunningService = await stack.enter_async_context(
            start_service(settings, **identity.launch_options())
        )
        users_settings = UsersSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'users.db'}",
            nats_url=nats_server.url,
            grpc_address="127.0.0.1:0",
            identity_address=running_identity.address,
            client_secret=DEV_SECRET,
            shutdown_grace_s=0.5,
            log_json=False,
        )
        running_users = await stack.enter_async_context(
            start_service(
                users_settings, build=users_bootstrap.build, migrations=users_bootstrap.MIGRATIONS
            )
        )
        running_admin_service = await stack.enter_async_context(
            running_admin(
                admin_settings(
                    f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}",
                    nats_server.url,
                    identity_address=running_identity.address,
                    bootstrap_admin_emails=[ADMIN_EMAIL],
                )
            )
        )
        settings.users_address = running_users.address  # identity's clients are created lazily
        settings.admin_address = running_admin_service.address
        payments_settings = PaymentsSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'payments.db'}",
            nats_url=nats_server.url,
            grpc_address="127.0.0.1:0",
            identity_address=running_identity.address,
            client_secret=DEV_SECRET,
            shutdown_grace_s=0.5,
            log_json=False,
            stripe_api_base=sandbox_url,
        )
        running_payments = await stack.enter_async_context(
            start_service(
                payments_settings,
                build=payments_bootstrap.build,
                migrations=payments_bootstrap.MIGRATIONS,
            )
        )
        identity_channel = await stack.enter_async_context(
            grpc.aio.insecure_channel(running_identity.address)
        )
        payments_channel = await stack.enter_async_context(
            grpc.aio.insecure_channel(running_payments.address)
        )
        yield Platform(
            identity_service_pb2_grpc.IdentityServiceStub(identity_channel),
            payments_service_pb2_grpc.PaymentsServiceStub(payments_channel),
            running_identity.address,
            running_payments.address,
        )


def orders_env(platform: Platform, nats_url: str, database_url: str, step: str) -> dict[str, str]:
    return subprocess_env(
        PYTHONUNBUFFERED="1",
        MESHWORK_NATS_URL=nats_url,
        MESHWORK_IDENTITY_ADDRESS=platform.identity_address,
        MESHWORK_PAYMENTS_ADDRESS=platform.payments_address,
        ORDERS_GRPC_ADDRESS="127.0.0.1:0",  # a port of its own at each start
        ORDERS_DATABASE_URL=database_url,
        ORDERS_CLIENT_SECRET=DEV_SECRET,
        ORDERS_LOG_JSON="true",
        ORDERS_LOG_LEVEL="INFO",
        ORDERS_SHUTDOWN_GRACE_S="0.5",
        ORDERS_SWEEP_INTERVAL_S="0.2",
        ORDERS_STEP_TIMEOUT_S="1",
        ORDERS_PAYMENT_TIMEOUT_S="1",
        ORDERS_CRASH_AFTER_STEP=step,
    )


class Orders:
    """Calls to the orders process wherever it listens now."""

    def __init__(self, process: OrdersProcess, platform: Platform) -> None:
        self.process, self.platform = process, platform

    @contextlib.asynccontextmanager
    async def stub(self) -> AsyncIterator[orders_service_pb2_grpc.OrdersServiceStub]:
        async with grpc.aio.insecure_channel(self.process.address) as channel:
            yield orders_service_pb2_grpc.OrdersServiceStub(channel)

    async def call(self, method: str, request: object, token: str) -> object:
        metadata = await self.platform.as_user(token, to="orders")
        async with self.stub() as stub:
            return await getattr(stub, method)(request, metadata=metadata)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a process is slow to start
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.step}-{case.card}")
async def test_a_checkout_killed_after_a_step_finishes_or_compensates_after_a_restart(
    case: Case, platform: Platform, nats_server, database_url: str
) -> None:
    process = OrdersProcess(orders_env(platform, nats_server.url, database_url, case.step))
    orders = Orders(process, platform)
    _, admin_token = await platform.sign_up(ADMIN_EMAIL)
    buyer_id, buyer_token = await platform.sign_up(f"buyer-{uuid.uuid4().hex[:8]}@example.com")
    await process.start()
    try:
        product = resources_pb2.Product(
            display_name="Mug", unit_price=1250, currency_code="EUR", stock=STOCK
        )
        created = await orders.call(
            "CreateProduct", pb.CreateProductRequest(product=product), admin_token
        )
        product_id = created.product.id  # type: ignore[attr-defined]
        order = resources_pb2.Order(
            lines=[resources_pb2.OrderLine(product_id=product_id, quantity=QUANTITY)],
            payment_method_id=case.card,
        )
        placed = await orders.call("CreateOrder", pb.CreateOrderRequest(order=order), buyer_token)
        order_id = placed.order.id  # type: ignore[attr-defined]

        assert await process.died() == -signal.SIGKILL  # its crash point after case.step
        await process.start()
        settled = await _settled(orders, order_id, buyer_token)
        stock = await orders.call(
            "GetProduct", pb.GetProductRequest(product_id=product_id), buyer_token
        )
    finally:
        await process.stop()

    assert settled.state == case.state, settled
    assert stock.product.stock == case.stock_after  # type: ignore[attr-defined]
    payments = await _payments_of(platform, admin_token, buyer_id)
    assert [(p.metadata["order_id"], p.state) for p in payments] == [(order_id, case.payment_state)]
    assert settled.payment_id == payments[0].id
    assert payments[0].amount_refunded == 0


async def _settled(orders: Orders, order_id: str, token: str) -> resources_pb2.Order:
    found: list[resources_pb2.Order] = []

    async def final() -> bool:
        reply = await orders.call("GetOrder", pb.GetOrderRequest(order_id=order_id), token)
        found[:] = [reply.order]  # type: ignore[attr-defined]
        return found[0].state in FINAL

    await eventually(final, timeout_s=60)
    return found[0]


async def _payments_of(
    platform: Platform, admin_token: str, user_id: str
) -> list[payments_resources.Payment]:
    metadata = await platform.as_user(admin_token, to="payments")
    reply = await platform.payments.ListPayments(
        payments_pb.ListPaymentsRequest(user_id=user_id), metadata=metadata
    )
    return list(reply.payments)
