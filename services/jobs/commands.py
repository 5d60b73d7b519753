"""What each use case is asked to do, as received: plain values, not yet validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mesh.actor import Actor


@dataclass(frozen=True, slots=True)
class EnqueueJob:
    idempotency_key: str
    #: False when the request carries no `job` at all.
    has_job: bool = True
    type: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    #: None when unset (run now).
    run_time: datetime | None = None
    max_attempts: int = 0
    caller: Actor = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class GetJob:
    job_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class CancelJob:
    job_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class RetryJob:
    job_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class GetSchedule:
    schedule_id: str


@dataclass(frozen=True, slots=True)
class ListJobs:
    page_size: int = 0
    page_token: str = ""
    type: str = ""
    #: A JobState name, "" for any.
    state: str = ""
    schedule_id: str = ""
    enqueued_by: str = ""


@dataclass(frozen=True, slots=True)
class ListPage:
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True, slots=True)
class EndpointFields:
    url: str = ""
    description: str = ""
    event_types: tuple[str, ...] = ()
    enabled: bool = False


@dataclass(frozen=True, slots=True)
class CreateWebhookEndpoint:
    #: None when the request carries no `webhook_endpoint`.
    endpoint: EndpointFields | None
    caller: Actor


@dataclass(frozen=True, slots=True)
class GetWebhookEndpoint:
    endpoint_id: str


@dataclass(frozen=True, slots=True)
class DeleteWebhookEndpoint:
    endpoint_id: str
    caller: Actor


@dataclass(frozen=True, slots=True)
class UpdateWebhookEndpoint:
    endpoint_id: str
    endpoint: EndpointFields
    paths: tuple[str, ...]
    caller: Actor
