"""Unit-test fixtures: a file SQLite database with the notifications tables, fakes of the edges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message as ProtoMessage
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import UnitOfWork, create_engine, mesh_metadata, outbox_table
from mesh.events.envelope import TYPE_HEADER, envelope_for
from meshwork.notifications.v1 import events_pb2
from services.notifications.domain import Recipient
from services.notifications.handlers.common import Deps
from services.notifications.handlers.templates import install_built_ins
from services.notifications.orm import metadata
from services.notifications.rendering import Renderer
from services.notifications.transports.base import (
    DeliveryError,
    Outgoing,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(mesh_metadata.create_all)
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(engine, envelope_for=envelope_for)


class FakeUsers:
    """The users directory: profiles by id."""

    def __init__(self) -> None:
        self.profiles: dict[str, Recipient] = {}

    async def find(self, user_id: str) -> Recipient | None:
        return self.profiles.get(user_id)


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
async def deps(engine: AsyncEngine, users: FakeUsers) -> Deps:
    deps = Deps(
        unit_of_work=lambda: UnitOfWork(engine, envelope_for=envelope_for),
        renderer=Renderer(),
        users=users,  # type: ignore[arg-type]
    )
    await install_built_ins(deps)
    return deps


class Outbox:
    """The events the handlers wrote to the outbox, decoded."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def events(self) -> list[ProtoMessage]:
        query = sa.select(outbox_table.c.payload, outbox_table.c.headers).order_by(
            outbox_table.c.position
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            getattr(events_pb2, row.headers[TYPE_HEADER].rsplit(".", 1)[-1]).FromString(row.payload)
            for row in rows
        ]


@pytest.fixture
def outbox(engine: AsyncEngine) -> Outbox:
    return Outbox(engine)


@dataclass
class FakeHandover:
    transport: FakeTransport
    message: Outgoing
    provider_message_id: str = ""

    async def complete(self) -> str:
        outcome = self.transport.on_complete.pop(0) if self.transport.on_complete else None
        if isinstance(outcome, BaseException):
            raise outcome
        self.transport.delivered.append(self.message)
        return f"fake-{len(self.transport.delivered)}"

    async def abort(self) -> None:
        self.transport.aborted.append(self.message)


@dataclass
class FakeTransport:
    """Records what it delivers; `on_prepare`/`on_complete` queue errors for the next sends."""

    name: str = "fake"
    deduplicates: bool = False
    delivered: list[Outgoing] = field(default_factory=list)
    aborted: list[Outgoing] = field(default_factory=list)
    on_prepare: list[DeliveryError | Exception] = field(default_factory=list)
    on_complete: list[BaseException] = field(default_factory=list)

    async def prepare(self, message: Outgoing) -> FakeHandover:
        if self.on_prepare:
            raise self.on_prepare.pop(0)
        return FakeHandover(self, message, provider_message_id=f"<{message.message_id}@fake>")

    async def close(self) -> None:
        """Nothing to release."""
