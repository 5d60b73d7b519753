"""The events the jobs service reacts to: other services' domain events, sent to webhooks.

One durable consumer per followed service stream turns each event into delivery jobs for the
endpoints subscribed to its type. mesh's `Consumer` hands a handler the decoded event only;
deliveries also need the envelope's event id and occurrence time, so `EnvelopeConsumer`
keeps the message headers at hand while the handler runs.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from google.protobuf.message import Message
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer
from mesh.events.envelope import EVENT_ID_HEADER, MSG_ID_HEADER, OCCURRED_AT_HEADER
from services.jobs.webhook_handlers import EventReceived, WebhookDeps, fan_out

_headers: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "meshwork_jobs_event_headers", default=None
)


class EnvelopeConsumer(Consumer):
    """A `Consumer` whose handlers can read the message headers through `current_headers`."""

    async def process(self, msg: Msg) -> None:
        token = _headers.set(dict(msg.headers or {}))
        try:
            await super().process(msg)
        finally:
            _headers.reset(token)


def current_headers() -> Mapping[str, str]:
    """The headers of the message being handled (empty outside a handler)."""
    return _headers.get() or {}


def webhook_consumers(
    nc: NATS,
    unit_of_work: Callable[[], UnitOfWork],
    deps: WebhookDeps,
    *,
    prefix: str,
) -> list[Consumer]:
    """A consumer per service whose events endpoints may receive."""

    async def on_event(event: Message, uow: UnitOfWork) -> None:
        headers = current_headers()
        received = EventReceived(
            event=event,
            event_id=headers.get(EVENT_ID_HEADER) or headers.get(MSG_ID_HEADER, ""),
            occurred_time=_occurred_time(headers.get(OCCURRED_AT_HEADER, "")),
        )
        await fan_out(uow, received, deps)

    return [
        EnvelopeConsumer(
            nc,
            unit_of_work,
            name=f"{prefix}-on-{service}",
            handlers=dict.fromkeys(deps.catalog.of_service(service), on_event),
        )
        for service in deps.catalog.services
    ]


def _occurred_time(header: str) -> datetime:
    """The envelope's occurrence time (now, if the header is missing or malformed)."""
    try:
        moment = datetime.fromisoformat(header)
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
