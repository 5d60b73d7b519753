"""Unit-test fixtures: an in-memory SQLite unit of work with the users tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import UnitOfWork, create_engine, mesh_metadata, outbox_table
from mesh.events.envelope import TYPE_HEADER, envelope_for
from meshwork.users.v1 import events_pb2
from services.users.handlers import Deps
from services.users.orm import metadata
from services.users.repository import UsersUnitOfWork


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(mesh_metadata.create_all)
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(engine, envelope_for=envelope_for)


@pytest.fixture
def deps(engine: AsyncEngine) -> Deps:
    def unit_of_work(*, read_only: bool = False, inline: bool = False) -> UsersUnitOfWork:
        return UsersUnitOfWork(
            engine, envelope_for=envelope_for, read_only=read_only, inline=inline
        )

    return Deps(unit_of_work)


class Outbox:
    """The events the handlers wrote to the outbox, decoded."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def events(self) -> list[Message]:
        query = sa.select(outbox_table.c.payload, outbox_table.c.headers).order_by(
            outbox_table.c.position
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_decode(row.headers[TYPE_HEADER], row.payload) for row in rows]


def _decode(type_name: str, payload: bytes) -> Message:
    name = type_name.rsplit(".", 1)[-1]
    return getattr(events_pb2, name).FromString(payload)


@pytest.fixture
def outbox(engine: AsyncEngine) -> Outbox:
    return Outbox(engine)
