"""The outbox relay: publishes committed events to JetStream, in order, at least once."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from nats.aio.client import Client as NATS
from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.background import BackgroundLoop, Backoff
from mesh.db.tables import outbox_table
from mesh.events.envelope import MSG_ID_HEADER
from mesh.events.health import EventsUnavailableError

logger = logging.getLogger("meshwork.events.outbox")

_outbox = outbox_table.c


class OutboxRelay(BackgroundLoop):
    """Publishes the events the unit of work commits to the outbox table.

    Each unsent row is published in `position` order with ``Nats-Msg-Id`` = event id, then
    stamped ``sent_at``. A relay that dies between the two re-publishes on its next run and
    JetStream drops the copy (within the stream's duplicate window); consumers' inboxes catch
    anything older. The relay wakes at once on `wake` (wire it as the unit of work's
    ``on_events_committed``) and polls every `poll_interval_s` to pick up what a crash left behind.

    Several relays may share a database. On PostgreSQL a batch is claimed with
    ``FOR UPDATE SKIP LOCKED``, and a relay publishes only the claimed rows that lead the unsent
    ones with no row of another relay's between, so rows are neither published twice nor out
    of order. On SQLite rows are published outside the transaction (so writers are not held up
    by NATS round trips) and JetStream's de-duplication hides a double publish.

    Sent rows older than `retention` are deleted every `purge_interval_s` (``None``: keep).
    A failing round (NATS or the database down) is retried with backoff from `poll_interval_s`.
    """

    unavailable_error = EventsUnavailableError

    def __init__(
        self,
        engine: AsyncEngine,
        nc: NATS,
        *,
        batch_size: int = 100,
        poll_interval_s: float = 1.0,
        publish_timeout_s: float = 5.0,
        retention: timedelta | None = timedelta(days=7),
        purge_interval_s: float = 3600.0,
        stop_timeout_s: float = 10.0,
    ) -> None:
        super().__init__(
            "outbox-relay",
            nc=nc,
            backoff=Backoff(poll_interval_s, max(poll_interval_s, 10.0)),
            stop_timeout_s=stop_timeout_s,
        )
        self._engine = engine
        self._js = nc.jetstream(timeout=publish_timeout_s)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._purge_interval_s = purge_interval_s
        self._locks_rows = engine.dialect.name == "postgresql"
        self._next_purge = 0.0

    async def publish_pending(self) -> int:
        """Publishes one batch of unsent events; returns how many were published."""
        if self._locks_rows:
            async with self._engine.begin() as connection:
                rows = await self._claim(connection)
                await self._publish(rows)
                await _mark_sent(connection, rows)
            return len(rows)
        async with self._engine.begin() as connection:
            rows = await self._claim(connection)
        if rows:
            await self._publish(rows)
            async with self._engine.begin() as connection:
                await _mark_sent(connection, rows)
        return len(rows)

    async def run_once(self) -> float:
        """Publishes a batch (and purges when due); at once again while more are waiting."""
        published = await self.publish_pending()
        await self._purge_when_due()
        return 0.0 if published == self._batch_size else self._poll_interval_s

    async def _claim(self, connection: AsyncConnection) -> Sequence[Row]:
        query = (
            select(outbox_table)
            .where(_outbox.sent_at.is_(None))
            .order_by(_outbox.position)
            .limit(self._batch_size)
        )
        if not self._locks_rows:
            return (await connection.execute(query)).all()
        rows = (await connection.execute(query.with_for_update(skip_locked=True))).all()
        if not rows:
            return rows
        # Claims running side by side interleave (each skips the rows the other has locked),
        # so ours may have gaps where another relay holds rows. Only the part of ours that
        # leads the unsent rows with no gap may be published now; anything after a gap would
        # overtake the other relay's rows.
        unsent = (
            select(_outbox.position)
            .where(_outbox.sent_at.is_(None))
            .order_by(_outbox.position)
            .limit(len(rows))
        )
        leading = 0
        for row, position in zip(rows, (await connection.execute(unsent)).scalars(), strict=False):
            if row.position != position:
                break
            leading += 1
        return rows[:leading]

    async def _publish(self, rows: Sequence[Row]) -> None:
        for row in rows:
            headers = {**row.headers, MSG_ID_HEADER: row.event_id}
            ack = await self._js.publish(row.subject, row.payload, headers=headers)
            if ack.duplicate:
                logger.debug("event %s was already in stream %s", row.event_id, ack.stream)

    async def _purge_when_due(self) -> None:
        if self._retention is None or time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self._purge_interval_s
        purged = await purge_sent(self._engine, older_than=self._retention)
        if purged:
            logger.info("purged %d sent outbox rows older than %s", purged, self._retention)


async def _mark_sent(connection: AsyncConnection, rows: Sequence[Row]) -> None:
    if rows:
        positions = [row.position for row in rows]
        sent = update(outbox_table).where(_outbox.position.in_(positions))
        await connection.execute(sent.values(sent_at=datetime.now(UTC)))


async def purge_sent(engine: AsyncEngine, *, older_than: timedelta) -> int:
    """Deletes outbox rows sent more than `older_than` ago; returns how many."""
    cutoff = datetime.now(UTC) - older_than
    async with engine.begin() as connection:
        result = await connection.execute(delete(outbox_table).where(_outbox.sent_at < cutoff))
    return result.rowcount
