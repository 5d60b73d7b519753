"""The job and schedule use cases over an in-memory SQLite unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from mesh.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from meshwork.jobs.v1 import events_pb2
from services.jobs import commands, handlers
from services.jobs.domain import JobState
from services.jobs.handlers import JobsDeps
from services.jobs.repository import JobRepository
from services.jobs.schedules import Schedule
from tests.unit.jobs.conftest import (
    ADMIN,
    PAYMENTS,
    START,
    USERS,
    Clock,
    Outbox,
    Wakeups,
    job_count,
)
from tests.unit.jobs.factories import enqueue


def violations(error: InvalidArgument) -> dict[str, str]:
    return {v.field: v.description for v in error.violations}


class TestEnqueueJob:
    async def test_a_job_is_recorded_pending_and_wakes_the_dispatcher(
        self, deps: JobsDeps, wakeups: Wakeups
    ) -> None:
        job = await handlers.enqueue_job(enqueue(payload={"x": "1"}), deps)
        assert (job.state, job.enqueued_by, job.run_time, job.attempt_count) == (
            JobState.PENDING, "users", START, 0,
        )  # fmt: skip
        assert job.max_attempts == deps.default_max_attempts
        assert wakeups.count == 1
        assert await handlers.get_job(commands.GetJob(job.id, USERS), deps) == job

    async def test_a_repeated_idempotency_key_returns_the_first_job(self, deps: JobsDeps) -> None:
        command = enqueue(payload={"x": "1"})
        first = await handlers.enqueue_job(command, deps)
        again = await handlers.enqueue_job(command, deps)
        assert again.id == first.id
        assert await job_count(deps) == 1

    async def test_the_same_key_for_different_work_is_refused(self, deps: JobsDeps) -> None:
        command = enqueue(payload={"x": "1"})
        await handlers.enqueue_job(command, deps)
        with pytest.raises(AlreadyExists) as caught:
            await handlers.enqueue_job(replace(command, payload={"x": "2"}), deps)
        assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"

    async def test_keys_of_different_services_do_not_collide(self, deps: JobsDeps) -> None:
        command = enqueue()
        mine = await handlers.enqueue_job(command, deps)
        theirs = await handlers.enqueue_job(replace(command, caller=PAYMENTS), deps)
        assert mine.id != theirs.id

    async def test_a_future_run_time_is_kept_and_a_past_one_means_now(self, deps: JobsDeps) -> None:
        later = START + timedelta(minutes=5)
        assert (await handlers.enqueue_job(enqueue(run_time=later), deps)).run_time == later
        earlier = START - timedelta(minutes=5)
        assert (await handlers.enqueue_job(enqueue(run_time=earlier), deps)).run_time == START

    async def test_the_job_types_attempts_apply_unless_the_request_sets_them(
        self, deps: JobsDeps
    ) -> None:
        report = enqueue(type="tests.report", payload={"week": "w1"})
        assert (await handlers.enqueue_job(report, deps)).max_attempts == 2
        chosen = enqueue(type="tests.report", payload={"week": "w1"}, max_attempts=7)
        assert (await handlers.enqueue_job(chosen, deps)).max_attempts == 7

    async def test_an_unknown_job_type_is_named_and_nothing_is_written(
        self, deps: JobsDeps
    ) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await handlers.enqueue_job(enqueue(type="tests.nope"), deps)
        assert caught.value.reason == "UNKNOWN_JOB_TYPE"
        assert caught.value.metadata == {"job_type": "tests.nope"}
        assert "tests.noop" in violations(caught.value)["job.type"]
        assert await job_count(deps) == 0

    async def test_a_payload_the_job_type_rejects_is_named(self, deps: JobsDeps) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await handlers.enqueue_job(enqueue(type="tests.report"), deps)
        assert caught.value.reason == "INVALID_JOB_PAYLOAD"
        assert violations(caught.value) == {"job.payload.week": "is required (a string)"}

    async def test_every_bad_field_is_named_at_once(self, deps: JobsDeps) -> None:
        command = enqueue(
            idempotency_key=" ",
            type="",
            max_attempts=-1,
            run_time=START + timedelta(days=400),
        )
        with pytest.raises(InvalidArgument) as caught:
            await handlers.enqueue_job(command, deps)
        assert caught.value.reason == "VALIDATION_FAILED"
        assert set(violations(caught.value)) == {
            "idempotency_key", "job.type", "job.max_attempts", "job.run_time",
        }  # fmt: skip
        assert await job_count(deps) == 0

    async def test_a_request_without_a_job_is_refused(self, deps: JobsDeps) -> None:
        with pytest.raises(InvalidArgument) as caught:
            await handlers.enqueue_job(commands.EnqueueJob("k", has_job=False, caller=USERS), deps)
        assert "job" in violations(caught.value)


class TestGetJob:
    async def test_a_service_does_not_see_jobs_of_other_services(self, deps: JobsDeps) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        with pytest.raises(NotFound) as caught:
            await handlers.get_job(commands.GetJob(job.id, PAYMENTS), deps)
        assert caught.value.reason == "JOB_NOT_FOUND"
        assert (await handlers.get_job(commands.GetJob(job.id, ADMIN), deps)).id == job.id

    async def test_an_unknown_job_is_not_found(self, deps: JobsDeps) -> None:
        with pytest.raises(NotFound):
            await handlers.get_job(commands.GetJob("no-such-job", ADMIN), deps)


class TestCancelJob:
    async def test_cancelling_records_who_and_publishes_job_cancelled(
        self, deps: JobsDeps, outbox: Outbox
    ) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        cancelled = await handlers.cancel_job(commands.CancelJob(job.id, ADMIN), deps)
        again = await handlers.cancel_job(commands.CancelJob(job.id, ADMIN), deps)
        assert cancelled.state is again.state is JobState.CANCELLED
        [event] = await outbox.events()
        assert event == events_pb2.JobCancelled(
            job_id=job.id,
            type="tests.noop",
            idempotency_key=job.idempotency_key,
            enqueued_by="users",
            cancelled_by="staff-1",
        )

    async def test_a_service_cancels_only_its_own_jobs(self, deps: JobsDeps) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        with pytest.raises(NotFound):
            await handlers.cancel_job(commands.CancelJob(job.id, PAYMENTS), deps)
        assert (
            await handlers.cancel_job(commands.CancelJob(job.id, USERS), deps)
        ).state is JobState.CANCELLED

    async def test_a_running_job_cannot_be_cancelled(self, deps: JobsDeps) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        await _set_state(deps, job.id, JobState.RUNNING)
        with pytest.raises(FailedPrecondition) as caught:
            await handlers.cancel_job(commands.CancelJob(job.id, ADMIN), deps)
        assert caught.value.reason == "JOB_NOT_CANCELLABLE"


class TestRetryJob:
    async def test_retrying_a_cancelled_job_makes_it_pending_now(
        self, deps: JobsDeps, clock: Clock, outbox: Outbox, wakeups: Wakeups
    ) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        await handlers.cancel_job(commands.CancelJob(job.id, ADMIN), deps)
        later = clock.advance(60)
        retried = await handlers.retry_job(commands.RetryJob(job.id, ADMIN), deps)
        assert (retried.state, retried.run_time, retried.attempt_count) == (
            JobState.PENDING, later, 0,
        )  # fmt: skip
        assert (await outbox.events())[-1] == events_pb2.JobRetried(
            job_id=job.id, type="tests.noop", retried_by="staff-1"
        )
        assert wakeups.count == 2

    async def test_a_pending_job_cannot_be_retried(self, deps: JobsDeps) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        with pytest.raises(FailedPrecondition) as caught:
            await handlers.retry_job(commands.RetryJob(job.id, ADMIN), deps)
        assert caught.value.reason == "JOB_NOT_RETRYABLE"


class TestListJobs:
    async def test_pages_are_newest_first_and_keep_their_filters(
        self, deps: JobsDeps, clock: Clock
    ) -> None:
        created = []
        for _ in range(5):
            created.append(await handlers.enqueue_job(enqueue(), deps))
            clock.advance(1)
        await handlers.enqueue_job(enqueue(caller=PAYMENTS), deps)
        query = commands.ListJobs(page_size=2, enqueued_by="users")
        seen, token = [], ""
        while True:
            page = await handlers.list_jobs(replace(query, page_token=token), deps)
            seen += [job.id for job in page.jobs]
            token = page.next_page_token
            if not token:
                break
        assert seen == [job.id for job in reversed(created)]

    async def test_a_token_from_another_query_is_refused(self, deps: JobsDeps) -> None:
        for _ in range(3):
            await handlers.enqueue_job(enqueue(), deps)
        page = await handlers.list_jobs(commands.ListJobs(page_size=1), deps)
        with pytest.raises(InvalidArgument) as caught:
            await handlers.list_jobs(
                commands.ListJobs(page_token=page.next_page_token, state="DEAD"), deps
            )
        assert caught.value.reason == "INVALID_PAGE_TOKEN"

    async def test_filters_by_state_and_names_bad_filters(self, deps: JobsDeps) -> None:
        job = await handlers.enqueue_job(enqueue(), deps)
        await handlers.cancel_job(commands.CancelJob(job.id, ADMIN), deps)
        await handlers.enqueue_job(enqueue(), deps)
        page = await handlers.list_jobs(commands.ListJobs(state="CANCELLED"), deps)
        assert [found.id for found in page.jobs] == [job.id]
        with pytest.raises(InvalidArgument) as caught:
            await handlers.list_jobs(commands.ListJobs(state="99", page_size=-1), deps)
        assert set(violations(caught.value)) == {"state", "page_size"}


class TestSchedules:
    async def test_schedules_are_listed_by_id_in_pages(self, deps: JobsDeps) -> None:
        deps.schedules = {
            name: Schedule(id=name, cron_expression="0 * * * *", job_type="tests.noop")
            for name in ("c", "a", "b")
        }
        first = await handlers.list_schedules(commands.ListPage(page_size=2), deps)
        assert [s.id for s, _ in first.schedules] == ["a", "b"]
        second = await handlers.list_schedules(
            commands.ListPage(page_size=2, page_token=first.next_page_token), deps
        )
        assert ([s.id for s, _ in second.schedules], second.next_page_token) == (["c"], "")

    async def test_an_unknown_schedule_is_not_found(self, deps: JobsDeps) -> None:
        with pytest.raises(NotFound) as caught:
            await handlers.get_schedule(commands.GetSchedule("nope"), deps)
        assert caught.value.reason == "SCHEDULE_NOT_FOUND"


async def _set_state(deps: JobsDeps, job_id: str, state: JobState) -> None:
    async with deps.unit_of_work() as uow:
        jobs = JobRepository(uow.connection)
        job = await jobs.get(job_id)
        assert job is not None
        job.state = state
        await jobs.save(job)
        await uow.commit()
