"""The inbox: which events each consumer has handled, so redeliveries are handled once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.db.statements import insert_if_new
from mesh.db.tables import inbox_table


async def claim(connection: AsyncConnection, *, consumer: str, event_id: str, subject: str) -> bool:
    """Records in the connection's transaction that `consumer` handles `event_id`.

    Returns False when it was already handled (by a committed transaction). A concurrent
    claim of the same event waits for the other transaction and then returns False, so the
    handler's effects and the inbox row commit together or not at all.
    """
    row = {
        "consumer": consumer,
        "event_id": event_id,
        "subject": subject,
        "handled_at": datetime.now(UTC),
    }
    result = await connection.execute(insert_if_new(connection.dialect.name, inbox_table, row))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def purge_inbox(engine: AsyncEngine, *, older_than: timedelta) -> int:
    """Forgets events handled more than `older_than` ago; returns how many rows went.

    Keep `older_than` well beyond the longest time an event can still be redelivered
    (the relay's retry horizon plus the consumers' redelivery window).
    """
    cutoff = datetime.now(UTC) - older_than
    async with engine.begin() as connection:
        result = await connection.execute(
            delete(inbox_table).where(inbox_table.c.handled_at < cutoff)
        )
    return result.rowcount
