"""Real infrastructure for the suite: a nats-server per session, PostgreSQL databases per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mesh.bundled_nats import BundledNatsServer
from tests.support.services import unavailable

POSTGRES_ADMIN_DSN = os.environ.get(
    "MESHWORK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BundledNatsServer]:
    """Starts a real nats-server with JetStream on a free port and a temporary store."""
    server = BundledNatsServer(tmp_path_factory.mktemp("nats"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _postgres_reachable() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


@pytest.fixture(scope="session")
async def postgres_available() -> bool:
    """Whether PostgreSQL answers (asked once per run)."""
    return await _postgres_reachable()


@pytest.fixture
async def postgres_url(postgres_available: bool) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards (SQLAlchemy asyncpg URL)."""
    import asyncpg

    if not postgres_available:
        unavailable("PostgreSQL", POSTGRES_ADMIN_DSN, "MESHWORK_TEST_POSTGRES")
    name = f"meshwork_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a test once on an SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("postgres_url"))
