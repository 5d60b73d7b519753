"""Subscriptions: one durable consumer per source service, feeding the reactions registry."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from nats.aio.client import Client as NATS

from mesh.db import UnitOfWork
from mesh.events.consumer import Consumer, EventHandler
from mesh.events.envelope import Envelope
from mesh.events.redelivery import RedeliveryPolicy
from services.notifications.domain import Recipient
from services.notifications.handlers.common import Deps
from services.notifications.handlers.sending import Notification, queue
from services.notifications.reactions import REACTIONS, Links, Reaction

logger = logging.getLogger("meshwork.notifications")

#: Patient redelivery: a users service that is down delays KYC mail, it does not drop it
#: (about two hours before an event is dead-lettered).
REDELIVERY = RedeliveryPolicy(max_attempts=30, initial_delay_s=1.0, max_delay_s=300.0)


def consumer_name(service: str) -> str:
    return f"notifications-on-{service}"


def consumers(
    nc: NATS,
    unit_of_work: Callable[[], UnitOfWork],
    deps: Deps,
    links: Links,
    *,
    reactions: Sequence[Reaction] = REACTIONS,
    ack_wait_s: float = 30.0,
) -> list[Consumer]:
    """One durable consumer per service whose events the reactions name."""
    by_service = itertools.groupby(
        sorted(reactions, key=lambda r: r.source_service), key=lambda r: r.source_service
    )
    built: list[Consumer] = []
    for service, group in by_service:
        members = list(group)
        handlers: dict[Any, EventHandler] = {}
        for event_type in dict.fromkeys(r.event for r in members):
            same = [r for r in members if r.event is event_type]
            handlers[event_type] = _handler(same, deps, links)
        consumer = Consumer(
            nc,
            unit_of_work,
            name=consumer_name(service),
            handlers=handlers,
            redelivery=REDELIVERY,
            ack_wait_s=ack_wait_s,
        )
        built.append(consumer)
    return built


def _handler(reactions: Sequence[Reaction], deps: Deps, links: Links) -> EventHandler:
    async def handle(envelope: Envelope, event: Any, uow: UnitOfWork) -> None:
        for reaction in reactions:
            await react(reaction, event, uow, deps, links, event_id=envelope.event_id)

    return handle


async def react(
    reaction: Reaction, event: Any, uow: UnitOfWork, deps: Deps, links: Links, *, event_id: str
) -> None:
    """Queues the reaction's messages in the consumer's unit of work (committed with the inbox
    record, so the event makes its messages exactly once); delivery follows the commit."""
    if not event_id:
        raise ValueError(f"{reaction.name}: the event has no id to key its messages by")
    recipient = reaction.recipient(event)
    if not (recipient.email or recipient.phone_number):
        profile = await deps.users.find(recipient.user_id)
        if profile is None:
            logger.info("%s: no user %s; suppressed", reaction.name, recipient.user_id)
        recipient = profile or Recipient(user_id=recipient.user_id, deleted=True)
    notification = Notification(
        source=f"reaction:{reaction.name}",
        source_key=event_id,
        template_id=reaction.template_id,
        recipient=recipient,
        variables=reaction.variables(event, links, recipient.locale),
        strict=False,
    )
    await queue(uow, deps.renderer, notification, now=deps.clock())
