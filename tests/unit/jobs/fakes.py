"""Fakes of NATS messages and of the work-queue publisher, for the execution use cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from services.jobs.attempts import dispatch_due
from services.jobs.domain import Job
from services.jobs.handlers import JobsDeps
from services.jobs.queue import JobMessage
from services.jobs.worker import JobExecutor
from tests.unit.jobs.conftest import POLICY


@dataclass
class FakeMsg:
    """A delivered JetStream message: what a worker reads and how it settled it."""

    data: bytes
    subject: str = "jobs.run.tests.noop"
    num_delivered: int = 1
    settled: list[str] = field(default_factory=list)
    nak_delay: float | None = None

    @property
    def metadata(self) -> SimpleNamespace:
        return SimpleNamespace(num_delivered=self.num_delivered)

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append("nak")
        self.nak_delay = delay

    async def term(self) -> None:
        self.settled.append("term")

    async def in_progress(self) -> None:
        self.settled.append("in_progress")


@dataclass
class FakeQueue:
    """Collects what the dispatcher publishes; `fail_after` makes a publish raise."""

    published: list[JobMessage] = field(default_factory=list)
    fail_after: int | None = None

    async def __call__(self, job: Job, message: JobMessage) -> None:
        if self.fail_after is not None and len(self.published) >= self.fail_after:
            raise ConnectionError("NATS went away")
        self.published.append(message)

    def take(self) -> list[FakeMsg]:
        """The published messages as a worker would receive them (first delivery)."""
        messages, self.published = self.published, []
        return [FakeMsg(message.encode()) for message in messages]


def executor(deps: JobsDeps, clock: Callable[[], datetime]) -> JobExecutor:
    return JobExecutor(
        unit_of_work=deps.unit_of_work,
        registry=deps.registry,
        policy=POLICY,
        job_timeout_s=5,
        heartbeat_s=60,
        clock=clock,
    )


async def dispatch(deps: JobsDeps, queue: FakeQueue, clock: Callable[[], datetime]) -> int:
    """Runs one dispatcher round at the clock's time."""
    return await dispatch_due(
        deps.unit_of_work(), queue, now=clock(), republish_after=timedelta(minutes=10), limit=100
    )
