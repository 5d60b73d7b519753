"""The events the users service reacts to: identity's EmailVerified."""

from __future__ import annotations

from collections.abc import Callable

from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer
from mesh.events.envelope import Envelope
from meshwork.identity.v1 import events_pb2 as identity_events
from services.users import handlers

#: The durable consumer on identity's stream.
IDENTITY_CONSUMER = "users-on-identity"


async def on_email_verified(
    envelope: Envelope, event: identity_events.EmailVerified, uow: UnitOfWork
) -> None:
    await handlers.mark_email_verified(uow, event.user_id, event.email)


def identity_consumer(nc: NATS, unit_of_work: Callable[[], UnitOfWork]) -> Consumer:
    """Marks profiles' email addresses verified as identity reports them."""
    return Consumer(
        nc,
        unit_of_work,
        name=IDENTITY_CONSUMER,
        handlers={identity_events.EmailVerified: on_email_verified},
    )
