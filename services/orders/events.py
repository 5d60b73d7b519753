"""The events the orders service reacts to: none yet (see docs/adding-a-service.md)."""

from __future__ import annotations

from collections.abc import Callable

from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer


def consumers(nc: NATS, unit_of_work: Callable[[], UnitOfWork]) -> list[Consumer]:
    """One durable `Consumer` per stream this service reacts to (as services.users does with
    identity's), each mapping event types to handlers."""
    return []
