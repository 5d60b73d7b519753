"""The events the admin service reacts to: its own suspensions, told to every token verifier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nats.aio.client import Client as NATS

from mesh.auth.revocation_feed import publish_revocation
from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer, EventHandler
from mesh.events.envelope import Envelope
from meshwork.admin.v1 import events_pb2 as admin_events
from services.admin import handlers

#: The durable consumer on admin's own stream that feeds the revocations bucket.
REVOCATIONS_CONSUMER = "admin-revocations"


def _publisher(nc: NATS) -> EventHandler:
    async def publish(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        revocation = await handlers.revocation_of(uow, event.user_id)
        if revocation is not None:
            await publish_revocation(nc, revocation)

    return publish


def consumers(nc: NATS, unit_of_work: Callable[[], UnitOfWork]) -> list[Consumer]:
    """Writes each suspension and its lifting to the revocations bucket (durable: one missed
    while NATS was down is written when it is back)."""
    publish = _publisher(nc)
    return [
        Consumer(
            nc,
            unit_of_work,
            name=REVOCATIONS_CONSUMER,
            handlers={admin_events.UserSuspended: publish, admin_events.UserUnsuspended: publish},
        )
    ]
