"""The unit of work: one transaction per use case, with its events written to the outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from google.protobuf.message import Message
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mesh.db.engine import INLINE, READ_ONLY
from mesh.db.tables import OUTBOX_CHANNEL, outbox_table


class OutboxRecord(Protocol):
    """An event as the outbox table keeps it (`mesh.events.envelope.Envelope` is one)."""

    @property
    def event_id(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def payload(self) -> bytes: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def created_at(self) -> datetime: ...


class EnvelopeFor(Protocol):
    """Wraps an event for the outbox when it is added (``mesh.events.envelope.envelope_for``)."""

    def __call__(
        self, event: Message, *, occurred_at: datetime | None = None, event_id: str | None = None
    ) -> OutboxRecord: ...


class UnitOfWork:
    """A transaction around one use case, plus the events it emits (transactional outbox).

    ::

        uow = UnitOfWork(engine, envelope_for=envelope_for, on_events_committed=relay.wake)
        async with uow:
            await uow.connection.execute(sa.insert(users_table).values(id=user_id, ...))
            uow.add_event(users_pb2.UserCreated(user_id=user.id))
            await uow.commit()

    Leaving the block without `commit` (or by an exception) rolls everything back, events
    included. Events are written to the outbox table in the same transaction as the state
    change, so an event exists if and only if the change was committed. `envelope_for`
    (``mesh.events.envelope.envelope_for``, given by whoever builds the unit of work, so that
    the database layer knows nothing of events) wraps each event as it is added; a unit of
    work without it cannot emit events. Two hooks run after a commit: `on_events_committed`
    (e.g. `OutboxRelay.wake`) after one that wrote events, so they go out at once, and
    `on_commit` after every one (e.g. to wake a loop that picks up the rows just written).
    On PostgreSQL a commit that wrote events also sends ``NOTIFY`` on `OUTBOX_CHANNEL`, which
    wakes the relays of other processes.

    Statements run on a SQLAlchemy Core connection (`uow.connection`): repositories map rows
    to domain objects themselves, so no ORM session sits between them and the database.
    A `UnitOfWork` may be entered again after it exits; each entry uses a fresh connection.

    `read_only=True` is for use cases that only read; they cannot add events. On SQLite they
    run beside writers instead of queueing for the write lock, each statement reading its own
    consistent snapshot (no BEGIN): a use case that needs several statements to agree reads
    in a normal unit of work. On PostgreSQL they run in autocommit, alike: no BEGIN and
    ROLLBACK around their statements.

    `inline=True` (read-only units only) is for reads of a few rows by key: on an SQLite file
    their statements run on the event loop itself, sparing the handoffs to the driver's
    thread. A read that may scan many rows (a filtered list) leaves it off, so that it does
    not hold up the other calls on the loop. Elsewhere it changes nothing.

    A service reaches its repositories through its own subclass, which builds them on each
    entry's connection in `open_repositories` (as cosmicpython's `uow.products`)::

        class UsersUnitOfWork(UnitOfWork):
            def open_repositories(self, connection: AsyncConnection) -> None:
                self.users = UserRepository(connection)
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        envelope_for: EnvelopeFor | None = None,
        on_events_committed: Callable[[], object] | None = None,
        on_commit: Callable[[], object] | None = None,
        read_only: bool = False,
        inline: bool = False,
    ) -> None:
        if inline and not read_only:
            raise ValueError("inline is for read-only units of work: writes may wait for a lock")
        self._engine = engine
        self._envelope_for = envelope_for
        self._on_events_committed = on_events_committed
        self._on_commit = on_commit
        self._read_only = read_only
        self._read_options = {READ_ONLY: True, INLINE: inline}  # applied when read_only
        self._connection: AsyncConnection | None = None
        self._events: list[OutboxRecord] = []

    @property
    def connection(self) -> AsyncConnection:
        """The connection of the open unit of work."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:` first")
        return self._connection

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("the unit of work is already open; nesting is not supported")
        connection = await self._engine.connect()
        if self._read_only:
            options: dict[str, object] = dict(self._read_options)
            if self._engine.dialect.name == "postgresql":  # no BEGIN and ROLLBACK round trips
                options = {**options, "isolation_level": "AUTOCOMMIT"}
            await connection.execution_options(**options)
        self._connection = connection
        self._events = []
        self.open_repositories(connection)
        return self

    def open_repositories(self, connection: AsyncConnection) -> None:
        """Builds the service's repositories on the entry's connection; none here."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self.connection, None
        self._events = []
        await connection.close()  # rolls back anything not committed (nothing after commit)

    def add_event(
        self, event: Message, *, occurred_at: datetime | None = None, event_id: str | None = None
    ) -> str:
        """Queues `event` for the outbox; it is written by `commit`. Returns the event id.

        `event_id` (at most 36 characters) replaces the fresh random id: derived from what
        makes the change unique (an idempotency key), it makes a retried change emit the same
        event, which the outbox's unique event id then holds once.

        The current trace context and request id are captured now, at the point of the change.
        """
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot emit events")
        if self._envelope_for is None:
            raise RuntimeError(
                "this unit of work cannot emit events: build it with "
                "envelope_for=mesh.events.envelope.envelope_for"
            )
        if self._connection is None:  # fail here, not at commit, when used outside `async with`
            raise RuntimeError("the unit of work is not open: use `async with uow:` first")
        envelope = self._envelope_for(event, occurred_at=occurred_at, event_id=event_id)
        self._events.append(envelope)
        return envelope.event_id

    async def commit(self) -> None:
        """Writes the queued events to the outbox and commits them with the state change."""
        connection = self.connection
        events, self._events = self._events, []
        if events:
            rows = [_outbox_row(e) for e in events]
            if connection.dialect.name == "postgresql":
                # One round trip: the rows, and NOTIFY (sent at commit) for other processes' relays
                written = insert(outbox_table).values(rows).cte("written")
                await connection.execute(select(_NOTIFY_OUTBOX).add_cte(written))
            else:
                await connection.execute(insert(outbox_table), rows)
        await connection.commit()
        if events and self._on_events_committed is not None:
            self._on_events_committed()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        """Drops the changes and the events queued since the last commit."""
        self._events = []
        await self.connection.rollback()


_NOTIFY_OUTBOX = func.pg_notify(OUTBOX_CHANNEL, "")


def _outbox_row(envelope: OutboxRecord) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "subject": envelope.subject,
        "payload": envelope.payload,
        "headers": dict(envelope.headers),
        "created_at": envelope.created_at,
        "sent_at": None,
    }
