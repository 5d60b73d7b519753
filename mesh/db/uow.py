"""The unit of work: one transaction per use case, with its events written to the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from google.protobuf.message import Message
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mesh.db.engine import READ_ONLY
from mesh.db.tables import outbox_table
from mesh.events.envelope import Envelope, envelope_for


class UnitOfWork:
    """A transaction around one use case, plus the events it emits (transactional outbox).

    ::

        uow = UnitOfWork(session_factory, after_commit=relay.notify)
        async with uow:
            uow.session.add(user)
            uow.add_event(users_pb2.UserCreated(user_id=user.id))
            await uow.commit()

    Leaving the block without `commit` (or by an exception) rolls everything back, events
    included. Events are written to the outbox table in the same transaction as the state
    change, so an event exists if and only if the change was committed; `after_commit` (e.g.
    `OutboxRelay.notify`) is called after a commit that wrote events, so they go out at once.

    A `UnitOfWork` may be entered again after it exits; each entry uses a fresh session.

    `read_only=True` is for use cases that only read; they cannot add events. On SQLite they
    run beside writers instead of queueing for the write lock, each statement reading its own
    consistent snapshot (no BEGIN): a use case that needs several statements to agree reads
    in a normal unit of work. On PostgreSQL they are ordinary transactions.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        after_commit: Callable[[], object] | None = None,
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._after_commit = after_commit
        self._read_only = read_only
        self._session: AsyncSession | None = None
        self._events: list[Envelope] = []

    @property
    def session(self) -> AsyncSession:
        """The session of the open unit of work."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:` first")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already open; nesting is not supported")
        self._session = self._session_factory()
        self._events = []
        if self._read_only:
            await self._session.connection(execution_options={READ_ONLY: True})
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        self._events = []
        try:
            await session.rollback()  # anything not committed is dropped (no-op after commit)
        finally:
            await session.close()

    def add_event(self, event: Message, *, occurred_at: datetime | None = None) -> str:
        """Queues `event` for the outbox; it is written by `commit`. Returns the event id.

        The current trace context and request id are captured now, at the point of the change.
        """
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot emit events")
        if self._session is None:  # fail here, not at commit, when used outside `async with`
            raise RuntimeError("the unit of work is not open: use `async with uow:` first")
        envelope = envelope_for(event, occurred_at=occurred_at)
        self._events.append(envelope)
        return envelope.event_id

    async def commit(self) -> None:
        """Writes the queued events to the outbox and commits them with the state change."""
        session = self.session
        events, self._events = self._events, []
        if events:
            await session.execute(insert(outbox_table), [_outbox_row(e) for e in events])
        await session.commit()
        if events and self._after_commit is not None:
            self._after_commit()

    async def rollback(self) -> None:
        """Drops the changes and the events queued since the last commit."""
        self._events = []
        await self.session.rollback()


def _outbox_row(envelope: Envelope) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "subject": envelope.subject,
        "payload": envelope.payload,
        "headers": envelope.headers,
        "created_at": envelope.created_at,
        "sent_at": None,
    }
