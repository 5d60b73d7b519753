"""Jobs and who may act on them: the jobs service's rules, with no I/O.

A job moves PENDING → RUNNING → SUCCEEDED, or → FAILED (waiting for its next attempt) →
RUNNING ... → DEAD after its last attempt; PENDING and FAILED jobs can be CANCELLED, and DEAD
or CANCELLED ones retried (PENDING again, with fresh attempts).

Each publication of a job to the work queue carries a dispatch number (`dispatch_seq`), and
each attempt records the number it started from (`started_seq`): a message whose number was
already started is a duplicate, so a job is never run twice for one publication.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from mesh.actor import Actor
from mesh.errors import AlreadyExists, FailedPrecondition, NotFound

#: ErrorInfo domain of every error this service reports.
DOMAIN = "jobs.meshwork"
#: The longest error text kept on a job.
LAST_ERROR_MAX = 2000


class JobState(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    DEAD = "DEAD"
    CANCELLED = "CANCELLED"


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})
WAITING_STATES = frozenset({JobState.PENDING, JobState.FAILED})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """After failed attempt n (1-based) the next waits min(max, initial * multiplier ** (n-1))."""

    initial_delay_s: float
    max_delay_s: float
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.initial_delay_s <= self.max_delay_s or self.multiplier < 1:
            raise ValueError("need 0 < initial_delay_s <= max_delay_s and multiplier >= 1")

    def delay_s(self, failed_attempt: int) -> float:
        exponent = max(failed_attempt - 1, 0)
        return min(self.max_delay_s, self.initial_delay_s * self.multiplier**exponent)


class Delivery(StrEnum):
    """What a worker does with a job message it received."""

    RUN = "RUN"  # start the next attempt
    NOT_DUE = "NOT_DUE"  # too early: redeliver at run_time
    INTERRUPTED = "INTERRUPTED"  # the attempt it started never finished (its worker died)
    STALE = "STALE"  # already handled, cancelled or superseded: drop it


@dataclass(slots=True)
class Job:
    """One unit of background work: the aggregate every use case loads, changes and saves."""

    id: str
    type: str
    payload: dict[str, Any]
    idempotency_key: str
    enqueued_by: str
    max_attempts: int
    run_time: datetime
    create_time: datetime
    update_time: datetime
    state: JobState = JobState.PENDING
    attempt_count: int = 0
    last_error: str = ""
    schedule_id: str = ""
    start_time: datetime | None = None
    finish_time: datetime | None = None
    dispatch_seq: int = 0
    started_seq: int = 0
    dispatch_time: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    def ensure_same_work(self, job_type: str, payload: dict[str, Any]) -> None:
        """A repeated idempotency key must describe the same work."""
        if job_type != self.type or _canonical(payload) != _canonical(self.payload):
            raise AlreadyExists(
                f"idempotency key {self.idempotency_key!r} was already used for job "
                f"{self.id!r} with a different type or payload; use a new key for new work",
                reason="IDEMPOTENCY_KEY_REUSED",
                domain=DOMAIN,
                metadata={"job_id": self.id},
            )

    def dispatched(self, now: datetime) -> int:
        """Records one more publication to the work queue; returns its number."""
        self.dispatch_seq += 1
        self.dispatch_time = now
        return self.dispatch_seq

    def on_delivery(self, seq: int, now: datetime, *, redelivered: bool) -> Delivery:
        """What to do with the message of publication `seq`."""
        if self.state in WAITING_STATES and seq > self.started_seq:
            return Delivery.RUN if self.run_time <= now else Delivery.NOT_DUE
        if self.state is JobState.RUNNING and seq == self.started_seq and redelivered:
            return Delivery.INTERRUPTED
        return Delivery.STALE

    def start(self, seq: int, now: datetime) -> None:
        self.state = JobState.RUNNING
        self.started_seq = seq
        self.attempt_count += 1
        self.start_time = now
        self.update_time = now

    def running_from(self, seq: int) -> bool:
        """Whether the attempt started from publication `seq` is the one still running."""
        return self.state is JobState.RUNNING and self.started_seq == seq

    def succeed(self, now: datetime) -> None:
        self._finish(JobState.SUCCEEDED, now)

    def fail(self, error: str, now: datetime, policy: RetryPolicy, *, permanent: bool) -> None:
        """Records a failed attempt: FAILED until the next one is due, or DEAD after the last."""
        self.last_error = error[:LAST_ERROR_MAX]
        if permanent or self.attempt_count >= self.max_attempts:
            self._finish(JobState.DEAD, now)
            return
        self.state = JobState.FAILED
        self.run_time = now + timedelta(seconds=policy.delay_s(self.attempt_count))
        self.dispatch_time = None  # the next attempt is published when it is due
        self.update_time = now

    def cancel(self, now: datetime) -> bool:
        """Cancels a waiting job; False (and no change) when it was already cancelled."""
        if self.state is JobState.CANCELLED:
            return False
        if self.state not in WAITING_STATES:
            raise FailedPrecondition(
                f"job {self.id!r} is {self.state} and can no longer be cancelled; only "
                "PENDING and FAILED jobs can",
                reason="JOB_NOT_CANCELLABLE",
                domain=DOMAIN,
            )
        self._finish(JobState.CANCELLED, now)
        return True

    def retry(self, now: datetime) -> None:
        """Makes a DEAD or CANCELLED job run again now, with a fresh set of attempts."""
        if self.state not in (JobState.DEAD, JobState.CANCELLED):
            raise FailedPrecondition(
                f"job {self.id!r} is {self.state}; only DEAD or CANCELLED jobs can be retried",
                reason="JOB_NOT_RETRYABLE",
                domain=DOMAIN,
            )
        self.state = JobState.PENDING
        self.attempt_count = 0
        self.run_time = now
        self.finish_time = None
        self.dispatch_time = None
        self.update_time = now

    def _finish(self, state: JobState, now: datetime) -> None:
        self.state = state
        self.finish_time = now
        self.update_time = now


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def may_see(actor: Actor, job: Job) -> bool:
    """Admins see every job (the contract gives jobs to the admin role alone, not to all
    staff); a service sees the jobs it enqueued; other users see none."""
    return actor.is_admin or (not actor.is_user and job.enqueued_by == actor.service)


def visible(job: Job | None, actor: Actor, requested_id: str) -> Job:
    """`job` if the actor may see it; otherwise NOT_FOUND, exactly as if it did not exist."""
    if job is None or not may_see(actor, job):
        raise job_not_found(requested_id)
    return job


def job_not_found(job_id: str) -> NotFound:
    return NotFound(f"no job has id {job_id!r}", reason="JOB_NOT_FOUND", domain=DOMAIN)


def schedule_not_found(schedule_id: str) -> NotFound:
    return NotFound(
        f"no schedule has id {schedule_id!r}", reason="SCHEDULE_NOT_FOUND", domain=DOMAIN
    )


def webhook_endpoint_not_found(endpoint_id: str) -> NotFound:
    return NotFound(
        f"no webhook endpoint has id {endpoint_id!r}",
        reason="WEBHOOK_ENDPOINT_NOT_FOUND",
        domain=DOMAIN,
    )
