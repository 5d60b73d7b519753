"""The dispatcher: publishes jobs to the work queue when they are due, and not before.

Jobs wait in the database until their run time (durable scheduling: a restart loses none).
The dispatcher sleeps until the earliest known run time (at most `interval_s`), and wakes at
once when this process records a job (`notify`). Every jobs process runs one; on PostgreSQL
they split due jobs with row locks, and duplicates are dropped by the message id anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from nats.aio.client import Client as NATS

from mesh.background import BackgroundLoop
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from services.jobs.attempts import dispatch_due, next_run_time
from services.jobs.domain import Job
from services.jobs.queue import JobMessage, WorkQueue

BATCH_SIZE = 100
#: The shortest wait: due jobs left behind are locked by another dispatcher for a moment.
MIN_WAIT_S = 0.02


class Dispatcher(BackgroundLoop):
    """Publishes the jobs whose run time has come to the work queue."""

    def __init__(
        self,
        nc: NATS,
        unit_of_work: Callable[[], UnitOfWork],
        queue: WorkQueue,
        *,
        interval_s: float,
        republish_after_s: float,
        stop_timeout_s: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__("jobs-dispatcher", nc=nc, stop_timeout_s=stop_timeout_s)
        self._unit_of_work = unit_of_work
        self._queue = queue
        self._js = nc.jetstream()
        self._interval_s = interval_s
        self._republish_after = timedelta(seconds=republish_after_s)
        self._clock = clock

    async def run_once(self) -> float:
        published = await dispatch_due(
            self._unit_of_work(),
            self._publish,
            now=self._clock(),
            republish_after=self._republish_after,
            limit=BATCH_SIZE,
        )
        if published == BATCH_SIZE:
            return 0.0  # more may be due
        due = await next_run_time(self._unit_of_work())
        if due is None:
            return self._interval_s
        return min(max((due - self._clock()).total_seconds(), MIN_WAIT_S), self._interval_s)

    async def _publish(self, job: Job, message: JobMessage) -> None:
        await self._queue.publish(self._js, job.type, message)
