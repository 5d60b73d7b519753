"""`make up` on one PostgreSQL database (`MESHWORK_DATABASE_URL`), twice in a row: every
service migrates into its own schema and serves, with no manual step in between."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.stack import running_stack

pytestmark = pytest.mark.postgres


async def _version_tables(url: str) -> dict[str, str]:
    """Each schema holding an `alembic_version_*` table, and that table's name."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_name LIKE 'alembic_version%'"
                )
            )
            return {schema: table for schema, table in rows}
    finally:
        await engine.dispose()


async def test_the_stack_runs_twice_on_one_postgresql_database(
    tmp_path: Path, postgres_url: str
) -> None:
    for run in ("first", "second"):
        async with running_stack(
            tmp_path / run, env={"MESHWORK_DATABASE_URL": postgres_url}, ready_timeout_s=90
        ) as stack:
            services = set(stack.addresses)  # "Meshwork is up": every one of them SERVING

    assert services
    assert await _version_tables(postgres_url) == {
        service: f"alembic_version_{service}" for service in services
    }
