"""Loads and saves messages and their delivery attempts on the open unit of work's connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.db.rows import as_utc, newest_first, record_of, row_of
from mesh.paging import Page
from services.notifications.delivery import Attempt, Message
from services.notifications.domain import (
    Channel,
    MessageState,
)
from services.notifications.orm import delivery_attempts_table, messages_table

_m = messages_table.c
_a = delivery_attempts_table.c


class DuplicateMessageError(Exception):
    """Another transaction recorded a message for the same source, key and channel first."""


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """Which messages to list; empty fields do not filter."""

    user_id: str | None = None
    channel: Channel | None = None
    state: MessageState | None = None
    template_id: str = ""


@dataclass(frozen=True, slots=True)
class Due:
    """A message the sender may claim, with the claim a dead sender left on it."""

    message: Message
    stale_lease: str | None


class MessageRepository:
    """The messages and delivery_attempts tables seen as collections of domain objects."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, message: Message) -> None:
        try:
            await self._connection.execute(sa.insert(messages_table).values(**row_of(message)))
        except IntegrityError as error:
            raise DuplicateMessageError(str(error.orig)) from error

    async def get(self, message_id: str) -> Message | None:
        row = (await self._connection.execute(_select().where(_m.id == message_id))).first()
        return record_of(Message, row._mapping) if row else None

    async def by_source(self, source: str, source_key: str) -> list[Message]:
        query = _select().where(_m.source == source, _m.source_key == source_key)
        rows = (await self._connection.execute(query.order_by(_m.channel))).all()
        return [record_of(Message, row._mapping) for row in rows]

    async def save(self, message: Message, *, lease: str | None = None) -> bool:
        """Writes the message back and drops any claim on it. With `lease`, only while that
        claim still holds; False (nothing written) when it no longer does."""
        values = row_of(message)
        del values["id"], values["create_time"]
        query = sa.update(messages_table).where(_m.id == message.id)
        if lease is not None:
            query = query.where(_m.lease_token == lease)
        result = await self._connection.execute(
            query.values(**values, lease_token=None, lease_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def listing(self, wanted: MessageFilter, page: Page) -> list[Message]:
        """Up to `page.size + 1` messages after the page's position, newest first."""
        query = _select()
        if wanted.user_id is not None:
            query = query.where(_m.user_id == wanted.user_id)
        if wanted.channel is not None:
            query = query.where(_m.channel == wanted.channel.value)
        if wanted.state is not None:
            query = query.where(_m.state == wanted.state.value)
        if wanted.template_id:
            query = query.where(_m.template_id == wanted.template_id)
        query = newest_first(query, _m.create_time, _m.id, page.after_time_and_id(), size=page.size)
        rows = (await self._connection.execute(query)).all()
        return [record_of(Message, row._mapping) for row in rows]

    # ---- the sender's side

    async def due(self, now: datetime, *, limit: int) -> list[Due]:
        """QUEUED messages whose time has come and that no live sender holds, oldest due
        first; locked (skipping rows others hold) until the transaction ends on PostgreSQL."""
        query = (
            sa.select(messages_table)
            .where(
                _m.state == MessageState.QUEUED.value,
                _m.next_attempt_time <= now,
                sa.or_(_m.lease_until.is_(None), _m.lease_until < now),
            )
            .order_by(_m.next_attempt_time)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._connection.execute(query)).all()
        return [Due(record_of(Message, row._mapping), row.lease_token) for row in rows]

    async def claim(
        self, message: Message, *, expected: str | None, lease: str, until: datetime
    ) -> bool:
        """Reserves the message for one send (a conditional update: the claim it had must still
        be `expected`); counts the attempt. False when another sender got there first."""
        held = _m.lease_token.is_(None) if expected is None else _m.lease_token == expected
        result = await self._connection.execute(
            sa.update(messages_table)
            .where(_m.id == message.id, _m.state == MessageState.QUEUED.value, held)
            .values(
                lease_token=lease,
                lease_until=until,
                attempt_count=message.attempt_count,
                update_time=message.update_time,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, message_id: str, *, expected: str) -> bool:
        """Drops a stale claim (its sender died); False when someone else already did."""
        result = await self._connection.execute(
            sa.update(messages_table)
            .where(_m.id == message_id, _m.lease_token == expected)
            .values(lease_token=None, lease_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def next_due_time(self) -> datetime | None:
        """When the earliest QUEUED message becomes due."""
        query = sa.select(sa.func.min(_m.next_attempt_time)).where(
            _m.state == MessageState.QUEUED.value
        )
        return as_utc(await self._connection.scalar(query))

    # ---- attempts

    async def add_attempt(self, attempt: Attempt) -> None:
        await self._connection.execute(sa.insert(delivery_attempts_table).values(**row_of(attempt)))

    async def save_attempt(self, attempt: Attempt) -> None:
        values = row_of(attempt)
        del values["id"]
        await self._connection.execute(
            sa.update(delivery_attempts_table).where(_a.id == attempt.id).values(**values)
        )

    async def open_attempt(self, message_id: str) -> Attempt | None:
        """The attempt of the message that has not ended (a sender died during it)."""
        query = sa.select(delivery_attempts_table).where(
            _a.message_id == message_id, _a.end_time.is_(None)
        )
        row = (await self._connection.execute(query.order_by(_a.number.desc()).limit(1))).first()
        return record_of(Attempt, row._mapping) if row else None

    async def attempts(self, message_id: str, page: Page) -> list[Attempt]:
        """Up to `page.size + 1` attempts after the page's position, oldest first."""
        query = sa.select(delivery_attempts_table).where(_a.message_id == message_id)
        if page.after is not None:
            query = query.where(_a.number > int(page.after[0]))
        rows = (
            await self._connection.execute(query.order_by(_a.number).limit(page.size + 1))
        ).all()
        return [record_of(Attempt, row._mapping) for row in rows]


def _select() -> sa.Select[Any]:
    return sa.select(messages_table)
