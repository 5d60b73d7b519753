"""EnqueueJob and ListJobs requests → validated domain values (pure)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mesh.paging import Page, page
from mesh.validation import Violations
from services.jobs import commands
from services.jobs.domain import DOMAIN, Job, JobState
from services.jobs.registry import JOB_TYPE_MAX, JobRegistry, JobType

IDEMPOTENCY_KEY_MAX = 255
PAYLOAD_MAX_BYTES = 64 * 1024
MAX_ATTEMPTS_LIMIT = 100
#: How far ahead a job may be scheduled.
RUN_TIME_HORIZON = timedelta(days=366)
ID_MAX = 64


def new_job(
    command: commands.EnqueueJob,
    registry: JobRegistry,
    *,
    enqueued_by: str,
    default_max_attempts: int,
    now: datetime,
) -> Job:
    """The job an EnqueueJob request describes; every bad field is named at once."""
    checks = Violations(domain=DOMAIN)
    key = checks.text(
        "idempotency_key", command.idempotency_key, maximum=IDEMPOTENCY_KEY_MAX, required=True
    )
    if not command.has_job:
        checks.add("job", "is required: give at least job.type")
        checks.raise_if_any()
    job_type = _job_type(checks, command.type, registry)
    _payload(checks, command.payload, job_type)
    if command.run_time is not None and command.run_time > now + RUN_TIME_HORIZON:
        checks.add("job.run_time", f"must be within {RUN_TIME_HORIZON.days} days from now")
    if not 0 <= command.max_attempts <= MAX_ATTEMPTS_LIMIT:
        checks.add(
            "job.max_attempts",
            f"must be 1 to {MAX_ATTEMPTS_LIMIT}, or 0 for the job type's default "
            f"(got {command.max_attempts})",
        )
    checks.raise_if_any()
    if job_type is None:  # a violation was recorded for it, so raise_if_any raised
        raise RuntimeError("validation passed without a job type")
    return Job(
        id=str(uuid.uuid4()),
        type=job_type.name,
        payload=command.payload,
        idempotency_key=key,
        enqueued_by=enqueued_by,
        max_attempts=command.max_attempts or job_type.max_attempts or default_max_attempts,
        run_time=max(command.run_time or now, now),
        create_time=now,
        update_time=now,
    )


def _job_type(checks: Violations, name: str, registry: JobRegistry) -> JobType | None:
    name = name.strip()
    job_type = registry.get(name)
    if not name:
        checks.add("job.type", f"is required: one of {', '.join(registry)}")
    elif job_type is None:
        checks.add(
            "job.type",
            f"{name!r} has no registered handler; use one of {', '.join(registry)}",
            reason="UNKNOWN_JOB_TYPE",
            metadata={"job_type": name[:JOB_TYPE_MAX]},
        )
    return job_type


def _payload(checks: Violations, payload: dict[str, Any], job_type: JobType | None) -> None:
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size > PAYLOAD_MAX_BYTES:
        checks.add(
            "job.payload",
            f"must be at most {PAYLOAD_MAX_BYTES} bytes as JSON (got {size}); store large "
            "inputs elsewhere and pass their id",
            reason="INVALID_JOB_PAYLOAD",
        )
    elif job_type is not None:
        for path, problem in job_type.payload_problems(payload):
            checks.add(f"job.payload.{path}", problem, reason="INVALID_JOB_PAYLOAD")


def job_id(value: str, *, field: str = "job_id") -> str:
    checks = Violations(domain=DOMAIN)
    value = checks.text(field, value, maximum=ID_MAX, required=True)
    checks.raise_if_any()
    return value


@dataclass(frozen=True, slots=True)
class JobQuery:
    #: Column → value the jobs must have.
    filters: dict[str, str]
    page: Page
    after: tuple[datetime, str] | None


def job_query(command: commands.ListJobs) -> JobQuery:
    checks = Violations(domain=DOMAIN)
    filters = {
        "type": checks.text("type", command.type, maximum=JOB_TYPE_MAX),
        "schedule_id": checks.text("schedule_id", command.schedule_id, maximum=ID_MAX),
        "enqueued_by": checks.text("enqueued_by", command.enqueued_by, maximum=ID_MAX),
    }
    state = checks.enum_member("state", command.state, JobState, required=False)
    if state is not None:
        filters["state"] = state.value
    filters = {column: value for column, value in filters.items() if value}
    requested = page(
        checks,
        size=command.page_size,
        token=command.page_token,
        query={"list": "jobs", **filters},
        key=(datetime, str),
    )
    checks.raise_if_any()
    return JobQuery(filters, requested, requested.after_time_and_id())
