"""Wires the users service to the runtime's resources; `start_service`/`run_service` run it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.users.v1 import users_service_pb2, users_service_pb2_grpc
from services.users.events import identity_consumer
from services.users.grpc_api import UsersServicer
from services.users.handlers import Deps
from services.users.repository import UsersUnitOfWork

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The UsersService servicer and the consumer of identity's events."""
    idempotency = IdempotencyRecords(runtime.engine)
    servicer = UsersServicer(Deps(partial(runtime.unit_of_work_of, UsersUnitOfWork)), idempotency)
    return Built(
        bindings=[ServiceBinding.of(users_service_pb2, users_service_pb2_grpc, servicer)],
        consumers=[identity_consumer(runtime.nc, runtime.unit_of_work), idempotency.purge_loop()],
    )
