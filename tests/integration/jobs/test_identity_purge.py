"""The "identity.purge_expired_tokens" job calls the real identity service over gRPC, with the
service token identity issues to jobs, and identity deletes what expired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
import sqlalchemy as sa

from mesh.service import RunningService, start_service
from meshwork.identity.v1 import identity_service_pb2 as identity_pb
from meshwork.identity.v1 import identity_service_pb2_grpc
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import jobs_service_pb2_grpc, resources_pb2
from services.identity import orm as identity_orm
from services.identity.bootstrap import IdentityService
from services.jobs.bootstrap import MIGRATIONS, build
from tests.integration.identity.conftest import DEV_SECRET, identity_settings
from tests.integration.jobs.conftest import jobs_settings
from tests.support.waiting import eventually


@pytest.fixture
async def identity(tmp_path: Path, nats_server: Any) -> AsyncIterator[RunningService]:
    settings = identity_settings(f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}", nats_server.url)
    service = IdentityService(settings)
    async with start_service(settings, **service.launch_options()) as running:
        yield running


async def seed_expired_token(identity: RunningService) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=60)
    async with identity.runtime.engine.begin() as connection:
        await connection.execute(
            sa.insert(identity_orm.credentials).values(
                user_id="u-expired",
                email="old@example.com",
                email_key="old@example.com",
                password_hash="x",
                state="active",
                roles=["member"],
                email_verified=False,
                signup_attempt="a",
                suspended=False,
                created_at=long_ago,
                updated_at=long_ago,
            )
        )
        await connection.execute(
            sa.insert(identity_orm.one_time_tokens).values(
                digest="d" * 64,
                purpose="email_verification",
                user_id="u-expired",
                email="old@example.com",
                created_at=long_ago,
                expires_at=long_ago,
            )
        )


async def one_time_tokens(identity: RunningService) -> int:
    async with identity.runtime.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(identity_orm.one_time_tokens)
        return int(await connection.scalar(query) or 0)


async def test_the_purge_job_makes_identity_delete_expired_tokens(
    identity: RunningService, tmp_path: Path, nats_server: Any, names: str, nats_cleanup: None
) -> None:
    await seed_expired_token(identity)
    assert await one_time_tokens(identity) == 1
    settings = jobs_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}",
        nats_server.url,
        names,
        environment="dev",
        token_issuer=identity.runtime.settings.token_issuer,
        client_secret=DEV_SECRET,
        identity_address=identity.address,
    )
    async with (
        start_service(settings, build=build, migrations=MIGRATIONS) as jobs,
        grpc.aio.insecure_channel(identity.address) as identity_channel,
        grpc.aio.insecure_channel(jobs.address) as jobs_channel,
    ):
        identity_stub = identity_service_pb2_grpc.IdentityServiceStub(identity_channel)
        token = await identity_stub.IssueServiceToken(
            identity_pb.IssueServiceTokenRequest(
                client_id="admin", client_secret=DEV_SECRET, audience="jobs"
            )
        )
        as_admin_service = (("authorization", f"Bearer {token.access_token}"),)
        stub = jobs_service_pb2_grpc.JobsServiceStub(jobs_channel)
        reply = await stub.EnqueueJob(
            pb.EnqueueJobRequest(
                idempotency_key="purge-now",
                job=resources_pb2.Job(type="identity.purge_expired_tokens"),
            ),
            metadata=as_admin_service,
        )

        async def succeeded() -> bool:
            job = await stub.GetJob(
                pb.GetJobRequest(job_id=reply.job.id), metadata=as_admin_service
            )
            return job.job.state == resources_pb2.JOB_STATE_SUCCEEDED

        await eventually(succeeded)
    assert await one_time_tokens(identity) == 0
