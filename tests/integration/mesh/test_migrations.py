"""Migrations of services sharing a database, replicas migrating at once, legacy version tables."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import sqlalchemy as sa

from mesh.db import create_engine, migrate
from mesh.db.migrations import LEGACY_VERSION_TABLE, version_table_of
from tests.support import subprocess_env

WIDGETS = Path(__file__).parent / "migrations_fixture"
GADGETS = Path(__file__).parent / "gadgets_service" / "migrations"


async def _tables_and_versions(url: str) -> tuple[set[str], dict[str, list[str]]]:
    """The database's tables, and the revisions held by each `alembic_version*` table."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
            versions = {}
            for table in sorted(t for t in tables if t.startswith(LEGACY_VERSION_TABLE)):
                rows = await connection.scalars(sa.text(f"SELECT version_num FROM {table}"))
                versions[table] = list(rows)
    finally:
        await engine.dispose()
    return tables, versions


def test_each_service_has_a_version_table_named_after_its_package() -> None:
    assert version_table_of(Path("services/users/migrations")) == "alembic_version_users"
    assert version_table_of(GADGETS) == "alembic_version_gadgets_service"


async def test_two_services_migrate_into_one_database_each_keeping_its_revision(
    database_url: str,
) -> None:
    await migrate(database_url, WIDGETS)
    await migrate(database_url, GADGETS)

    tables, versions = await _tables_and_versions(database_url)
    assert {"widgets", "gadgets", "mesh_outbox"} <= tables
    assert versions == {
        version_table_of(WIDGETS): ["0002"],
        "alembic_version_gadgets_service": ["g0001"],
    }


async def _migrate_in_a_process(url: str, script_location: Path) -> int:
    """Runs `migrate` in a process of its own, as a replica starting up does; its exit code."""
    code = "import asyncio, sys; from mesh.db import migrate; asyncio.run(migrate(*sys.argv[1:]))"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, url, str(script_location), env=subprocess_env()
    )
    return await process.wait()


async def test_replicas_migrating_one_postgresql_database_at_once_both_succeed(
    postgres_url: str,
) -> None:
    replicas = [_migrate_in_a_process(postgres_url, WIDGETS) for _ in range(3)]

    assert await asyncio.gather(*replicas) == [0, 0, 0]

    tables, versions = await _tables_and_versions(postgres_url)
    assert {"widgets", "mesh_outbox", "mesh_inbox", "mesh_idempotency"} <= tables
    assert versions == {version_table_of(WIDGETS): ["0002"]}


async def test_a_database_migrated_into_the_shared_version_table_is_adopted_not_redone(
    database_url: str,
) -> None:
    await migrate(database_url, WIDGETS, revision="0001", version_table=LEGACY_VERSION_TABLE)

    await migrate(database_url, WIDGETS)  # would fail creating the tables again if redone

    tables, versions = await _tables_and_versions(database_url)
    assert "mesh_idempotency" in tables  # 0002 ran, from the adopted 0001
    assert versions == {LEGACY_VERSION_TABLE: ["0001"], version_table_of(WIDGETS): ["0002"]}


async def test_another_services_revision_in_the_shared_version_table_is_not_adopted(
    database_url: str,
) -> None:
    await migrate(database_url, GADGETS, version_table=LEGACY_VERSION_TABLE)

    await migrate(database_url, WIDGETS)

    tables, versions = await _tables_and_versions(database_url)
    assert {"widgets", "gadgets"} <= tables
    assert versions == {LEGACY_VERSION_TABLE: ["g0001"], version_table_of(WIDGETS): ["0002"]}
