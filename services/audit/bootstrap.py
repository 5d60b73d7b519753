"""Wires the audit service to the runtime's resources; `start_service`/`run_service` run it."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from mesh.server import ServiceBinding
from mesh.service import Built, ServiceRuntime
from meshwork.audit.v1 import audit_service_pb2, audit_service_pb2_grpc
from services.audit.config import AuditSettings
from services.audit.events import consumers
from services.audit.grpc_api import AuditServicer
from services.audit.handlers import Deps
from services.audit.repository import AuditUnitOfWork

#: The service's Alembic scripts, applied at start-up.
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(runtime: ServiceRuntime) -> Built:
    """The AuditService servicer and a durable consumer on each audited service's stream."""
    settings = runtime.settings
    if not isinstance(settings, AuditSettings):
        raise TypeError(f"the audit service runs with AuditSettings, got {type(settings)}")
    unit_of_work = partial(runtime.unit_of_work_of, AuditUnitOfWork)
    deps = Deps(unit_of_work, log_retention=timedelta(seconds=settings.log_retention_s))
    return Built(
        bindings=[
            ServiceBinding.of(audit_service_pb2, audit_service_pb2_grpc, AuditServicer(deps))
        ],
        consumers=consumers(runtime.nc, unit_of_work, settings.audited_services),
    )
