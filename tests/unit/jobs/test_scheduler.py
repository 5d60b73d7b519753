"""Cron firing: a schedule starts from its next tick, and each tick starts one job, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.jobs import commands, handlers
from services.jobs.domain import Job, JobState
from services.jobs.handlers import JobsDeps
from services.jobs.repository import ScheduleStateRepository
from services.jobs.scheduler import fire_due_tick
from services.jobs.schedules import SCHEDULE_ENQUEUER, Schedule, tick_job_id
from tests.unit.jobs.conftest import ADMIN, START, Clock, job_count

EVERY_MINUTE = Schedule(
    id="every-minute",
    cron_expression="* * * * *",
    job_type="tests.noop",
    job_payload={"scope": "all"},
    max_attempts=2,
)


async def fire(deps: JobsDeps, clock: Clock) -> Job | None:
    return await fire_due_tick(deps.unit_of_work(), EVERY_MINUTE, now=clock())


async def test_a_new_schedule_waits_for_its_next_tick(deps: JobsDeps, clock: Clock) -> None:
    assert await fire(deps, clock) is None
    clock.advance(30)
    assert await fire(deps, clock) is None
    assert await job_count(deps) == 0


async def test_a_due_tick_starts_its_job_at_the_tick(deps: JobsDeps, clock: Clock) -> None:
    await fire(deps, clock)
    clock.advance(61)
    job = await fire(deps, clock)
    tick = START + timedelta(minutes=1)
    stored = await handlers.get_job(
        commands.GetJob(tick_job_id(EVERY_MINUTE.id, tick), ADMIN), deps
    )
    assert stored == job
    assert (stored.type, stored.payload, stored.max_attempts) == ("tests.noop", {"scope": "all"}, 2)
    assert (stored.enqueued_by, stored.schedule_id) == (SCHEDULE_ENQUEUER, EVERY_MINUTE.id)
    assert (stored.run_time, stored.state) == (tick, JobState.PENDING)
    deps.schedules = {EVERY_MINUTE.id: EVERY_MINUTE}
    _, state = await handlers.get_schedule(commands.GetSchedule(EVERY_MINUTE.id), deps)
    assert state is not None
    assert (state.last_run_time, state.last_job_id) == (tick, stored.id)


async def test_a_tick_fires_once_even_from_two_schedulers(deps: JobsDeps, clock: Clock) -> None:
    await fire(deps, clock)
    clock.advance(60)
    first = await fire(deps, clock)
    again = await fire(deps, clock)
    assert first is not None and again is None
    assert await job_count(deps) == 1


async def test_a_scheduler_that_lost_a_handover_race_does_not_fire_the_tick_again(
    deps: JobsDeps, clock: Clock
) -> None:
    await fire(deps, clock)
    clock.advance(60)
    await fire(deps, clock)
    await _forget_last_tick(deps, START)  # another scheduler read the state before the firing
    assert await fire(deps, clock) is None
    assert await job_count(deps) == 1


async def test_each_tick_fires_its_own_job(deps: JobsDeps, clock: Clock) -> None:
    await fire(deps, clock)
    fired = []
    for _ in range(3):
        clock.advance(60)
        fired.append(await fire(deps, clock))
    assert len({job.id for job in fired if job is not None}) == 3


async def _forget_last_tick(deps: JobsDeps, tick: datetime) -> None:
    async with deps.unit_of_work() as uow:
        states = ScheduleStateRepository(uow.connection)
        state = await states.get(EVERY_MINUTE.id)
        assert state is not None
        state.last_tick = tick
        await states.save(state)
        await uow.commit()
