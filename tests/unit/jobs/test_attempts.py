"""Running jobs: due jobs are published once each, attempts retry with backoff, then DEAD."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from meshwork.jobs.v1 import events_pb2
from services.jobs import commands, handlers
from services.jobs.attempts import begin_attempt
from services.jobs.domain import JobState
from services.jobs.handlers import JobsDeps
from services.jobs.queue import JobMessage
from services.jobs.registry import JobContext, JobType, PermanentJobError
from tests.unit.jobs.conftest import POLICY, START, USERS, Clock, Outbox
from tests.unit.jobs.factories import enqueue
from tests.unit.jobs.fakes import FakeMsg, FakeQueue, dispatch, executor


class Attempts:
    """A job type whose handler records each attempt and fails while `failures` last."""

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.seen: list[JobContext] = []

    async def __call__(self, payload: dict[str, Any], context: JobContext) -> None:
        self.seen.append(context)
        if len(self.seen) <= self.failures:
            if self.permanent:
                raise PermanentJobError("the account is closed")
            raise RuntimeError(f"attempt {context.attempt} broke")


@pytest.fixture
def flaky(deps: JobsDeps) -> Attempts:
    attempts = Attempts(failures=10)
    deps.registry.add(JobType("tests.flaky", attempts))
    return attempts


class TestDispatch:
    async def test_a_job_is_published_when_due_and_not_before(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        queue = FakeQueue()
        later = START + timedelta(seconds=30)
        job = await handlers.enqueue_job(enqueue(run_time=later), deps)
        assert await dispatch(deps, queue, clock) == 0
        clock.now = later
        assert await dispatch(deps, queue, clock) == 1
        assert queue.published == [JobMessage(job.id, 1)]
        assert await dispatch(deps, queue, clock) == 0  # published once

    async def test_a_failed_publish_is_repeated_with_the_same_message_id(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        await handlers.enqueue_job(enqueue(), deps)
        await handlers.enqueue_job(enqueue(), deps)
        queue = FakeQueue(fail_after=1)
        with pytest.raises(ConnectionError):
            await dispatch(deps, queue, clock)
        first = queue.published[0]
        queue.fail_after = None
        assert await dispatch(deps, queue, clock) == 2
        assert queue.published[1].msg_id == first.msg_id  # JetStream drops the copy

    async def test_a_job_published_long_ago_and_never_started_is_published_again(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        queue = FakeQueue()
        await dispatch(deps, queue, clock)
        clock.advance(11 * 60)
        await dispatch(deps, queue, clock)
        assert queue.published == [JobMessage(job.id, 1), JobMessage(job.id, 2)]
        run = executor(deps, clock)
        first, second = queue.take()
        await run.handle(first)
        await run.handle(second)
        assert (await handlers.get_job(commands.GetJob(job.id, USERS), deps)).attempt_count == 1


class TestRetries:
    async def test_a_failing_job_retries_with_backoff_and_ends_dead(
        self, deps: JobsDeps, clock: Clock, flaky: Attempts, outbox: Outbox
    ) -> None:
        job = await handlers.enqueue_job(enqueue(type="tests.flaky", max_attempts=4), deps)
        queue, run, delays = FakeQueue(), executor(deps, clock), []
        for attempt in range(1, 5):
            assert await dispatch(deps, queue, clock) == 1
            [msg] = queue.take()
            await run.handle(msg)
            assert msg.settled == ["ack"]
            stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
            assert stored.attempt_count == attempt
            if stored.state is JobState.FAILED:
                delays.append((stored.run_time - clock()).total_seconds())
                assert await dispatch(deps, queue, clock) == 0  # not before the backoff
                clock.now = stored.run_time
        assert delays == [POLICY.delay_s(1), POLICY.delay_s(2), POLICY.delay_s(3)] == [2, 6, 18]
        assert stored.state is JobState.DEAD
        assert stored.last_error == "RuntimeError: attempt 4 broke"
        assert [c.attempt for c in flaky.seen] == [1, 2, 3, 4]
        [dead] = await outbox.events()
        assert dead == events_pb2.JobDead(
            job_id=job.id,
            type="tests.flaky",
            idempotency_key=job.idempotency_key,
            enqueued_by="users",
            attempt_count=4,
            last_error="RuntimeError: attempt 4 broke",
        )

    async def test_a_permanent_error_ends_the_job_at_once(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        deps.registry.add(JobType("tests.closed", Attempts(failures=1, permanent=True)))
        job = await handlers.enqueue_job(enqueue(type="tests.closed"), deps)
        queue = FakeQueue()
        await dispatch(deps, queue, clock)
        await executor(deps, clock).handle(queue.take()[0])
        stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
        assert (stored.state, stored.attempt_count) == (JobState.DEAD, 1)
        assert "the account is closed" in stored.last_error

    async def test_success_publishes_job_succeeded(
        self, deps: JobsDeps, clock: Clock, outbox: Outbox
    ) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        queue = FakeQueue()
        await dispatch(deps, queue, clock)
        await executor(deps, clock).handle(queue.take()[0])
        stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
        assert (stored.state, stored.finish_time) == (JobState.SUCCEEDED, START)
        assert await outbox.events() == [
            events_pb2.JobSucceeded(
                job_id=job.id,
                type="tests.noop",
                idempotency_key=job.idempotency_key,
                enqueued_by="users",
                attempt_count=1,
            )
        ]


class TestMessages:
    async def test_a_duplicate_message_does_not_run_the_job_again(
        self, deps: JobsDeps, clock: Clock, flaky: Attempts
    ) -> None:
        flaky.failures = 0
        await handlers.enqueue_job(enqueue(type="tests.flaky"), deps)
        queue = FakeQueue()
        await dispatch(deps, queue, clock)
        [msg] = queue.take()
        duplicate = FakeMsg(msg.data)
        run = executor(deps, clock)
        await run.handle(msg)
        await run.handle(duplicate)
        assert len(flaky.seen) == 1
        assert duplicate.settled == ["ack"]

    async def test_a_message_redelivered_after_its_worker_died_fails_that_attempt(
        self, deps: JobsDeps, clock: Clock, flaky: Attempts
    ) -> None:
        job = await handlers.enqueue_job(enqueue(type="tests.flaky"), deps)
        queue = FakeQueue()
        await dispatch(deps, queue, clock)
        [msg] = queue.take()
        await _start_without_finishing(deps, job.id, clock)
        await executor(deps, clock).handle(FakeMsg(msg.data, num_delivered=2))
        stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
        assert (stored.state, stored.attempt_count) == (JobState.FAILED, 1)
        assert "stopped before it finished" in stored.last_error
        assert stored.run_time == clock() + timedelta(seconds=POLICY.delay_s(1))
        assert flaky.seen == []

    async def test_an_early_message_is_redelivered_when_the_job_is_due(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        clock.advance(-3)  # this worker's clock runs behind the dispatcher's
        msg = FakeMsg(JobMessage(job.id, 1).encode())
        await executor(deps, clock).handle(msg)
        assert (msg.settled, msg.nak_delay) == (["nak"], 3.0)

    async def test_a_message_naming_no_job_is_terminated(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        msg = FakeMsg(b"not json")
        await executor(deps, clock).handle(msg)
        assert msg.settled == ["term"]

    async def test_a_message_for_a_job_that_no_longer_exists_is_dropped(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        msg = FakeMsg(JobMessage("gone", 1).encode())
        await executor(deps, clock).handle(msg)
        assert msg.settled == ["ack"]


async def _start_without_finishing(deps: JobsDeps, job_id: str, clock: Clock) -> None:
    """What a worker that crashed mid-attempt leaves behind: the job RUNNING."""
    await begin_attempt(
        deps.unit_of_work(), JobMessage(job_id, 1), redelivered=False, now=clock(), policy=POLICY
    )
