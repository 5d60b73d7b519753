"""The events identity reacts to: admin's suspensions and users' deleted profiles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer, EventHandler
from mesh.events.envelope import Envelope
from meshwork.admin.v1 import events_pb2 as admin_events
from meshwork.users.v1 import events_pb2 as users_events
from services.identity.handlers import lifecycle

ADMIN_CONSUMER = "identity-on-admin"
USERS_CONSUMER = "identity-on-users"


def _on(change: Any, clock: Callable[[], datetime]) -> EventHandler:
    async def handle(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        await change(event.user_id, uow, now=clock())

    return handle


def consumers(
    nc: NATS, unit_of_work: Callable[[], UnitOfWork], *, clock: Callable[[], datetime]
) -> list[Consumer]:
    """Durable consumers of admin's and users' streams (created if those services are not up)."""
    admin = Consumer(
        nc,
        unit_of_work,
        name=ADMIN_CONSUMER,
        handlers={
            admin_events.UserSuspended: _on(lifecycle.suspend_account, clock),
            admin_events.UserUnsuspended: _on(lifecycle.unsuspend_account, clock),
        },
    )
    users = Consumer(
        nc,
        unit_of_work,
        name=USERS_CONSUMER,
        handlers={
            users_events.UserDeleted: _on(lifecycle.close_account, clock),
        },
    )
    return [admin, users]
