"""Unit-test fixtures: an in-memory SQLite unit of work with the admin tables, a fake directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import AsyncEngine

from mesh.db import create_engine, mesh_metadata, outbox_table
from mesh.events.envelope import TYPE_HEADER, envelope_for
from meshwork.admin.v1 import events_pb2
from services.admin.errors import dependency_unavailable
from services.admin.handlers import Deps
from services.admin.orm import metadata
from services.admin.repository import AdminUnitOfWork

BOOTSTRAP_EMAIL = "root@example.com"


@dataclass
class FakeDirectory:
    """The users and identity services: `users` exist; `down` names a service that is down."""

    users: set[str] = field(default_factory=set)
    down: str = ""
    revoked: list[str] = field(default_factory=list)

    async def user_exists(self, user_id: str) -> bool:
        if self.down == "users":
            raise dependency_unavailable("users", "UNAVAILABLE")
        return user_id in self.users

    async def revoke_sessions(self, user_id: str) -> int:
        if self.down == "identity":
            raise dependency_unavailable("identity", "UNAVAILABLE")
        self.revoked.append(user_id)
        return 1


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(mesh_metadata.create_all)
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def directory() -> FakeDirectory:
    return FakeDirectory(users={"admin-1", "admin-2", "alice", "bob"})


@pytest.fixture
def deps(engine: AsyncEngine, directory: FakeDirectory) -> Deps:
    def unit_of_work(*, read_only: bool = False, inline: bool = False) -> AdminUnitOfWork:
        return AdminUnitOfWork(
            engine, envelope_for=envelope_for, read_only=read_only, inline=inline
        )

    return Deps(unit_of_work, directory, bootstrap_admin_emails=(BOOTSTRAP_EMAIL,))


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
        return [
            getattr(events_pb2, row.headers[TYPE_HEADER].rsplit(".", 1)[-1]).FromString(row.payload)
            for row in rows
        ]


@pytest.fixture
def outbox(engine: AsyncEngine) -> Outbox:
    return Outbox(engine)
