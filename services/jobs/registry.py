"""The job types a jobs process can run: one registered async function per type.

    registry = JobRegistry()

    @registry.job("reports.send_weekly", max_attempts=3)
    async def send_weekly(payload: dict[str, Any], context: JobContext) -> None:
        ...

A handler receives the job's payload (a JSON object) and a `JobContext`. Returning completes
the job; raising fails the attempt (it is retried with backoff until the job's attempts run
out); raising `PermanentJobError` makes the job DEAD at once. An attempt may run again after
a crash, so handlers must be idempotent (use `context.job_id` as the idempotency key of
whatever they call).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: "<owner>.<action>": lower-case words separated by dots, e.g. "webhooks.deliver".
JOB_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
JOB_TYPE_MAX = 100


class PermanentJobError(Exception):
    """Raised by a handler when no retry can succeed; the job becomes DEAD at once."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler knows about the attempt it runs."""

    job_id: str
    type: str
    attempt: int
    max_attempts: int
    enqueued_by: str
    schedule_id: str
    #: When this attempt was due.
    scheduled_time: datetime

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


JobHandler = Callable[[dict[str, Any], JobContext], Awaitable[object]]
#: Checks a payload before the job is recorded: (field path under the payload, problem) pairs.
PayloadCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True, slots=True)
class JobType:
    """A registered job type: its handler, default attempts and optional payload check."""

    name: str
    handler: JobHandler
    max_attempts: int | None = None
    check_payload: PayloadCheck | None = None

    def payload_problems(self, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return self.check_payload(payload) if self.check_payload else []


class JobRegistry:
    """Job types by name. Built in `bootstrap`, never at import time."""

    def __init__(self) -> None:
        self._types: dict[str, JobType] = {}

    def add(self, job_type: JobType) -> None:
        if not JOB_TYPE_PATTERN.match(job_type.name) or len(job_type.name) > JOB_TYPE_MAX:
            raise ValueError(
                f"job type {job_type.name!r} must be '<owner>.<action>' in lower-case words"
            )
        if job_type.name in self._types:
            raise ValueError(f"job type {job_type.name!r} is registered twice")
        self._types[job_type.name] = job_type

    def job(
        self,
        name: str,
        *,
        max_attempts: int | None = None,
        check_payload: PayloadCheck | None = None,
    ) -> Callable[[JobHandler], JobHandler]:
        """Decorator form of `add`."""

        def register(handler: JobHandler) -> JobHandler:
            self.add(JobType(name, handler, max_attempts, check_payload))
            return handler

        return register

    def get(self, name: str) -> JobType | None:
        return self._types.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._types))
