"""The worker pool: pulls job messages from the work queue and runs at most N jobs at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from mesh.background import BackgroundLoop, Backoff
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.events.consumer import close_subscription
from mesh.events.redelivery import describe_error
from services.jobs.attempts import begin_attempt, finish_attempt
from services.jobs.domain import Delivery, Job, RetryPolicy
from services.jobs.queue import (
    Delivered,
    JobMessage,
    MalformedJobMessageError,
    WorkQueue,
    redelivered,
)
from services.jobs.registry import JobContext, JobRegistry, PermanentJobError

logger = logging.getLogger("meshwork.jobs")
#: How long a message waits after the database could not be reached.
_DATABASE_RETRY_S = 5.0


@dataclass
class JobExecutor:
    """Runs the job a message names: start the attempt, call its handler, record the outcome.

    While the handler runs, the message is reported in progress, so JetStream redelivers it
    only when this worker is gone; the next worker then records the attempt as failed.
    """

    unit_of_work: Callable[[], UnitOfWork]
    registry: JobRegistry
    policy: RetryPolicy
    job_timeout_s: float
    heartbeat_s: float
    clock: Callable[[], datetime] = utc_now

    async def handle(self, msg: Delivered) -> None:
        try:
            message = JobMessage.decode(msg.data)
        except MalformedJobMessageError:
            logger.exception("dropping a malformed message from %s", msg.subject)
            await msg.term()
            return
        now = self.clock()
        decision, job = await begin_attempt(
            self.unit_of_work(), message, redelivered=redelivered(msg), now=now, policy=self.policy
        )
        if decision is Delivery.NOT_DUE and job is not None:
            await msg.nak(delay=max((job.run_time - now).total_seconds(), 0.0))
            return
        if decision is Delivery.RUN and job is not None:
            error, permanent = await self._attempt(msg, job)
            await finish_attempt(
                self.unit_of_work(),
                message,
                error=error,
                permanent=permanent,
                now=self.clock(),
                policy=self.policy,
            )
        await msg.ack()

    async def _attempt(self, msg: Delivered, job: Job) -> tuple[str | None, bool]:
        """Runs the handler; returns (error or None, whether the error is permanent)."""
        job_type = self.registry.get(job.type)
        if job_type is None:
            return f"no handler is registered for job type {job.type!r} in this process", False
        context = JobContext(
            job_id=job.id,
            type=job.type,
            attempt=job.attempt_count,
            max_attempts=job.max_attempts,
            enqueued_by=job.enqueued_by,
            schedule_id=job.schedule_id,
            scheduled_time=job.run_time,
        )
        heartbeat = asyncio.create_task(self._heartbeat(msg))
        try:
            async with asyncio.timeout(self.job_timeout_s) as deadline:
                await job_type.handler(dict(job.payload), context)
        except PermanentJobError as error:
            return self._failed(job, error, permanent=True)
        except TimeoutError as error:
            timed_out = TimeoutError(f"the attempt took longer than {self.job_timeout_s:g}s")
            return self._failed(job, timed_out if deadline.expired() else error, permanent=False)
        except Exception as error:
            return self._failed(job, error, permanent=False)
        finally:
            heartbeat.cancel()
        return None, False

    def _failed(self, job: Job, error: Exception, *, permanent: bool) -> tuple[str, bool]:
        logger.warning(
            "job %s (%s) attempt %d/%d failed%s: %r",
            job.id, job.type, job.attempt_count, job.max_attempts,
            " permanently" if permanent else "", error,
        )  # fmt: skip
        return describe_error(error), permanent

    async def _heartbeat(self, msg: Delivered) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            with contextlib.suppress(Exception):  # the next beat, or the outcome, tries again
                await msg.in_progress()


class WorkerPool(BackgroundLoop):
    """Fetches from the workers' durable consumer while fewer than `concurrency` jobs run."""

    def __init__(
        self,
        nc: NATS,
        queue: WorkQueue,
        executor: JobExecutor,
        *,
        concurrency: int,
        ack_wait_s: float,
        stop_timeout_s: float = 10.0,
        fetch_timeout_s: float = 1.0,
    ) -> None:
        super().__init__(
            "jobs-workers",
            nc=nc,
            backoff=Backoff(fetch_timeout_s, 10.0),
            stop_timeout_s=stop_timeout_s,
        )
        self._js: JetStreamContext = nc.jetstream()
        self._queue = queue
        self._executor = executor
        self._concurrency = concurrency
        self._ack_wait_s = ack_wait_s
        self._fetch_timeout_s = fetch_timeout_s
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._jobs: set[asyncio.Task[None]] = set()

    @property
    def jobs_running(self) -> int:
        """How many jobs run now."""
        return len(self._jobs)

    async def prepare(self) -> None:
        """Declares the work queue and binds to the workers' consumer."""
        await self._queue.declare(self._js, ack_wait_s=self._ack_wait_s)
        self._subscription = await self._js.pull_subscribe_bind(
            durable=self._queue.consumer, stream=self._queue.stream
        )

    async def run_once(self) -> float:
        """Waits for a free slot, fetches as many messages as slots are free, starts their jobs."""
        # The loop only waits and fetches: a message it held when stopped is simply redelivered.
        with self.interruptible():
            if len(self._jobs) >= self._concurrency:
                await asyncio.wait(self._jobs, return_when=asyncio.FIRST_COMPLETED)
                return 0.0
            messages = await self._fetch(self._concurrency - len(self._jobs))
        for msg in messages:
            job_task = asyncio.create_task(self._handle(msg), name=f"job {msg.subject}")
            self._jobs.add(job_task)
            job_task.add_done_callback(self._jobs.discard)
        return 0.0

    async def release(self) -> None:
        """Lets running jobs finish (cancelled after the stop timeout), then unsubscribes."""
        if self._jobs:
            _, late = await asyncio.wait(self._jobs, timeout=self._stop_timeout_s)
            for job_task in late:  # their messages are redelivered and recorded as interrupted
                job_task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        subscription, self._subscription = self._subscription, None
        if subscription is not None and self._nc is not None:
            await close_subscription(self._nc, subscription, timeout_s=self._stop_timeout_s)

    async def _fetch(self, count: int) -> list[Msg]:
        if self._subscription is None:
            raise RuntimeError("the worker pool is not started")
        try:
            return await self._subscription.fetch(count, timeout=self._fetch_timeout_s)
        except TimeoutError:
            return []

    async def _handle(self, msg: Msg) -> None:
        try:
            await self._executor.handle(msg)
        except Exception as error:  # e.g. the database is down: try the message again later
            self.record_failure(error)
            with contextlib.suppress(Exception):
                await msg.nak(delay=_DATABASE_RETRY_S)
