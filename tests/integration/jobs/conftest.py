"""The jobs service running in-process over real NATS and SQLite/PostgreSQL, called over gRPC.

Each test gets its own work-queue stream, lease bucket and consumer names, so tests sharing
the session's nats-server never see each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import nats
import pytest
from google.rpc import error_details_pb2, status_pb2
from pydantic import SecretStr

from mesh.clock import utc_now
from mesh.service import RunningService, start_service
from meshwork.jobs.v1 import jobs_service_pb2_grpc
from services.jobs.bootstrap import MIGRATIONS, JobsService, RegisterJobs
from services.jobs.config import JobsSettings
from services.jobs.registry import JobContext, JobRegistry, JobType
from tests.support.tokens import ISSUER, Callers, TestIssuer

Metadata = Sequence[tuple[str, str]]


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def names() -> str:
    """A suffix that keeps this test's NATS objects apart from every other test's."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
async def nats_cleanup(nats_server: Any, names: str) -> AsyncIterator[None]:
    """Deletes the test's work-queue stream, lease bucket and webhook consumers afterwards."""
    yield
    connection = await nats.connect(nats_server.url)
    js = connection.jetstream()
    with contextlib.suppress(Exception):
        await js.delete_stream(f"JOBS_{names.upper()}")
    with contextlib.suppress(Exception):
        await js.delete_key_value(f"lease_{names}")
    for service in ("users",):
        with contextlib.suppress(Exception):
            await js.delete_consumer("EVENTS_USERS", f"hooks-{names}-on-{service}")
    await connection.close()


def jobs_settings(database_url: str, nats_url: str, names: str, **overrides: Any) -> JobsSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "nats_url": nats_url,
        "grpc_address": "127.0.0.1:0",
        "token_issuer": ISSUER,
        "client_secret": SecretStr("jobs-test-secret"),
        "webhook_secret_key": SecretStr("jobs-test-webhook-key"),
        "shutdown_grace_s": 1.0,
        "log_json": False,
        "queue_name": f"jobs_{names}",
        "lease_bucket": f"lease_{names}",
        "lease_ttl_s": 3.0,
        "dispatch_interval_s": 0.2,
        "schedules": [],
        "webhook_event_services": [],
        "webhook_consumer_prefix": f"hooks-{names}",
    }
    return JobsSettings(**(values | overrides))


@dataclass
class Run:
    """One handler call, as the handler saw it."""

    job_id: str
    attempt: int
    scheduled_time: datetime
    started: datetime
    payload: dict[str, Any]


@dataclass
class Recorder:
    """Test job types: "tests.record" records each run; "tests.fail" records, then fails."""

    runs: list[Run] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    clock: Callable[[], datetime] = utc_now

    def register(self, registry: JobRegistry) -> None:
        registry.add(JobType("tests.record", self._record))
        registry.add(JobType("tests.fail", self._fail, max_attempts=3))

    async def _record(self, payload: dict[str, Any], context: JobContext) -> None:
        run = Run(context.job_id, context.attempt, context.scheduled_time, self.clock(), payload)
        async with self.changed:
            self.runs.append(run)
            self.changed.notify_all()

    async def _fail(self, payload: dict[str, Any], context: JobContext) -> None:
        await self._record(payload, context)
        raise RuntimeError(f"attempt {context.attempt} failed on purpose")

    async def wait_for(self, condition: Callable[[list[Run]], bool], timeout_s: float = 10) -> None:
        async with asyncio.timeout(timeout_s), self.changed:
            await self.changed.wait_for(lambda: condition(self.runs))


@dataclass
class Jobs:
    """A running jobs service and a stub to call it."""

    running: RunningService
    service: JobsService
    stub: jobs_service_pb2_grpc.JobsServiceStub


@contextlib.asynccontextmanager
async def running_jobs(
    settings: JobsSettings,
    issuer: TestIssuer,
    *,
    register_jobs: Sequence[RegisterJobs] = (),
    **options: Any,
) -> AsyncIterator[Jobs]:
    service = JobsService(register_jobs=register_jobs, **options)
    async with (
        start_service(
            settings, build=service.build, migrations=MIGRATIONS, local_keys=issuer.jwks
        ) as running,
        grpc.aio.insecure_channel(running.address) as channel,
    ):
        yield Jobs(running, service, jobs_service_pb2_grpc.JobsServiceStub(channel))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def settings(database_url: str, nats_server: Any, names: str, nats_cleanup: None) -> JobsSettings:
    return jobs_settings(database_url, nats_server.url, names)


@pytest.fixture
async def jobs(
    settings: JobsSettings, issuer: TestIssuer, recorder: Recorder
) -> AsyncIterator[Jobs]:
    async with running_jobs(settings, issuer, register_jobs=[recorder.register]) as started:
        yield started


@pytest.fixture
def callers(issuer: TestIssuer) -> Callers:
    return Callers(issuer, audience="jobs", default_role="member")


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def rich_status(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    raw = dict(error.trailing_metadata() or ())["grpc-status-details-bin"]
    return status_pb2.Status.FromString(raw)


def reason_of(error: grpc.aio.AioRpcError) -> str:
    for detail in rich_status(error).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""


def violations_of(error: grpc.aio.AioRpcError) -> list[tuple[str, str]]:
    """The (field, description) pairs of the error's BadRequest detail."""
    found = []
    for detail in rich_status(error).details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [(v.field, v.description) for v in bad.field_violations]
    return found
