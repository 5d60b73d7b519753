"""The orders service's parts, built on the runtime's resources (`build`)."""

from __future__ import annotations

from pathlib import Path

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.orders.v1 import orders_service_pb2, orders_service_pb2_grpc
from services.orders.events import consumers
from services.orders.grpc_api import OrdersServicer

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The OrdersService servicer, the consumers of other services' events and the purge
    of old idempotency records."""
    idempotency = IdempotencyRecords(runtime.engine)
    servicer = OrdersServicer(runtime.unit_of_work, idempotency)
    return Built(
        bindings=[ServiceBinding.of(orders_service_pb2, orders_service_pb2_grpc, servicer)],
        consumers=[*consumers(runtime.nc, runtime.unit_of_work), idempotency.purge_loop()],
    )
