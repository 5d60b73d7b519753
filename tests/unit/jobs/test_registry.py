"""Job types: one registered function each; the reconciliation slot; timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import grpc
import pytest

from meshwork.payments.v1 import payments_service_pb2
from services.jobs import commands, handlers
from services.jobs.domain import JobState
from services.jobs.handlers import JobsDeps
from services.jobs.reconciliation import (
    PaymentsReconciler,
    ReconcilerNotConfiguredError,
    ReconciliationRefusedError,
    reconcile_job,
    reconcile_payload_problems,
)
from services.jobs.registry import JobContext, JobRegistry, JobType
from services.jobs.worker import JobExecutor
from tests.unit.jobs.conftest import POLICY, START, USERS, Clock, do_nothing
from tests.unit.jobs.factories import enqueue
from tests.unit.jobs.fakes import FakeQueue, dispatch, executor

CONTEXT = JobContext("job-1", "payments.reconcile", 1, 3, "schedule", "nightly", START)


def test_a_job_type_is_one_decorated_function() -> None:
    registry = JobRegistry()

    @registry.job("reports.send_weekly", max_attempts=3)
    async def send_weekly(payload: dict[str, Any], context: JobContext) -> None:
        return None

    registered = registry.get("reports.send_weekly")
    assert registered is not None
    assert (registered.handler, registered.max_attempts) == (send_weekly, 3)
    assert list(registry) == ["reports.send_weekly"]


@pytest.mark.parametrize("name", ["Reports.Send", "reports", "reports..x", "reports.send-x"])
def test_job_type_names_are_owner_dot_action(name: str) -> None:
    with pytest.raises(ValueError, match=r"<owner>\.<action>"):
        JobRegistry().add(JobType(name, do_nothing))


def test_a_job_type_cannot_be_registered_twice() -> None:
    registry = JobRegistry()
    registry.add(JobType("reports.send", do_nothing))
    with pytest.raises(ValueError, match="registered twice"):
        registry.add(JobType("reports.send", do_nothing))


async def test_reconciliation_without_a_reconciler_says_so() -> None:
    with pytest.raises(ReconcilerNotConfiguredError, match="no payments reconciler is configured"):
        await reconcile_job(None)({}, CONTEXT)


async def test_reconciliation_runs_the_configured_reconciler() -> None:
    class Reconciler:
        calls: list[Mapping[str, Any]] = []

        async def reconcile(self, payload: Mapping[str, Any], context: JobContext) -> str:
            self.calls.append(payload)
            return "3 payments checked, 0 fixed"

    reconciler = Reconciler()
    await reconcile_job(reconciler)({"since": "2030-01-01"}, CONTEXT)
    assert reconciler.calls == [{"since": "2030-01-01"}]


async def test_the_payments_reconciler_calls_reconcile_payments_with_the_lookback() -> None:
    class Payments:
        requests: list[payments_service_pb2.ReconcilePaymentsRequest] = []

        async def ReconcilePayments(
            self, request: payments_service_pb2.ReconcilePaymentsRequest
        ) -> payments_service_pb2.ReconcilePaymentsResponse:
            self.requests.append(request)
            return payments_service_pb2.ReconcilePaymentsResponse(
                checked_payment_count=4, repaired_payment_count=1, checked_event_count=9
            )

    payments = Payments()
    summary = await PaymentsReconciler(lambda: payments).reconcile(  # type: ignore[arg-type, return-value]
        {"lookback_seconds": 600}, CONTEXT
    )
    assert [r.lookback_seconds for r in payments.requests] == [600]
    assert summary == "4 payments checked, 0 recovered, 1 repaired; 9 events checked, 0 applied"


def _answering(code: grpc.StatusCode) -> Any:
    class Payments:
        async def ReconcilePayments(self, request: Any) -> Any:
            raise grpc.aio.AioRpcError(
                code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="lookback_seconds: 60 to"
            )

    return Payments()


async def test_a_run_payments_refuses_is_dead_at_once_with_payments_reason() -> None:
    payments = _answering(grpc.StatusCode.INVALID_ARGUMENT)
    with pytest.raises(ReconciliationRefusedError, match=r"INVALID_ARGUMENT.*lookback_seconds"):
        await PaymentsReconciler(lambda: payments).reconcile({"lookback_seconds": 1}, CONTEXT)


async def test_a_run_payments_cannot_answer_now_is_retried() -> None:
    payments = _answering(grpc.StatusCode.UNAVAILABLE)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await PaymentsReconciler(lambda: payments).reconcile({}, CONTEXT)
    assert not isinstance(raised.value, ReconciliationRefusedError)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("payload", "problems"),
    [
        ({}, []),
        ({"lookback_seconds": 3600}, []),
        ({"lookback_seconds": 3600.0}, []),  # a Struct's number
        ({"lookback_seconds": 1.5}, [("lookback_seconds", "must be a whole number of seconds")]),
        ({"lookback_seconds": "1h"}, [("lookback_seconds", "must be a whole number of seconds")]),
        ({"since": "2030-01-01"}, [("since", "is not a reconcile setting")]),
    ],
)
def test_a_reconcile_payload_holds_at_most_a_whole_lookback(
    payload: dict[str, Any], problems: list[tuple[str, str]]
) -> None:
    found = reconcile_payload_problems(payload)
    assert [path for path, _ in found] == [path for path, _ in problems]
    assert all(part in problem for (_, problem), (_, part) in zip(found, problems, strict=True))


async def test_an_attempt_running_past_the_timeout_fails(deps: JobsDeps, clock: Clock) -> None:
    async def forever(payload: dict[str, Any], context: JobContext) -> None:
        await asyncio.Event().wait()

    deps.registry.add(JobType("tests.forever", forever))
    job = await handlers.enqueue_job(enqueue(type="tests.forever"), deps)
    queue = FakeQueue()
    await dispatch(deps, queue, clock)
    run = JobExecutor(
        deps.unit_of_work, deps.registry, POLICY, job_timeout_s=0.05, heartbeat_s=60, clock=clock
    )
    await run.handle(queue.take()[0])
    stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
    assert stored.state is JobState.FAILED
    assert stored.last_error == "TimeoutError: the attempt took longer than 0.05s"


async def test_a_job_type_this_process_does_not_know_fails_the_attempt(
    deps: JobsDeps, clock: Clock
) -> None:
    job = await handlers.enqueue_job(enqueue(), deps)
    queue = FakeQueue()
    await dispatch(deps, queue, clock)
    deps.registry = JobRegistry()  # e.g. an older process during a rolling deploy
    await executor(deps, clock).handle(queue.take()[0])
    stored = await handlers.get_job(commands.GetJob(job.id, USERS), deps)
    assert stored.state is JobState.FAILED
    assert "no handler is registered for job type 'tests.noop'" in stored.last_error


async def test_a_long_attempt_reports_progress_so_it_is_not_redelivered(
    deps: JobsDeps, clock: Clock
) -> None:
    release = asyncio.Event()

    async def slow(payload: dict[str, Any], context: JobContext) -> None:
        await release.wait()

    deps.registry.add(JobType("tests.slow", slow))
    await handlers.enqueue_job(enqueue(type="tests.slow"), deps)
    queue = FakeQueue()
    await dispatch(deps, queue, clock)
    [msg] = queue.take()
    run = JobExecutor(
        deps.unit_of_work, deps.registry, POLICY, job_timeout_s=5, heartbeat_s=0.01, clock=clock
    )
    running = asyncio.create_task(run.handle(msg))
    async with asyncio.timeout(5):
        while "in_progress" not in msg.settled:  # noqa: ASYNC110 - waits on the worker's heartbeat
            await asyncio.sleep(0.01)
    release.set()
    await running
    assert msg.settled[-1] == "ack"
