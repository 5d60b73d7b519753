"""A failing job retries with exponential backoff and ends DEAD, publishing JobDead.

The service runs on a clock the test can move forward, so each backoff is checked as the
run time the service computed, and skipped at once instead of waited for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import nats
import pytest
from nats.aio.msg import Msg

from meshwork.jobs.v1 import events_pb2, resources_pb2
from meshwork.jobs.v1 import jobs_service_pb2 as pb
from services.jobs.config import JobsSettings
from tests.integration.jobs.conftest import (
    Callers,
    Jobs,
    Recorder,
    running_jobs,
)
from tests.support.tokens import TestIssuer
from tests.support.waiting import eventually


class ShiftedClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def failing_jobs(
    settings: JobsSettings, issuer: TestIssuer, clock: ShiftedClock
) -> AsyncIterator[tuple[Jobs, Recorder]]:
    recorder = Recorder(clock=clock)
    retrying = settings.model_copy(
        update={"retry_initial_delay_s": 30.0, "retry_multiplier": 2.0, "retry_max_delay_s": 3600}
    )
    async with running_jobs(
        retrying, issuer, register_jobs=[recorder.register], clock=clock
    ) as started:
        yield started, recorder


@pytest.fixture
async def dead_events(nats_server: Any) -> AsyncIterator[list[events_pb2.JobDead]]:
    received: list[events_pb2.JobDead] = []

    async def on_message(msg: Msg) -> None:
        received.append(events_pb2.JobDead.FromString(msg.data))

    connection = await nats.connect(nats_server.url)
    await connection.subscribe("events.jobs.v1.JobDead", cb=on_message)
    await connection.flush()
    yield received
    await connection.close()


async def test_a_failing_job_retries_with_backoff_and_ends_dead(
    failing_jobs: tuple[Jobs, Recorder],
    clock: ShiftedClock,
    callers: Callers,
    dead_events: list[events_pb2.JobDead],
) -> None:
    jobs, recorder = failing_jobs
    as_payments = callers.service("payments")
    reply = await jobs.stub.EnqueueJob(
        pb.EnqueueJobRequest(idempotency_key="refund-9", job=resources_pb2.Job(type="tests.fail")),
        metadata=as_payments,
    )
    job_id = reply.job.id

    async def job() -> resources_pb2.Job:
        answer = await jobs.stub.GetJob(pb.GetJobRequest(job_id=job_id), metadata=as_payments)
        return answer.job

    delays = []
    for attempt in (1, 2):

        async def failed(attempt: int = attempt) -> bool:
            current = await job()
            return current.state == resources_pb2.JOB_STATE_FAILED and (
                current.attempt_count == attempt
            )

        await eventually(failed)
        current = await job()
        delay = current.run_time.ToDatetime() - current.update_time.ToDatetime()
        delays.append(delay.total_seconds())
        assert current.last_error == f"RuntimeError: attempt {attempt} failed on purpose"
        assert len(recorder.runs) == attempt  # nothing runs before the backoff is over
        clock.offset += delay  # skip the wait

    async def dead() -> bool:
        return (await job()).state == resources_pb2.JOB_STATE_DEAD

    await eventually(dead)
    assert delays == [30.0, 60.0]
    final = await job()
    assert (final.attempt_count, final.max_attempts) == (3, 3)
    assert [run.attempt for run in recorder.runs] == [1, 2, 3]
    await eventually(lambda: _arrived(dead_events, job_id))
    assert [event for event in dead_events if event.job_id == job_id] == [
        events_pb2.JobDead(
            job_id=job_id,
            type="tests.fail",
            idempotency_key="refund-9",
            enqueued_by="payments",
            attempt_count=3,
            last_error="RuntimeError: attempt 3 failed on purpose",
        )
    ]


async def _arrived(received: list[events_pb2.JobDead], job_id: str) -> bool:
    return any(event.job_id == job_id for event in received)
