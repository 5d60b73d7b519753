"""Loads and saves messages and their delivery attempts on the open unit of work's connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from mesh.paging import Page
from services.notifications.delivery import Attempt, Message
from services.notifications.domain import (
    Category,
    Channel,
    MessageState,
    Outcome,
    SuppressionReason,
)
from services.notifications.orm import as_utc, delivery_attempts_table, messages_table, utc

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
            await self._connection.execute(sa.insert(messages_table).values(**_row_of(message)))
        except IntegrityError as error:
            raise DuplicateMessageError(str(error.orig)) from error

    async def get(self, message_id: str) -> Message | None:
        row = (await self._connection.execute(_select().where(_m.id == message_id))).first()
        return _message_of(row._mapping) if row else None

    async def by_source(self, source: str, source_key: str) -> list[Message]:
        query = _select().where(_m.source == source, _m.source_key == source_key)
        rows = (await self._connection.execute(query.order_by(_m.channel))).all()
        return [_message_of(row._mapping) for row in rows]

    async def save(self, message: Message, *, lease: str | None = None) -> bool:
        """Writes the message back and drops any claim on it. With `lease`, only while that
        claim still holds; False (nothing written) when it no longer does."""
        values = _row_of(message)
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
        query = _select().order_by(_m.create_time.desc(), _m.id.desc())
        if wanted.user_id is not None:
            query = query.where(_m.user_id == wanted.user_id)
        if wanted.channel is not None:
            query = query.where(_m.channel == wanted.channel.value)
        if wanted.state is not None:
            query = query.where(_m.state == wanted.state.value)
        if wanted.template_id:
            query = query.where(_m.template_id == wanted.template_id)
        if page.after is not None:
            at, last_id = datetime.fromisoformat(page.after[0]), page.after[1]
            query = query.where(
                sa.or_(_m.create_time < at, sa.and_(_m.create_time == at, _m.id < last_id))
            )
        rows = (await self._connection.execute(query.limit(page.size + 1))).all()
        return [_message_of(row._mapping) for row in rows]

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
        return [Due(_message_of(row._mapping), row.lease_token) for row in rows]

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
        await self._connection.execute(
            sa.insert(delivery_attempts_table).values(**_attempt_row(attempt))
        )

    async def save_attempt(self, attempt: Attempt) -> None:
        values = _attempt_row(attempt)
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
        return _attempt_of(row._mapping) if row else None

    async def attempts(self, message_id: str, page: Page) -> list[Attempt]:
        """Up to `page.size + 1` attempts after the page's position, oldest first."""
        query = sa.select(delivery_attempts_table).where(_a.message_id == message_id)
        if page.after is not None:
            query = query.where(_a.number > int(page.after[0]))
        rows = (
            await self._connection.execute(query.order_by(_a.number).limit(page.size + 1))
        ).all()
        return [_attempt_of(row._mapping) for row in rows]


def _select() -> sa.Select[Any]:
    return sa.select(messages_table)


def _row_of(message: Message) -> dict[str, Any]:
    reason = message.suppression_reason
    return {
        "id": message.id,
        "source": message.source,
        "source_key": message.source_key,
        "user_id": message.user_id,
        "template_id": message.template_id,
        "channel": message.channel.value,
        "category": message.category.value,
        "recipient": message.recipient,
        "locale": message.locale,
        "subject": message.subject,
        "text_body": message.text_body,
        "html_body": message.html_body,
        "state": message.state.value,
        "suppression_reason": reason.value if reason else None,
        "attempt_count": message.attempt_count,
        "last_error": message.last_error,
        "create_time": message.create_time,
        "update_time": message.update_time,
        "send_time": message.send_time,
        "next_attempt_time": message.next_attempt_time,
    }


def _message_of(row: Any) -> Message:
    reason = row["suppression_reason"]
    return Message(
        id=row["id"],
        source=row["source"],
        source_key=row["source_key"],
        user_id=row["user_id"],
        template_id=row["template_id"],
        channel=Channel(row["channel"]),
        category=Category(row["category"]),
        recipient=row["recipient"],
        locale=row["locale"],
        subject=row["subject"],
        text_body=row["text_body"],
        html_body=row["html_body"],
        state=MessageState(row["state"]),
        create_time=utc(row["create_time"]),
        update_time=utc(row["update_time"]),
        suppression_reason=SuppressionReason(reason) if reason else None,
        attempt_count=row["attempt_count"],
        last_error=row["last_error"],
        send_time=as_utc(row["send_time"]),
        next_attempt_time=as_utc(row["next_attempt_time"]),
    )


def _attempt_row(attempt: Attempt) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "message_id": attempt.message_id,
        "number": attempt.number,
        "transport": attempt.transport,
        "outcome": attempt.outcome.value if attempt.outcome else None,
        "error": attempt.error,
        "provider_message_id": attempt.provider_message_id,
        "start_time": attempt.start_time,
        "handover_time": attempt.handover_time,
        "end_time": attempt.end_time,
    }


def _attempt_of(row: Any) -> Attempt:
    return Attempt(
        id=row["id"],
        message_id=row["message_id"],
        number=row["number"],
        transport=row["transport"],
        start_time=utc(row["start_time"]),
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        error=row["error"],
        provider_message_id=row["provider_message_id"],
        handover_time=as_utc(row["handover_time"]),
        end_time=as_utc(row["end_time"]),
    )
