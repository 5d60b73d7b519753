"""Cron schedules with two jobs processes sharing one PostgreSQL database and the NATS lease:
each tick starts one job, run once, also across a handover of the lease."""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from services.jobs.config import ScheduleSetting
from tests.integration.jobs.conftest import (
    Jobs,
    Recorder,
    jobs_settings,
    running_jobs,
)
from tests.support.tokens import TestIssuer
from tests.support.waiting import eventually

EVERY_SECOND = ScheduleSetting(
    name="every-second", cron="* * * * * *", job_type="tests.record", payload={"tick": "yes"}
)


def distinct_ticks(recorder: Recorder) -> int:
    return len({run.scheduled_time for run in recorder.runs})


async def test_a_cron_job_fires_once_per_tick_with_two_jobs_processes(
    postgres_url: str, nats_server: Any, names: str, nats_cleanup: None, issuer: TestIssuer
) -> None:
    settings = jobs_settings(
        postgres_url, nats_server.url, names, schedules=[EVERY_SECOND], lease_ttl_s=1.5
    )
    recorder = Recorder()
    async with contextlib.AsyncExitStack() as stack:
        processes: list[Jobs] = []
        stacks: list[contextlib.AsyncExitStack] = []
        for _ in range(2):
            own = contextlib.AsyncExitStack()
            stack.push_async_callback(own.aclose)
            started = running_jobs(settings, issuer, register_jobs=[recorder.register])
            processes.append(await own.enter_async_context(started))
            stacks.append(own)
        await recorder.wait_for(lambda runs: distinct_ticks(recorder) >= 3, timeout_s=15)
        assert [jobs.service.parts.lease.held for jobs in processes].count(True) <= 1

        async def one_leader() -> bool:
            return [jobs.service.parts.lease.held for jobs in processes].count(True) == 1

        await eventually(one_leader)
        leaders = [jobs.service.parts.lease.held for jobs in processes]

        # The leader stops (releasing the lease); the other process takes over the schedule.
        leader = leaders.index(True)
        ticks_before = distinct_ticks(recorder)
        await stacks[leader].aclose()
        follower = processes[1 - leader]
        await recorder.wait_for(
            lambda runs: distinct_ticks(recorder) >= ticks_before + 2, timeout_s=15
        )
        assert follower.service.parts.lease.held

    runs_per_tick = Counter(run.scheduled_time for run in recorder.runs)
    assert set(runs_per_tick.values()) == {1}, runs_per_tick
    ticks = sorted(runs_per_tick)
    assert all(tick.microsecond == 0 for tick in ticks)
    assert {run.payload["tick"] for run in recorder.runs} == {"yes"}
    assert len({run.job_id for run in recorder.runs}) == len(recorder.runs)
