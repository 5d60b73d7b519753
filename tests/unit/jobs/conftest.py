"""Unit-test fixtures: an in-memory SQLite unit of work with the jobs tables, a settable clock,
a registry with test job types, and the use cases' dependencies wired to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.actor import Actor
from mesh.db import UnitOfWork, create_engine, mesh_metadata, outbox_table
from mesh.events.envelope import TYPE_HEADER, envelope_for
from meshwork.jobs.v1 import events_pb2
from services.jobs.domain import RetryPolicy
from services.jobs.event_catalog import EventCatalog
from services.jobs.handlers import JobsDeps
from services.jobs.orm import jobs_table, metadata
from services.jobs.registry import JobContext, JobRegistry, JobType
from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.delivery import TargetGuard, payload_problems
from services.jobs.webhooks.domain import TargetPolicy
from services.jobs.webhooks.handlers import WebhookDeps

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(initial_delay_s=2.0, max_delay_s=30.0, multiplier=3.0)
ADMIN = Actor("staff-1", frozenset({"admin"}), service="edge")
USERS = Actor(service="users")
PAYMENTS = Actor(service="payments")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


async def do_nothing(payload: dict[str, Any], context: JobContext) -> None:
    return None


def check_report(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [] if isinstance(payload.get("week"), str) else [("week", "is required (a string)")]


def registry_with_test_jobs() -> JobRegistry:
    registry = JobRegistry()
    registry.add(JobType("tests.noop", do_nothing))
    registry.add(JobType("tests.report", do_nothing, max_attempts=2, check_payload=check_report))
    registry.add(JobType("webhooks.deliver", do_nothing, check_payload=payload_problems))
    return registry


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(mesh_metadata.create_all)
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@dataclass
class Wakeups:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def wakeups() -> Wakeups:
    return Wakeups()


@pytest.fixture
def deps(engine: AsyncEngine, clock: Clock, wakeups: Wakeups) -> JobsDeps:
    return JobsDeps(
        unit_of_work=lambda: UnitOfWork(engine, envelope_for=envelope_for),
        registry=registry_with_test_jobs(),
        schedules={},
        default_max_attempts=4,
        wake_dispatcher=wakeups,
        clock=clock,
    )


class FakeResolver:
    """DNS as a test wants it: host → addresses (unknown hosts do not resolve)."""

    def __init__(self, **hosts: list[str]) -> None:
        self.hosts = {name.replace("_", "."): addresses for name, addresses in hosts.items()}

    async def __call__(self, host: str, port: int) -> list[str]:
        if host not in self.hosts:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return self.hosts[host]


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver(hooks_example_com=["93.184.215.14"], intranet_example_com=["10.0.0.7"])


@pytest.fixture
def webhook_deps(engine: AsyncEngine, clock: Clock, resolver: FakeResolver) -> WebhookDeps:
    return WebhookDeps(
        unit_of_work=lambda: UnitOfWork(engine, envelope_for=envelope_for),
        box=SecretBox("unit-test-key"),
        guard=TargetGuard(TargetPolicy(), resolver),
        catalog=EventCatalog(),
        delivery_max_attempts=6,
        clock=clock,
    )


class Outbox:
    """The events the use cases wrote to the outbox, decoded."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def events(self) -> list[Message]:
        query = sa.select(outbox_table.c.payload, outbox_table.c.headers).order_by(
            outbox_table.c.position
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            getattr(events_pb2, row.headers[TYPE_HEADER].rsplit(".", 1)[-1]).FromString(row.payload)
            for row in rows
        ]


@pytest.fixture
def outbox(engine: AsyncEngine) -> Outbox:
    return Outbox(engine)


async def job_count(deps: JobsDeps) -> int:
    async with deps.unit_of_work() as uow:
        count = await uow.connection.scalar(sa.select(sa.func.count()).select_from(jobs_table))
    return int(count or 0)
