"""The job types every jobs process runs: maintenance, webhook deliveries, reconciliation."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import UnitOfWork
from mesh.events.inbox import purge_inbox
from mesh.events.outbox import purge_sent
from meshwork.audit.v1 import audit_service_pb2, audit_service_pb2_grpc
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc
from services.jobs.reconciliation import RECONCILE_JOB_TYPE, Reconciler, reconcile_job
from services.jobs.registry import JobContext, JobHandler, JobRegistry, JobType
from services.jobs.repository import JobRepository
from services.jobs.webhooks.delivery import DELIVER_JOB_TYPE, WebhookDelivery, payload_problems

logger = logging.getLogger("meshwork.jobs")

IDENTITY_PURGE_JOB_TYPE = "identity.purge_expired_tokens"
PURGE_RECORDS_JOB_TYPE = "jobs.purge_records"
AUDIT_PURGE_JOB_TYPE = "audit.purge_expired_log_entries"


def identity_purge_job(
    identity: Callable[[], identity_service_pb2_grpc.IdentityServiceStub],
) -> JobHandler:
    """Asks identity to delete its expired sessions and one-time tokens (idempotent)."""

    async def purge_expired_tokens(payload: dict[str, Any], context: JobContext) -> None:
        reply = await identity().PurgeExpiredTokens(
            identity_service_pb2.PurgeExpiredTokensRequest()
        )
        logger.info(
            "identity purged %d sessions and %d one-time tokens (job %s)",
            reply.purged_session_count, reply.purged_one_time_token_count, context.job_id,
        )  # fmt: skip

    return purge_expired_tokens


def audit_purge_job(
    audit: Callable[[], audit_service_pb2_grpc.AuditServiceStub],
) -> JobHandler:
    """Asks audit to delete log entries past their retention (the audit trail is kept)."""

    async def purge_expired_log_entries(payload: dict[str, Any], context: JobContext) -> None:
        reply = await audit().PurgeExpiredLogEntries(
            audit_service_pb2.PurgeExpiredLogEntriesRequest()
        )
        logger.info(
            "audit purged %d log entries (job %s)", reply.purged_entry_count, context.job_id
        )

    return purge_expired_log_entries


def purge_records_job(
    engine: AsyncEngine,
    unit_of_work: Callable[[], UnitOfWork],
    *,
    job_retention: timedelta,
    mesh_retention: timedelta,
    clock: Callable[[], datetime],
) -> JobHandler:
    """Deletes finished jobs, handled-inbox rows and sent-outbox rows past their retention."""

    async def purge_records(payload: dict[str, Any], context: JobContext) -> None:
        async with unit_of_work() as uow:
            jobs = await JobRepository(uow.connection).purge_finished(clock() - job_retention)
            await uow.commit()
        inbox = await purge_inbox(engine, older_than=mesh_retention)
        outbox = await purge_sent(engine, older_than=mesh_retention)
        logger.info(
            "purged %d finished jobs, %d inbox and %d outbox rows (job %s)",
            jobs, inbox, outbox, context.job_id,
        )  # fmt: skip

    return purge_records


def register_builtin_jobs(
    registry: JobRegistry,
    *,
    identity_purge: JobHandler,
    audit_purge: JobHandler,
    purge_records: JobHandler,
    delivery: WebhookDelivery,
    delivery_max_attempts: int,
    reconciler: Reconciler | None,
) -> None:
    registry.add(JobType(IDENTITY_PURGE_JOB_TYPE, identity_purge, max_attempts=3))
    registry.add(JobType(AUDIT_PURGE_JOB_TYPE, audit_purge, max_attempts=3))
    registry.add(JobType(PURGE_RECORDS_JOB_TYPE, purge_records, max_attempts=3))
    registry.add(
        JobType(
            DELIVER_JOB_TYPE,
            delivery,
            max_attempts=delivery_max_attempts,
            check_payload=payload_problems,
        )
    )
    registry.add(JobType(RECONCILE_JOB_TYPE, reconcile_job(reconciler), max_attempts=3))
