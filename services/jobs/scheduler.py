"""The cron scheduler: while this process holds the lease, starts each schedule's due job.

A tick's job has an id derived from (schedule, tick time) and is inserted only if absent, so
a tick fires once even when two schedulers overlap during a lease handover. Ticks missed
while no scheduler ran are not replayed: the latest missed tick fires once. A schedule seen
for the first time starts from its next tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from nats.aio.client import Client as NATS

from mesh.background import BackgroundLoop
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from services.jobs.domain import Job
from services.jobs.lease import KvLease
from services.jobs.repository import JobRepository, ScheduleStateRepository
from services.jobs.schedules import (
    SCHEDULE_ENQUEUER,
    Schedule,
    ScheduleState,
    tick_idempotency_key,
    tick_job_id,
)

logger = logging.getLogger("meshwork.jobs")
#: The shortest and longest waits between rounds.
MIN_WAIT_S = 0.01
MAX_WAIT_S = 1.0


async def fire_due_tick(uow: UnitOfWork, schedule: Schedule, *, now: datetime) -> Job | None:
    """Starts the schedule's job for its due tick, if one is due; returns the job it inserted."""
    async with uow:
        states = ScheduleStateRepository(uow.connection)
        state = await states.get(schedule.id, for_update=True)
        if state is None:
            await states.add_if_absent(ScheduleState(schedule.id, schedule.latest_tick(now)))
            await uow.commit()
            return None
        tick = schedule.due_tick(state.last_tick, now)
        if tick is None:
            return None
        job = tick_job(schedule, tick, now=now)
        inserted = await JobRepository(uow.connection).add_if_absent(job)
        state.last_tick = state.last_run_time = tick
        state.last_job_id = job.id
        await states.save(state)
        await uow.commit()
    if not inserted:
        logger.info("tick %s of %s had already fired", tick.isoformat(), schedule.id)
        return None
    return job


def tick_job(schedule: Schedule, tick: datetime, *, now: datetime) -> Job:
    return Job(
        id=tick_job_id(schedule.id, tick),
        type=schedule.job_type,
        payload=dict(schedule.job_payload),
        idempotency_key=tick_idempotency_key(schedule.id, tick),
        enqueued_by=SCHEDULE_ENQUEUER,
        schedule_id=schedule.id,
        max_attempts=schedule.max_attempts,
        run_time=tick,
        create_time=now,
        update_time=now,
    )


class CronScheduler(BackgroundLoop):
    """Fires the enabled schedules' ticks while `lease` is held by this process."""

    def __init__(
        self,
        nc: NATS,
        unit_of_work: Callable[[], UnitOfWork],
        schedules: Sequence[Schedule],
        lease: KvLease,
        *,
        on_fired: Callable[[], None],
        stop_timeout_s: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__("jobs-cron", nc=nc, stop_timeout_s=stop_timeout_s)
        self._unit_of_work = unit_of_work
        self._schedules = [schedule for schedule in schedules if schedule.enabled]
        self._lease = lease
        self._on_fired = on_fired
        self._clock = clock

    async def run_once(self) -> float:
        if not self._schedules:
            return MAX_WAIT_S * 60
        if not self._lease.held:
            return MAX_WAIT_S
        now = self._clock()
        fired = [await fire_due_tick(self._unit_of_work(), s, now=now) for s in self._schedules]
        if any(fired):
            self._on_fired()
        upcoming = min(schedule.next_tick(now) for schedule in self._schedules)
        wait_s = (upcoming - self._clock()).total_seconds()
        return min(max(wait_s, MIN_WAIT_S), MAX_WAIT_S)
