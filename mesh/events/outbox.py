"""The outbox relay: publishes committed events to JetStream, in order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from nats.aio.client import Client as NATS
from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.background import BackgroundLoop, Backoff
from mesh.db.engine import INLINE, READ_ONLY
from mesh.db.tables import OUTBOX_CHANNEL, outbox_table
from mesh.events.envelope import MSG_ID_HEADER
from mesh.events.health import EventsUnavailableError

logger = logging.getLogger("meshwork.events.outbox")

_outbox = outbox_table.c


class OutboxRelay(BackgroundLoop):
    """Publishes the events the unit of work commits to the outbox table.

    Each unsent row is published in `position` order with ``Nats-Msg-Id`` = event id, then
    stamped ``sent_at``. A relay that dies between the two re-publishes on its next run and
    JetStream drops the copy (within the stream's duplicate window); consumers' inboxes catch
    anything older. Publishes are pipelined: a batch goes out in one write and its acks are
    awaited together. The relay wakes at once on `wake` (wire it as the unit of work's
    ``on_events_committed``), on PostgreSQL also when another process commits events (the
    unit of work sends ``NOTIFY`` on `OUTBOX_CHANNEL`), and polls every `poll_interval_s` to
    pick up what a crash left behind.

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
        self._publish_timeout_s = publish_timeout_s
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retention = retention
        self._purge_interval_s = purge_interval_s
        self._locks_rows = engine.dialect.name == "postgresql"
        self._next_purge = 0.0
        self._listener: AsyncConnection | None = None

    async def prepare(self) -> None:
        """On PostgreSQL, listens for the commits of other processes (`OUTBOX_CHANNEL`)."""
        await self._listen()

    async def release(self) -> None:
        """Stops listening."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):  # the server may be gone already
                await listener.close()

    async def _listen(self) -> None:
        """(Re)opens the connection that wakes the relay on ``NOTIFY``; a failure leaves the
        relay polling, and the next round tries again."""
        if not self._locks_rows:
            return
        if self._listener is not None:
            if not self._listener.closed and not (await _driver(self._listener)).is_closed():
                return
            await self.release()
        connection: AsyncConnection | None = None
        try:
            connection = await self._engine.connect()
            await (await _driver(connection)).add_listener(OUTBOX_CHANNEL, self._notified)
        except Exception as error:
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            logger.warning("cannot listen for outbox commits (polling instead): %r", error)
            return
        self._listener = connection

    def _notified(self, *_: object) -> None:
        self.wake()

    async def publish_pending(self) -> int:
        """Publishes one batch of unsent events; returns how many were published."""
        if self._locks_rows:
            async with self._engine.begin() as connection:
                rows = await self._claim(connection)
                sent = await self._publish(rows) if rows else rows
                await _mark_sent(connection, sent)
            return len(sent)
        async with self._engine.connect() as connection:
            # a read by index of at most a batch: on the event loop, beside the writer
            await connection.execution_options(**{READ_ONLY: True, INLINE: True})
            rows = await self._claim(connection)
        if not rows:
            return 0
        sent = await self._publish(rows)
        async with self._engine.begin() as connection:
            await _mark_sent(connection, sent)
        return len(sent)

    async def run_once(self) -> float:
        """Publishes a batch (and purges when due); at once again while more are waiting."""
        await self._listen()
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

    async def _publish(self, rows: Sequence[Row]) -> Sequence[Row]:
        """Publishes `rows` pipelined (one write, then all the acks); returns the leading rows
        JetStream acknowledged. The first failure is raised when no row before it was acked;
        otherwise the rows from it on stay unsent and go out again in the next round."""
        pending = [
            await self._js.publish_async(
                row.subject, row.payload, headers={**row.headers, MSG_ID_HEADER: row.event_id}
            )
            for row in rows
        ]
        acked = 0
        try:
            async with asyncio.timeout(self._publish_timeout_s):
                for row, future in zip(rows, pending, strict=True):
                    ack = await future
                    if ack.duplicate:
                        logger.debug("event %s was already in stream %s", row.event_id, ack.stream)
                    acked += 1
        except Exception:
            if not acked:
                raise
            logger.warning(
                "%d of %d events unacknowledged; publishing again", len(rows) - acked, len(rows)
            )
        finally:
            for future in pending[acked:]:
                future.cancel()
        return rows[:acked]

    async def _purge_when_due(self) -> None:
        if self._retention is None or time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self._purge_interval_s
        purged = await purge_sent(self._engine, older_than=self._retention)
        if purged:
            logger.info("purged %d sent outbox rows older than %s", purged, self._retention)


async def _driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under a SQLAlchemy one."""
    return (await connection.get_raw_connection()).driver_connection


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
