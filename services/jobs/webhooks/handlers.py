"""Webhook endpoint use cases, and turning domain events into delivery jobs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token, page
from mesh.validation import Violations
from services.jobs import commands, messages
from services.jobs.domain import DOMAIN, Job, webhook_endpoint_not_found
from services.jobs.event_catalog import EventCatalog
from services.jobs.repository import JobRepository
from services.jobs.secret_box import SecretBox
from services.jobs.webhooks.delivery import DELIVER_JOB_TYPE, TargetGuard
from services.jobs.webhooks.domain import WebhookEndpoint, new_secret
from services.jobs.webhooks.repository import WebhookEndpointRepository
from services.jobs.webhooks.validation import endpoint_changes, endpoint_id, new_endpoint_fields

#: Delivery jobs are enqueued by the jobs service itself.
DELIVERY_ENQUEUER = "jobs"


@dataclass
class WebhookDeps:
    """What the webhook use cases work with."""

    unit_of_work: Callable[[], UnitOfWork]
    box: SecretBox
    guard: TargetGuard
    catalog: EventCatalog
    delivery_max_attempts: int
    clock: Callable[[], datetime] = field(default=utc_now)


async def create_endpoint(
    command: commands.CreateWebhookEndpoint, deps: WebhookDeps
) -> WebhookEndpoint:
    """Registers an endpoint with a new signing secret (shown in this answer only)."""
    values = await new_endpoint_fields(command, guard=deps.guard, catalog=deps.catalog)
    now = deps.clock()
    endpoint = WebhookEndpoint(
        id=str(uuid.uuid4()),
        secret=new_secret(),
        created_by=command.caller.subject,
        create_time=now,
        update_time=now,
        **values,
    )
    async with deps.unit_of_work() as uow:
        await WebhookEndpointRepository(uow.connection, deps.box).add(endpoint)
        uow.add_event(messages.endpoint_created(endpoint))
        await mark_committed(uow.connection)
        await uow.commit()
    return endpoint


async def get_endpoint(command: commands.GetWebhookEndpoint, deps: WebhookDeps) -> WebhookEndpoint:
    requested_id = command.endpoint_id
    target = endpoint_id(requested_id)
    async with deps.unit_of_work() as uow:
        endpoint = await WebhookEndpointRepository(uow.connection, deps.box).get(target)
    if endpoint is None:
        raise webhook_endpoint_not_found(requested_id)
    return endpoint


@dataclass(frozen=True, slots=True)
class EndpointPage:
    endpoints: list[WebhookEndpoint]
    next_page_token: str


async def list_endpoints(command: commands.ListPage, deps: WebhookDeps) -> EndpointPage:
    checks = Violations(domain=DOMAIN)
    requested = page(
        checks,
        size=command.page_size,
        token=command.page_token,
        query={"list": "webhook_endpoints"},
        key=(datetime, str),
    )
    checks.raise_if_any()
    async with deps.unit_of_work() as uow:
        found = await WebhookEndpointRepository(uow.connection, deps.box).page(
            size=requested.size, after=requested.after_time_and_id()
        )
    token = next_token(requested, found, lambda endpoint: (endpoint.create_time, endpoint.id))
    return EndpointPage(found[: requested.size], token)


async def update_endpoint(
    command: commands.UpdateWebhookEndpoint, deps: WebhookDeps
) -> WebhookEndpoint:
    """Changes the fields the mask names; WebhookEndpointUpdated lists those that changed."""
    target, values = await endpoint_changes(command, guard=deps.guard, catalog=deps.catalog)
    async with deps.unit_of_work() as uow:
        endpoints = WebhookEndpointRepository(uow.connection, deps.box)
        endpoint = await endpoints.get(target, for_update=True)
        if endpoint is None:
            raise webhook_endpoint_not_found(command.endpoint_id)
        changed = endpoint.update(values, now=deps.clock())
        if changed:
            await endpoints.save(endpoint)
            uow.add_event(messages.endpoint_updated(endpoint, changed, command.caller.subject))
            await mark_committed(uow.connection)
            await uow.commit()
    return endpoint


async def delete_endpoint(command: commands.DeleteWebhookEndpoint, deps: WebhookDeps) -> None:
    """Deletes the endpoint and cancels its deliveries that have not run yet."""
    requested_id, actor = command.endpoint_id, command.caller
    target = endpoint_id(requested_id)
    now = deps.clock()
    async with deps.unit_of_work() as uow:
        endpoints = WebhookEndpointRepository(uow.connection, deps.box)
        if await endpoints.get(target, for_update=True) is None:
            raise webhook_endpoint_not_found(requested_id)
        jobs = JobRepository(uow.connection)
        for job in await jobs.waiting_with_key_prefix(DELIVERY_ENQUEUER, _key_prefix(target)):
            job.cancel(now)
            await jobs.save(job)
            uow.add_event(messages.job_cancelled(job, actor.subject))
        await endpoints.delete(target)
        uow.add_event(messages.endpoint_deleted(target, actor.subject))
        await mark_committed(uow.connection)
        await uow.commit()


@dataclass(frozen=True, slots=True)
class EventReceived:
    """A domain event as delivered to the jobs service, with its envelope's identity."""

    event: Message
    event_id: str
    occurred_time: datetime


async def fan_out(uow: UnitOfWork, received: EventReceived, deps: WebhookDeps) -> int:
    """Records a delivery job per enabled endpoint subscribed to the event's type, in the
    consumer's open unit of work (which commits); returns how many were new.

    An endpoint receives the events that occur after it was registered, not older ones that
    reach the jobs service late (for example when its consumer starts on a full stream).
    """
    event_type = received.event.DESCRIPTOR.full_name
    subscribed = await WebhookEndpointRepository(uow.connection, deps.box).subscribed_to(event_type)
    endpoints = [e for e in subscribed if e.create_time <= received.occurred_time]
    jobs = JobRepository(uow.connection)
    added = 0
    for endpoint in endpoints:
        added += await jobs.add_if_absent(_delivery(endpoint, received, deps))
    return added


def _delivery(endpoint: WebhookEndpoint, received: EventReceived, deps: WebhookDeps) -> Job:
    """The job that POSTs one event to one endpoint."""
    now = deps.clock()
    payload = {
        "endpoint_id": endpoint.id,
        "event_id": received.event_id,
        "event_type": received.event.DESCRIPTOR.full_name,
        "occurred_time": received.occurred_time.isoformat(),
        "data": MessageToDict(received.event),
    }
    return Job(
        id=str(uuid.uuid4()),
        type=DELIVER_JOB_TYPE,
        payload=payload,
        idempotency_key=f"{_key_prefix(endpoint.id)}{received.event_id}",
        enqueued_by=DELIVERY_ENQUEUER,
        max_attempts=deps.delivery_max_attempts,
        run_time=now,
        create_time=now,
        update_time=now,
    )


def _key_prefix(endpoint_id: str) -> str:
    return f"webhook:{endpoint_id}:"
