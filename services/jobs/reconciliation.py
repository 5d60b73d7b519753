"""The "payments.reconcile" job: the slot the payments service fills with its reconciler.

Reconciliation compares payments with what the provider (Stripe) reports and fixes drift.
The work belongs to payments; the jobs service only runs it on a schedule. Until a
`Reconciler` is configured the job type exists, is accepted and scheduled, and each run
fails at once (DEAD, no retries) saying that no reconciler is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from services.jobs.registry import JobContext, JobHandler, PermanentJobError

logger = logging.getLogger("meshwork.jobs")
RECONCILE_JOB_TYPE = "payments.reconcile"


class Reconciler(Protocol):
    """What payments provides: one reconciliation run, described in a line for the logs."""

    async def reconcile(self, payload: Mapping[str, Any], context: JobContext) -> str: ...


class ReconcilerNotConfiguredError(PermanentJobError):
    """The job ran in a jobs process that has no reconciler."""


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
