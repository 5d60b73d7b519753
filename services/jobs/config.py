"""The jobs service's settings: `JOBS_*` environment variables over shared `MESHWORK_*`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from mesh.settings import ServiceSettings
from services.jobs.domain import RetryPolicy
from services.jobs.registry import JobRegistry
from services.jobs.schedules import Schedule, cron_problem, time_zone_problem

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_QUEUE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class ScheduleSetting(BaseModel):
    """One cron schedule, e.g. in JSON: `{"name": "nightly", "cron": "0 3 * * *",
    "job_type": "jobs.purge_records", "payload": {}}`."""

    name: str
    cron: str
    job_type: str
    payload: dict[str, Any] = {}
    description: str = ""
    time_zone: str = "UTC"
    enabled: bool = True
    #: Attempts of each started job; 0 takes the job type's default.
    max_attempts: int = Field(default=0, ge=0, le=100)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("must be 1 to 63 lower-case letters, digits or '-'")
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        problem = cron_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        problem = time_zone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


#: What runs unless JOBS_SCHEDULES says otherwise.
DEFAULT_SCHEDULES = [
    ScheduleSetting(
        name="identity-purge-expired-tokens",
        description="Deletes identity's expired sessions and one-time tokens.",
        cron="0 * * * *",
        job_type="identity.purge_expired_tokens",
    ),
    ScheduleSetting(
        name="audit-purge-expired-log-entries",
        description="Deletes audit's log entries past their retention; the audit trail is kept.",
        cron="15 4 * * *",
        job_type="audit.purge_expired_log_entries",
    ),
    ScheduleSetting(
        name="jobs-purge-records",
        description="Deletes finished jobs and old inbox/outbox rows past their retention.",
        cron="30 3 * * *",
        job_type="jobs.purge_records",
    ),
]


class JobsSettings(ServiceSettings):
    """Everything the jobs service is configured with (see `ServiceSettings`)."""

    model_config = SettingsConfigDict(env_prefix="JOBS_", extra="ignore")

    service: ClassVar[str] = "jobs"

    #: Jobs run at once by this process (the worker pool's bound).
    worker_concurrency: int = Field(default=4, ge=1, le=256)
    #: Names the work-queue stream (upper-cased) and its subjects `<queue_name>.run.<type>`.
    queue_name: str = "jobs"
    #: How often the dispatcher looks for due jobs (it also wakes at the next known run time).
    dispatch_interval_s: float = Field(default=1.0, gt=0)
    #: A job published this long ago and still not started is published again.
    redispatch_after_s: float = Field(default=600.0, gt=0)
    #: A delivered job not acknowledged (nor reported in progress) this long is redelivered.
    ack_wait_s: float = Field(default=30.0, gt=0)
    #: An attempt running longer than this fails.
    job_timeout_s: float = Field(default=300.0, gt=0)
    #: Attempts of a job whose type sets no default and whose request sets none.
    default_max_attempts: int = Field(default=5, ge=1, le=100)
    #: After failed attempt n, the next waits min(max, initial * multiplier ** (n - 1)).
    retry_initial_delay_s: float = Field(default=10.0, gt=0)
    retry_max_delay_s: float = Field(default=3600.0, gt=0)
    retry_multiplier: float = Field(default=2.0, ge=1)
    #: The cron schedules, as JSON in JOBS_SCHEDULES.
    schedules: list[ScheduleSetting] = Field(default_factory=lambda: list(DEFAULT_SCHEDULES))
    #: The NATS KV bucket holding the cron leader lease, and the lease's time to live.
    lease_bucket: str = "jobs_cron_lease"
    lease_ttl_s: float = Field(default=15.0, ge=1)
    #: Services whose events may be sent to webhook endpoints (a consumer follows each).
    webhook_event_services: list[str] = ["identity", "users", "admin", "payments", "notifications"]
    #: Durable consumer names are `<prefix>-on-<service>`.
    webhook_consumer_prefix: str = "jobs-webhooks"
    #: Off in production: webhook URLs must be https and resolve to public addresses only.
    webhook_allow_http: bool = False
    webhook_allow_private_targets: bool = False
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    #: Encrypts webhook signing secrets at rest (AES-256-GCM under a key derived from it).
    webhook_secret_key: SecretStr = SecretStr("dev-insecure-webhook-secret-key")
    #: Finished jobs, and mesh's handled-inbox and sent-outbox rows, are kept this long.
    job_retention_s: int = Field(default=30 * 24 * 3600, ge=3600)
    mesh_record_retention_s: int = Field(default=7 * 24 * 3600, ge=3600)

    @field_validator("queue_name")
    @classmethod
    def _queue_name(cls, value: str) -> str:
        if not _QUEUE.match(value):
            raise ValueError("must be a lower-case letter then up to 30 letters, digits or '_'")
        return value

    @model_validator(mode="after")
    def _unique_schedule_names(self) -> JobsSettings:
        names = [schedule.name for schedule in self.schedules]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"JOBS_SCHEDULES names {repeated} more than once")
        return self

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            initial_delay_s=self.retry_initial_delay_s,
            max_delay_s=max(self.retry_max_delay_s, self.retry_initial_delay_s),
            multiplier=self.retry_multiplier,
        )


def resolve_schedules(settings: JobsSettings, registry: JobRegistry) -> list[Schedule]:
    """The configured schedules; a schedule naming an unregistered job type stops start-up."""
    problems = []
    for index, setting in enumerate(settings.schedules):
        where = f"JOBS_SCHEDULES[{index}] ({setting.name})"
        job_type = registry.get(setting.job_type)
        if job_type is None:
            problems.append(
                f"{where}.job_type: {setting.job_type!r} is not registered; "
                f"use one of {list(registry)}"
            )
            continue
        problems += [
            f"{where}.payload.{path}: {problem}"
            for path, problem in job_type.payload_problems(setting.payload)
        ]
    if problems:
        raise ValueError("; ".join(problems))
    attempts = settings.default_max_attempts
    return [_schedule(setting, registry, attempts) for setting in settings.schedules]


def _schedule(setting: ScheduleSetting, registry: JobRegistry, default_attempts: int) -> Schedule:
    job_type = registry.get(setting.job_type)
    type_default = job_type.max_attempts if job_type else None
    payload: dict[str, Any] = dict(setting.payload)
    return Schedule(
        id=setting.name,
        cron_expression=setting.cron,
        job_type=setting.job_type,
        job_payload=payload,
        description=setting.description,
        time_zone=setting.time_zone,
        enabled=setting.enabled,
        max_attempts=setting.max_attempts or type_default or default_attempts,
    )
