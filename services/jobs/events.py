"""The events the jobs service reacts to: other services' domain events, sent to webhooks.

One durable consumer per followed service stream turns each event into delivery jobs for the
endpoints subscribed to its type; the deliveries carry the envelope's event id and time.
"""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.message import Message
from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer, EventHandler
from mesh.events.envelope import Envelope
from services.jobs.webhooks.handlers import EventReceived, WebhookDeps, fan_out


def on_event(deps: WebhookDeps) -> EventHandler:
    """Turns an event into the deliveries its subscribed endpoints are owed."""

    async def handle(envelope: Envelope, event: Message, uow: UnitOfWork) -> None:
        received = EventReceived(
            event=event, event_id=envelope.event_id, occurred_time=envelope.occurred_at
        )
        await fan_out(uow, received, deps)

    return handle


def webhook_consumers(
    nc: NATS,
    unit_of_work: Callable[[], UnitOfWork],
    deps: WebhookDeps,
    *,
    prefix: str,
) -> list[Consumer]:
    """A consumer per service whose events endpoints may receive."""
    handle = on_event(deps)
    return [
        Consumer(
            nc,
            unit_of_work,
            name=f"{prefix}-on-{service}",
            handlers=dict.fromkeys(deps.catalog.of_service(service), handle),
        )
        for service in deps.catalog.services
    ]
