"""The local mailbox: what the mailbox transport captured, in the service's own database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.paging import Page
from services.notifications.domain import Channel
from services.notifications.orm import mailbox_table, utc

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
        row = {
            "id": entry.id,
            "message_id": entry.message_id,
            "channel": entry.channel.value,
            "sender": entry.sender,
            "recipient": entry.recipient,
            "subject": entry.subject,
            "text_body": entry.text_body,
            "html_body": entry.html_body,
            "receive_time": entry.receive_time,
        }
        postgres = self._connection.dialect.name == "postgresql"
        dialect: Any = postgresql if postgres else sqlite
        insert = dialect.insert(mailbox_table).values(row).on_conflict_do_nothing()
        result = await self._connection.execute(insert)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def by_message(self, message_id: str) -> MailboxEntry | None:
        query = sa.select(mailbox_table).where(_mb.message_id == message_id)
        row = (await self._connection.execute(query)).first()
        return _entry_of(row._mapping) if row else None

    async def listing(
        self, recipient: str, channel: Channel | None, page: Page
    ) -> list[MailboxEntry]:
        """Up to `page.size + 1` entries after the page's position, newest first."""
        query = sa.select(mailbox_table).order_by(_mb.receive_time.desc(), _mb.id.desc())
        if recipient:
            query = query.where(sa.func.lower(_mb.recipient) == recipient.lower())
        if channel is not None:
            query = query.where(_mb.channel == channel.value)
        if page.after is not None:
            at, last_id = datetime.fromisoformat(page.after[0]), page.after[1]
            query = query.where(
                sa.or_(_mb.receive_time < at, sa.and_(_mb.receive_time == at, _mb.id < last_id))
            )
        rows = (await self._connection.execute(query.limit(page.size + 1))).all()
        return [_entry_of(row._mapping) for row in rows]


def _entry_of(row: Any) -> MailboxEntry:
    return MailboxEntry(
        id=row["id"],
        message_id=row["message_id"],
        channel=Channel(row["channel"]),
        sender=row["sender"],
        recipient=row["recipient"],
        subject=row["subject"],
        text_body=row["text_body"],
        html_body=row["html_body"],
        receive_time=utc(row["receive_time"]),
    )
