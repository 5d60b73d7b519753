"""A job's life: backoff, attempts, which messages run it, cancelling and retrying."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mesh.actor import Actor
from mesh.errors import AlreadyExists, FailedPrecondition
from services.jobs.domain import Delivery, JobState, RetryPolicy, may_see
from tests.unit.jobs.conftest import POLICY, START
from tests.unit.jobs.factories import job


class TestRetryPolicy:
    def test_delays_grow_exponentially_up_to_the_maximum(self) -> None:
        policy = RetryPolicy(initial_delay_s=2.0, max_delay_s=30.0, multiplier=3.0)
        assert [policy.delay_s(n) for n in range(1, 6)] == [2.0, 6.0, 18.0, 30.0, 30.0]

    def test_a_policy_that_cannot_wait_is_refused(self) -> None:
        with pytest.raises(ValueError):
            RetryPolicy(initial_delay_s=0, max_delay_s=1)


class TestAttempts:
    def test_a_failed_attempt_waits_for_the_backoff_then_runs_again(self) -> None:
        work = job(max_attempts=3)
        work.start(1, START)
        work.fail("boom", START, POLICY, permanent=False)
        assert (work.state, work.attempt_count, work.last_error) == (JobState.FAILED, 1, "boom")
        assert work.run_time == START + timedelta(seconds=2)
        assert work.dispatch_time is None

    def test_the_last_failed_attempt_makes_the_job_dead(self) -> None:
        work = job(max_attempts=1)
        work.start(1, START)
        work.fail("boom", START, POLICY, permanent=False)
        assert (work.state, work.finish_time) == (JobState.DEAD, START)

    def test_a_permanent_error_makes_the_job_dead_at_once(self) -> None:
        work = job(max_attempts=5)
        work.start(1, START)
        work.fail("no such account", START, POLICY, permanent=True)
        assert work.state is JobState.DEAD

    def test_a_long_error_is_cut_to_size(self) -> None:
        work = job()
        work.start(1, START)
        work.fail("x" * 5000, START, POLICY, permanent=False)
        assert len(work.last_error) == 2000


class TestDeliveries:
    def test_a_due_waiting_job_runs(self) -> None:
        assert job().on_delivery(1, START, redelivered=False) is Delivery.RUN

    def test_a_job_is_not_run_before_its_run_time(self) -> None:
        early = START - timedelta(milliseconds=1)
        assert job().on_delivery(1, early, redelivered=False) is Delivery.NOT_DUE

    def test_a_second_copy_of_a_started_publication_is_stale(self) -> None:
        work = job()
        work.start(1, START)
        assert work.on_delivery(1, START, redelivered=False) is Delivery.STALE
        work.succeed(START)
        assert work.on_delivery(1, START, redelivered=True) is Delivery.STALE

    def test_a_redelivered_message_of_a_running_attempt_means_its_worker_was_lost(self) -> None:
        work = job()
        work.start(1, START)
        assert work.on_delivery(1, START, redelivered=True) is Delivery.INTERRUPTED

    def test_an_old_publication_cannot_start_the_next_attempt(self) -> None:
        work = job(max_attempts=3)
        work.start(work.dispatched(START), START)
        work.fail("boom", START, POLICY, permanent=False)
        later = START + timedelta(seconds=10)
        assert work.on_delivery(1, later, redelivered=True) is Delivery.STALE
        assert work.on_delivery(work.dispatched(later), later, redelivered=False) is Delivery.RUN

    def test_a_cancelled_job_is_never_run(self) -> None:
        work = job()
        work.cancel(START)
        assert work.on_delivery(1, START, redelivered=False) is Delivery.STALE


class TestCancelAndRetry:
    def test_cancelling_twice_changes_nothing_the_second_time(self) -> None:
        work = job()
        assert work.cancel(START) is True
        assert work.cancel(START) is False
        assert (work.state, work.finish_time) == (JobState.CANCELLED, START)

    @pytest.mark.parametrize("state", [JobState.RUNNING, JobState.SUCCEEDED, JobState.DEAD])
    def test_only_waiting_jobs_can_be_cancelled(self, state: JobState) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            job(state=state).cancel(START)
        assert caught.value.reason == "JOB_NOT_CANCELLABLE"

    def test_retrying_a_dead_job_gives_it_fresh_attempts_now(self) -> None:
        work = job(max_attempts=1)
        work.start(1, START)
        work.fail("boom", START, POLICY, permanent=False)
        later = START + timedelta(hours=1)
        work.retry(later)
        assert (work.state, work.attempt_count, work.run_time) == (JobState.PENDING, 0, later)
        assert work.finish_time is None

    @pytest.mark.parametrize("state", [JobState.PENDING, JobState.RUNNING, JobState.SUCCEEDED])
    def test_only_dead_or_cancelled_jobs_can_be_retried(self, state: JobState) -> None:
        with pytest.raises(FailedPrecondition) as caught:
            job(state=state).retry(START)
        assert caught.value.reason == "JOB_NOT_RETRYABLE"


class TestIdempotencyAndVisibility:
    def test_the_same_key_for_other_work_is_refused(self) -> None:
        work = job(type="tests.noop", payload={"a": 1})
        work.ensure_same_work("tests.noop", {"a": 1})
        with pytest.raises(AlreadyExists) as caught:
            work.ensure_same_work("tests.noop", {"a": 2})
        assert caught.value.reason == "IDEMPOTENCY_KEY_REUSED"

    def test_admins_see_every_job_and_services_their_own(self) -> None:
        work = job(enqueued_by="users")
        assert may_see(Actor("staff-1", frozenset({"admin"}), service="edge"), work)
        assert may_see(Actor(service="users"), work)
        assert not may_see(Actor(service="payments"), work)
        assert not may_see(Actor("member-1", frozenset({"member"}), service="users"), work)

    def test_support_staff_do_not_see_other_services_jobs(self) -> None:
        # Jobs belong to the admin role alone (the contract's policy), not to every staff role.
        work = job(enqueued_by="users")
        assert not may_see(Actor("staff-2", frozenset({"support"}), service="edge"), work)
