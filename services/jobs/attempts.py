"""The use cases of running jobs: publish the due ones, start an attempt, record its outcome.

Each runs in its own unit of work with the job's row locked, so several jobs processes can
share one database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from mesh.db import UnitOfWork
from services.jobs import messages
from services.jobs.domain import Delivery, Job, JobState, RetryPolicy
from services.jobs.queue import JobMessage
from services.jobs.repository import JobRepository

logger = logging.getLogger("meshwork.jobs")

Publish = Callable[[Job, JobMessage], Awaitable[None]]


async def dispatch_due(
    uow: UnitOfWork, publish: Publish, *, now: datetime, republish_after: timedelta, limit: int
) -> int:
    """Publishes up to `limit` due jobs to the work queue; returns how many.

    Publishing happens inside the transaction that records it: a crash in between leaves the
    job unrecorded, so it is published again with the same message id, which JetStream drops.
    """
    async with uow:
        jobs = JobRepository(uow.connection)
        due = await jobs.due_for_dispatch(now, republish_before=now - republish_after, limit=limit)
        for job in due:
            seq = job.dispatched(now)
            await publish(job, JobMessage(job.id, seq))
            await jobs.save(job)
        await uow.commit()
    return len(due)


async def next_run_time(uow: UnitOfWork) -> datetime | None:
    async with uow:
        return await JobRepository(uow.connection).next_run_time()


async def begin_attempt(
    uow: UnitOfWork,
    message: JobMessage,
    *,
    redelivered: bool,
    now: datetime,
    policy: RetryPolicy,
) -> tuple[Delivery, Job | None]:
    """Decides what a received message means and, for RUN, marks the job RUNNING."""
    async with uow:
        jobs = JobRepository(uow.connection)
        job = await jobs.get(message.job_id, for_update=True)
        if job is None:
            logger.warning("job %s of a work-queue message does not exist", message.job_id)
            return Delivery.STALE, None
        decision = job.on_delivery(message.seq, now, redelivered=redelivered)
        if decision is Delivery.RUN:
            job.start(message.seq, now)
        elif decision is Delivery.INTERRUPTED:
            error = f"attempt {job.attempt_count} stopped before it finished (its worker was lost)"
            job.fail(error, now, policy, permanent=False)
            _add_outcome_event(uow, job)
        else:
            return decision, job
        await jobs.save(job)
        await uow.commit()
    return decision, job


async def finish_attempt(
    uow: UnitOfWork,
    message: JobMessage,
    *,
    error: str | None,
    permanent: bool,
    now: datetime,
    policy: RetryPolicy,
) -> Job | None:
    """Records the outcome of the attempt started from `message` (error None: success)."""
    async with uow:
        jobs = JobRepository(uow.connection)
        job = await jobs.get(message.job_id, for_update=True)
        if job is None or not job.running_from(message.seq):
            logger.warning("attempt of job %s ended after it was taken over", message.job_id)
            return job
        if error is None:
            job.succeed(now)
        else:
            job.fail(error, now, policy, permanent=permanent)
        _add_outcome_event(uow, job)
        await jobs.save(job)
        await uow.commit()
    return job


def _add_outcome_event(uow: UnitOfWork, job: Job) -> None:
    if job.state is JobState.SUCCEEDED:
        uow.add_event(messages.job_succeeded(job))
    elif job.state is JobState.DEAD:
        uow.add_event(messages.job_dead(job))
