"""The inbox: which events each consumer has handled, so redeliveries are handled once."""

from __future__ import annotations

from collections.abc import Sequence
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


async def claim_many(
    connection: AsyncConnection, *, consumer: str, events: Sequence[tuple[str, str]]
) -> set[str]:
    """Records in one statement that `consumer` handles each of `events` (event id, subject).

    Returns the ids claimed now; the others were already handled (as `claim`, a concurrent
    claim of the same event waits for the other transaction). Rows are written in event id
    order, so two transactions claiming overlapping batches take their locks in one order.
    """
    if not events:
        return set()
    now = datetime.now(UTC)
    rows = [
        {"consumer": consumer, "event_id": event_id, "subject": subject, "handled_at": now}
        for event_id, subject in sorted(dict(events).items())
    ]
    statement = insert_if_new(connection.dialect.name, inbox_table, rows)
    result = await connection.execute(statement.returning(inbox_table.c.event_id))
    return set(result.scalars())


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
