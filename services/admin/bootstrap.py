"""Wires the admin service to the runtime's resources; `start_service`/`run_service` run it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from mesh.idempotency import IdempotencyRecords
from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.admin.v1 import admin_service_pb2, admin_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.users.v1 import users_service_pb2_grpc
from services.admin.config import AdminSettings
from services.admin.directory import ServiceDirectory
from services.admin.events import consumers
from services.admin.grpc_api import AdminServicer
from services.admin.handlers import Deps
from services.admin.repository import AdminUnitOfWork

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The AdminService servicer, the revocations feed and the idempotency purge."""
    settings = runtime.settings
    directory = ServiceDirectory(
        users=lambda: runtime.client(users_service_pb2_grpc.UsersServiceStub, "users"),
        identity=lambda: runtime.client(identity_service_pb2_grpc.IdentityServiceStub, "identity"),
    )
    deps = Deps(
        partial(runtime.unit_of_work_of, AdminUnitOfWork),
        directory,
        bootstrap_admin_emails=tuple(
            settings.bootstrap_admin_emails if isinstance(settings, AdminSettings) else ()
        ),
    )
    idempotency = IdempotencyRecords(runtime.engine)
    servicer = AdminServicer(deps, idempotency)
    return Built(
        bindings=[ServiceBinding.of(admin_service_pb2, admin_service_pb2_grpc, servicer)],
        consumers=[*consumers(runtime.nc, runtime.unit_of_work), idempotency.purge_loop()],
    )
