"""The "audit.purge_expired_log_entries" job (a default schedule) calls the real audit service
over gRPC with jobs' service token, and audit deletes the log entries past their retention."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from mesh.service import RunningService, start_service
from meshwork.audit.v1 import audit_service_pb2 as audit_pb
from meshwork.audit.v1 import audit_service_pb2_grpc
from meshwork.audit.v1 import resources_pb2 as audit_resources
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import jobs_service_pb2_grpc, resources_pb2
from services.audit.bootstrap import MIGRATIONS as AUDIT_MIGRATIONS
from services.audit.bootstrap import build as build_audit
from services.jobs.bootstrap import MIGRATIONS as JOBS_MIGRATIONS
from services.jobs.bootstrap import JobsService
from services.jobs.config import DEFAULT_SCHEDULES
from tests.integration.audit.conftest import audit_settings
from tests.integration.jobs.conftest import jobs_settings
from tests.support.tokens import Callers, TestIssuer
from tests.support.waiting import eventually


@pytest.fixture
async def audit(
    tmp_path: Path, nats_server: Any, issuer: TestIssuer
) -> AsyncIterator[RunningService]:
    settings = audit_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", nats_server.url, audited_services=[]
    )
    async with start_service(
        settings, build=build_audit, migrations=AUDIT_MIGRATIONS, local_keys=issuer.jwks
    ) as running:
        yield running


def service_tokens(issuer: TestIssuer, service: str):
    async def issue(audience: str) -> tuple[str, float]:
        return issuer.sign(sub=service, aud=audience, typ="service", roles=None), time.time() + 300

    return issue


def a_log(insert_id: str, age: timedelta) -> audit_resources.LogEntry:
    entry = audit_resources.LogEntry(
        insert_id=insert_id, severity=audit_resources.LOG_SEVERITY_WARNING, message=insert_id
    )
    entry.time.FromDatetime(datetime.now(UTC) - age)
    return entry


async def test_the_scheduled_purge_makes_audit_delete_expired_log_entries(
    audit: RunningService, tmp_path: Path, nats_server: Any, names: str, nats_cleanup: None,
    issuer: TestIssuer,
) -> None:  # fmt: skip
    assert "audit.purge_expired_log_entries" in {s.job_type for s in DEFAULT_SCHEDULES}
    to_audit = Callers(issuer, audience="audit")
    settings = jobs_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}", nats_server.url, names,
        audit_address=audit.address,
    )  # fmt: skip
    async with (
        grpc.aio.insecure_channel(audit.address) as channel,
        start_service(
            settings,
            build=JobsService().build,
            migrations=JOBS_MIGRATIONS,
            local_keys=issuer.jwks,
            local_tokens=service_tokens(issuer, "jobs"),
        ) as running_jobs,
        grpc.aio.insecure_channel(running_jobs.address) as jobs_channel,
    ):
        jobs = jobs_service_pb2_grpc.JobsServiceStub(jobs_channel)
        audit_stub = audit_service_pb2_grpc.AuditServiceStub(channel)
        batch = [a_log("expired", timedelta(days=40)), a_log("recent", timedelta(minutes=1))]
        await audit_stub.WriteLogs(
            audit_pb.WriteLogsRequest(entries=batch), metadata=to_audit.service("users")
        )
        as_admin = Callers(issuer, audience="jobs").service("admin")
        reply = await jobs.EnqueueJob(
            pb.EnqueueJobRequest(
                idempotency_key="purge-now",
                job=resources_pb2.Job(type="audit.purge_expired_log_entries"),
            ),
            metadata=as_admin,
        )

        async def succeeded() -> bool:
            job = await jobs.GetJob(pb.GetJobRequest(job_id=reply.job.id), metadata=as_admin)
            return job.job.state == resources_pb2.JOB_STATE_SUCCEEDED

        await eventually(succeeded)
        left = await audit_stub.ListLogEntries(
            audit_pb.ListLogEntriesRequest(), metadata=to_audit.admin()
        )
    assert [entry.message for entry in left.entries] == ["recent"]
