"""The local mailbox: what the mailbox transport captured, in the service's own database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import newest_first, record_of, row_of
from mesh.paging import Page
from services.notifications.domain import Channel
from services.notifications.orm import mailbox_table

_mb = mailbox_table.c


@dataclass(frozen=True, slots=True)
class MailboxEntry:
    """One message as the local mailbox received it."""

    id: str
    message_id: str
    channel: Channel
    sender: str
    recipient: str
    subject: str
    text_body: str
    html_body: str
    receive_time: datetime


class MailboxStore:
    """The mailbox_messages table: at most one entry per message."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: MailboxEntry) -> bool:
        """Keeps the entry; False when the message was already in the mailbox."""
        postgres = self._connection.dialect.name == "postgresql"
        dialect: Any = postgresql if postgres else sqlite
        insert = dialect.insert(mailbox_table).values(row_of(entry)).on_conflict_do_nothing()
        result = await self._connection.execute(insert)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def by_message(self, message_id: str) -> MailboxEntry | None:
        query = sa.select(mailbox_table).where(_mb.message_id == message_id)
        row = (await self._connection.execute(query)).first()
        return record_of(MailboxEntry, row._mapping) if row else None

    async def listing(
        self, recipient: str, channel: Channel | None, page: Page
    ) -> list[MailboxEntry]:
        """Up to `page.size + 1` entries after the page's position, newest first."""
        query = sa.select(mailbox_table)
        if recipient:
            query = query.where(sa.func.lower(_mb.recipient) == recipient.lower())
        if channel is not None:
            query = query.where(_mb.channel == channel.value)
        after = page.after_time_and_id()
        query = newest_first(query, _mb.receive_time, _mb.id, after, size=page.size)
        rows = (await self._connection.execute(query)).all()
        return [record_of(MailboxEntry, row._mapping) for row in rows]
