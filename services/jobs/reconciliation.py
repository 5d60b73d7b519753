"""The "payments.reconcile" job: the slot the payments service fills with its reconciler.

Reconciliation compares payments with what the provider (Stripe) reports and fixes drift.
The work belongs to payments; the jobs service only runs it on a schedule: the service as
`python -m services.jobs` runs it with `PaymentsReconciler`, which calls payments'
ReconcilePayments. A `JobsService` built without a `Reconciler` still accepts and schedules
the job type, and each run fails at once (DEAD, no retries) saying that none is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import grpc

from meshwork.payments.v1 import payments_service_pb2, payments_service_pb2_grpc
from services.jobs.registry import JobContext, JobHandler, PermanentJobError

logger = logging.getLogger("meshwork.jobs")
RECONCILE_JOB_TYPE = "payments.reconcile"
#: The one setting a reconcile job's payload may hold.
LOOKBACK = "lookback_seconds"


class Reconciler(Protocol):
    """What payments provides: one reconciliation run, described in a line for the logs."""

    async def reconcile(self, payload: Mapping[str, Any], context: JobContext) -> str: ...


class ReconcilerNotConfiguredError(PermanentJobError):
    """The job ran in a jobs process that has no reconciler."""


class ReconciliationRefusedError(PermanentJobError):
    """Payments refused the run as asked (a payload out of its range, a caller it does not
    admit): asking again cannot succeed, so the job is DEAD at once with payments' reason."""


#: Answers that a retry of the same request cannot change.
_REFUSALS = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.UNIMPLEMENTED,
    }
)


def reconcile_job(reconciler: Reconciler | None) -> JobHandler:
    """The handler of "payments.reconcile" jobs."""

    async def reconcile(payload: dict[str, Any], context: JobContext) -> None:
        if reconciler is None:
            raise ReconcilerNotConfiguredError(
                f"no payments reconciler is configured, so {RECONCILE_JOB_TYPE} cannot run: "
                "build the jobs service with JobsService(reconciler=...) once payments "
                "provides its reconciliation interface"
            )
        summary = await reconciler.reconcile(payload, context)
        logger.info("payments reconciliation (job %s): %s", context.job_id, summary)

    return reconcile


class PaymentsReconciler:
    """Runs payments' ReconcilePayments; the payload may set `lookback_seconds` (60 to
    2592000; payments looks back a day without it)."""

    def __init__(self, payments: Callable[[], payments_service_pb2_grpc.PaymentsServiceStub]):
        self._payments = payments

    async def reconcile(self, payload: Mapping[str, Any], context: JobContext) -> str:
        request = payments_service_pb2.ReconcilePaymentsRequest(
            lookback_seconds=int(payload.get(LOOKBACK, 0))
        )
        try:
            reply = await self._payments().ReconcilePayments(request)
        except grpc.aio.AioRpcError as error:
            if error.code() in _REFUSALS:
                raise ReconciliationRefusedError(
                    f"payments refused the reconciliation ({error.code().name}): {error.details()}"
                ) from error
            raise
        return (
            f"{reply.checked_payment_count} payments checked, "
            f"{reply.recovered_payment_count} recovered, {reply.repaired_payment_count} "
            f"repaired; {reply.checked_event_count} events checked, "
            f"{reply.applied_event_count} applied"
        )


def reconcile_payload_problems(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """A reconcile job's payload holds at most `lookback_seconds`, a whole number."""
    problems = [(name, "is not a reconcile setting") for name in payload if name != LOOKBACK]
    lookback = payload.get(LOOKBACK, 0)
    # A payload travels as a protobuf Struct, whose numbers are all doubles: 3600.0 is whole.
    whole = isinstance(lookback, int) or (isinstance(lookback, float) and lookback.is_integer())
    if isinstance(lookback, bool) or not whole:
        problems.append((LOOKBACK, f"must be a whole number of seconds (got {lookback!r})"))
    return problems
