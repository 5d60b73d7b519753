"""The worker pool: at most `worker_concurrency` jobs run at once, and stopping the service
lets running jobs finish and records their outcome."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mesh.db import create_engine
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from meshwork.jobs.v1 import resources_pb2
from services.jobs.orm import jobs_table
from services.jobs.registry import JobContext, JobRegistry, JobType
from tests.integration.jobs.conftest import Callers, jobs_settings, running_jobs
from tests.support.tokens import TestIssuer


class Gate:
    """A job type whose runs wait at a gate: counts how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started = asyncio.Condition()
        self.open = asyncio.Event()

    def register(self, registry: JobRegistry) -> None:
        registry.add(JobType("tests.gated", self._run))

    async def _run(self, payload: dict[str, Any], context: JobContext) -> None:
        async with self.started:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.notify_all()
        await self.open.wait()
        self.running -= 1

    async def wait_running(self, count: int) -> None:
        async with asyncio.timeout(10), self.started:
            await self.started.wait_for(lambda: self.running >= count)


async def test_at_most_the_configured_number_of_jobs_run_at_once(
    tmp_path: Path,
    nats_server: Any,
    names: str,
    nats_cleanup: None,
    issuer: TestIssuer,
    callers: Callers,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}"
    settings = jobs_settings(url, nats_server.url, names, worker_concurrency=2)
    gate = Gate()
    async with running_jobs(settings, issuer, register_jobs=[gate.register]) as jobs:
        for index in range(5):
            await jobs.stub.EnqueueJob(
                pb.EnqueueJobRequest(
                    idempotency_key=f"gated-{index}", job=resources_pb2.Job(type="tests.gated")
                ),
                metadata=callers.service("users"),
            )
        await gate.wait_running(2)
        assert jobs.service.parts.worker_pool.jobs_running == 2
        assert gate.most == 2
        # Stopping now: the two running jobs finish (the gate opens during the grace period).
        asyncio.get_running_loop().call_later(0.2, gate.open.set)
    assert gate.most == 2
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(sa.select(jobs_table.c.state))
            states = sorted(row.state for row in rows)
    finally:
        await engine.dispose()
    assert states == ["PENDING"] * 3 + ["SUCCEEDED"] * 2
