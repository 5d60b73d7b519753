"""The jobs service's job and schedule use cases: one async function each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token, page
from mesh.validation import Violations
from services.jobs import commands, messages
from services.jobs.domain import DOMAIN, Job, schedule_not_found, visible
from services.jobs.job_validation import job_id, job_query, new_job
from services.jobs.registry import JobRegistry
from services.jobs.repository import JobRepository, ScheduleStateRepository
from services.jobs.schedules import Schedule, ScheduleState


@dataclass
class JobsDeps:
    """What the job use cases work with."""

    unit_of_work: Callable[[], UnitOfWork]
    registry: JobRegistry
    #: The configured schedules by id.
    schedules: Mapping[str, Schedule]
    default_max_attempts: int
    #: Wakes the dispatcher when a job was recorded in this process.
    wake_dispatcher: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = field(default=utc_now)


async def enqueue_job(command: commands.EnqueueJob, deps: JobsDeps) -> Job:
    """Records the job; a repeated idempotency key returns the job recorded first."""
    job = new_job(
        command,
        deps.registry,
        enqueued_by=command.caller.service,
        default_max_attempts=deps.default_max_attempts,
        now=deps.clock(),
    )
    async with deps.unit_of_work() as uow:
        jobs = JobRepository(uow.connection)
        if await jobs.add_if_absent(job):
            await uow.commit()
            deps.wake_dispatcher()
            return job
        existing = await jobs.find_by_key(job.enqueued_by, job.idempotency_key)
    if existing is None:  # only the random uuid4 collided: astronomically unlikely
        raise RuntimeError(f"job id {job.id} is taken; enqueue again")
    existing.ensure_same_work(job.type, job.payload)
    return existing


async def get_job(command: commands.GetJob, deps: JobsDeps) -> Job:
    requested_id, actor = command.job_id, command.caller
    target = job_id(requested_id)
    async with deps.unit_of_work() as uow:
        job = await JobRepository(uow.connection).get(target)
    return visible(job, actor, requested_id)


@dataclass(frozen=True, slots=True)
class JobPage:
    jobs: list[Job]
    next_page_token: str


async def list_jobs(command: commands.ListJobs, deps: JobsDeps) -> JobPage:
    """A page of jobs, newest first (the access policy admits staff only)."""
    query = job_query(command)
    async with deps.unit_of_work() as uow:
        found = await JobRepository(uow.connection).page(
            query.filters, size=query.page.size, after=query.after
        )
    token = next_token(query.page, found, lambda job: (job.create_time, job.id))
    return JobPage(found[: query.page.size], token)


async def cancel_job(command: commands.CancelJob, deps: JobsDeps) -> Job:
    """Cancels a PENDING or FAILED job; a cancelled job is returned unchanged."""
    requested_id, actor = command.job_id, command.caller
    target = job_id(requested_id)
    async with deps.unit_of_work() as uow:
        jobs = JobRepository(uow.connection)
        job = visible(await jobs.get(target, for_update=True), actor, requested_id)
        if job.cancel(deps.clock()):
            await jobs.save(job)
            uow.add_event(messages.job_cancelled(job, actor.subject))
            await mark_committed(uow.connection)
            await uow.commit()
    return job


async def retry_job(command: commands.RetryJob, deps: JobsDeps) -> Job:
    """Runs a DEAD or CANCELLED job again now, with a fresh set of attempts."""
    requested_id, actor = command.job_id, command.caller
    target = job_id(requested_id)
    async with deps.unit_of_work() as uow:
        jobs = JobRepository(uow.connection)
        job = visible(await jobs.get(target, for_update=True), actor, requested_id)
        job.retry(deps.clock())
        await jobs.save(job)
        uow.add_event(messages.job_retried(job, actor.subject))
        await mark_committed(uow.connection)
        await uow.commit()
    deps.wake_dispatcher()
    return job


@dataclass(frozen=True, slots=True)
class SchedulePage:
    schedules: list[tuple[Schedule, ScheduleState | None]]
    next_page_token: str


async def list_schedules(command: commands.ListPage, deps: JobsDeps) -> SchedulePage:
    """A page of the configured schedules, by id, with what the schedulers remember of them."""
    checks = Violations(domain=DOMAIN)
    requested = page(
        checks, size=command.page_size, token=command.page_token, query={"list": "schedules"}
    )
    checks.raise_if_any()
    ordered = sorted(deps.schedules)
    if requested.after is not None:
        ordered = [schedule_id for schedule_id in ordered if schedule_id > requested.after[0]]
    chosen = ordered[: requested.size]
    async with deps.unit_of_work() as uow:
        states = await ScheduleStateRepository(uow.connection).all(chosen)
    token = next_token(requested, ordered, lambda schedule_id: (schedule_id,))
    return SchedulePage([(deps.schedules[i], states.get(i)) for i in chosen], token)


async def get_schedule(
    command: commands.GetSchedule, deps: JobsDeps
) -> tuple[Schedule, ScheduleState | None]:
    schedule_id = command.schedule_id
    checks = Violations(domain=DOMAIN)
    wanted = checks.text("schedule_id", schedule_id, maximum=64, required=True)
    checks.raise_if_any()
    schedule = deps.schedules.get(wanted)
    if schedule is None:
        raise schedule_not_found(schedule_id)
    async with deps.unit_of_work() as uow:
        state = await ScheduleStateRepository(uow.connection).get(wanted)
    return schedule, state
