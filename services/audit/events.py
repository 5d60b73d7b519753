"""The events the audit service records: every event of every service's stream."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import cast

from google.protobuf.message import Message
from nats.aio.client import Client as NATS

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer, EventHandler
from mesh.events.envelope import Envelope
from services.audit import handlers, messages
from services.audit.repository import AuditUnitOfWork

logger = logging.getLogger("meshwork.audit.events")


def consumer_name(service: str) -> str:
    """The durable consumer on `service`'s stream: `audit-on-users`."""
    return f"audit-on-{service}"


def recorder(service: str, clock: Callable[[], datetime] = utc_now) -> EventHandler:
    """Records each event of `service`'s stream in that service's chain."""

    async def record(envelope: Envelope, event: Message | None, uow: UnitOfWork) -> None:
        command = messages.event_command(service, envelope, event)
        await handlers.record_event(cast(AuditUnitOfWork, uow), command, clock())

    return record


def consumers(
    nc: NATS, unit_of_work: Callable[[], AuditUnitOfWork], services: Iterable[str]
) -> list[Consumer]:
    """One durable consumer per service's stream (the catalogue's, by default: a service
    added there is audited with no change here). Durable, so what is published while audit
    is down waits in the stream; the inbox makes a redelivered event one entry."""
    found = []
    for service in services:
        _load_event_types(service)
        found.append(
            Consumer(
                nc,
                unit_of_work,
                name=consumer_name(service),
                every_event_of=service,
                every_event=recorder(service),
            )
        )
    return found


def _load_event_types(service: str) -> None:
    """Imports the service's generated events so that the consumer decodes them (a service
    whose contract has no events yet is recorded from the envelopes)."""
    try:
        importlib.import_module(f"meshwork.{service}.v1.events_pb2")
    except ModuleNotFoundError:
        logger.info("no generated events for %s: its events are recorded undecoded", service)
