"""The local mailbox: stands in for SMTP and SMS, keeping every message in the database.

Like a built-in Mailpit: nothing leaves the machine, and ListMailboxMessages shows what was
"sent". An entry per message at most, so handing a message over twice stores it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from mesh.clock import utc_now
from mesh.db import UnitOfWork
from services.notifications.domain import Channel
from services.notifications.mailbox_store import MailboxEntry, MailboxStore
from services.notifications.transports.base import Outgoing


class MailboxTransport:
    """Delivers a channel's messages into the local mailbox table."""

    name = "mailbox"
    deduplicates = True

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], *, sender: str) -> None:
        self._uow = unit_of_work
        self._sender = sender

    async def prepare(self, message: Outgoing) -> MailboxHandover:
        return MailboxHandover(self._uow, message, self._sender)

    async def close(self) -> None:
        """Nothing to release."""


class MailboxHandover:
    """A mailbox entry about to be written."""

    def __init__(
        self, unit_of_work: Callable[[], UnitOfWork], message: Outgoing, sender: str
    ) -> None:
        self._uow = unit_of_work
        self._message = message
        self._sender = sender
        self.provider_message_id = f"mailbox:{message.message_id}"

    async def complete(self) -> str:
        message = self._message
        entry = MailboxEntry(
            id=str(uuid.uuid4()),
            message_id=message.message_id,
            channel=message.channel,
            sender=self._sender,
            recipient=message.recipient,
            subject=message.subject if message.channel is Channel.EMAIL else "",
            text_body=message.text_body,
            html_body=message.html_body,
            receive_time=utc_now(),
        )
        async with self._uow() as uow:
            await MailboxStore(uow.connection).add(entry)
            await uow.commit()
        return self.provider_message_id

    async def abort(self) -> None:
        """Nothing was written."""
