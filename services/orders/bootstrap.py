"""The orders service's parts, built on the runtime's resources (`build`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.orders.v1 import orders_service_pb2, orders_service_pb2_grpc
from meshwork.payments.v1 import payments_service_pb2_grpc
from services.orders.checkout import CheckoutRunner, CrashPoint, PaymentsGateway
from services.orders.config import OrdersSettings
from services.orders.domain import Timeouts
from services.orders.events import payments_consumer
from services.orders.grpc_api import OrdersServicer

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The OrdersService servicer, the checkout runner, the consumer of payments' events
    (each commit of which wakes the runner) and the purge of old idempotency records."""
    settings = runtime.settings
    assert isinstance(settings, OrdersSettings)
    timeouts = Timeouts(
        payment=timedelta(seconds=settings.payment_timeout_s),
        step=timedelta(seconds=settings.step_timeout_s),
    )
    payments = PaymentsGateway(
        lambda: runtime.client(payments_service_pb2_grpc.PaymentsServiceStub, "payments")
    )
    runner = CheckoutRunner(
        runtime.unit_of_work,
        payments,
        timeouts,
        interval_s=settings.sweep_interval_s,
        concurrency=settings.concurrency,
        crash_point=CrashPoint(settings.crash_after_step),
    )
    idempotency = IdempotencyRecords(runtime.engine)
    servicer = OrdersServicer(runtime.unit_of_work, idempotency, wake=runner.wake)
    consumer = payments_consumer(
        runtime.nc, lambda: runtime.unit_of_work(on_commit=runner.wake), timeouts
    )
    return Built(
        bindings=[ServiceBinding.of(orders_service_pb2, orders_service_pb2_grpc, servicer)],
        consumers=[runner, consumer, idempotency.purge_loop()],
    )
