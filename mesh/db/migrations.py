"""Alembic per service: a programmatic upgrade, the shared body of env.py, mesh's tables."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy.engine import Connection

from mesh.db.engine import create_engine, schema_of

TargetMetadata = sa.MetaData | Sequence[sa.MetaData] | None

#: The table Alembic keeps its revision in by default: every service used it before each had
#: its own, so a database that still has only this one is adopted (see `version_table_of`).
LEGACY_VERSION_TABLE = "alembic_version"
#: The Alembic main option naming a service's version table (settable in an alembic.ini).
VERSION_TABLE_OPTION = "version_table"
#: The `Config.attributes` key of the PostgreSQL schema `migrate` migrates (None: the default).
_SCHEMA_ATTRIBUTE = "meshwork_schema"


def version_table_of(script_location: str | Path) -> str:
    """The table holding the revision of the service whose migrations are in
    `script_location`: ``alembic_version_<service>``, the service being the package that holds
    the ``migrations/`` directory (``services/users/migrations`` → ``alembic_version_users``),
    so services sharing one database each keep their own revision."""
    return f"{LEGACY_VERSION_TABLE}_{Path(script_location).resolve().parent.name}"


async def migrate(
    url: str,
    script_location: str | Path,
    *,
    revision: str = "head",
    version_table: str | None = None,
) -> None:
    """Upgrades the database at `url` to `revision` with the migrations in `script_location`.

    `url` is the service's async URL (``sqlite+aiosqlite://...``, ``postgresql+asyncpg://...``);
    `script_location` the service's ``migrations/`` directory, whose ``env.py`` calls
    `run_migrations`. Call it at start-up or from a one-off job; no ``alembic.ini`` is needed.
    The revision is kept in `version_table` (default: `version_table_of(script_location)`).
    Replicas starting together may all call it: on PostgreSQL each waits for the one migrating.
    A PostgreSQL URL naming a schema (``?schema=users``, see `mesh.db.engine.SCHEMA_PARAMETER`)
    is migrated in that schema, created first if missing, version table included.
    Within one process, call it once at a time (Alembic keeps its context in a global).
    """
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(VERSION_TABLE_OPTION, version_table or version_table_of(script_location))
    config.attributes[_SCHEMA_ATTRIBUTE] = schema_of(url)[1]
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, config, revision)
            await connection.commit()
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def run_migrations(target_metadata: TargetMetadata = None) -> None:
    """The whole body of a service's ``migrations/env.py``::

        from mesh.db import mesh_metadata, run_migrations
        from services.users.orm import metadata

        run_migrations([mesh_metadata, metadata])

    Include `mesh_metadata` so autogenerate keeps mesh's outbox and inbox tables in view.
    Runs on the connection `migrate` shares, or, from the ``alembic`` command line, on a new
    connection to ``sqlalchemy.url`` (or ``--sql`` offline mode).
    """
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            version_table=_version_table(),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_on(connection, target_metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url (alembic.ini or -x) or run migrations via migrate()")
    context.config.attributes[_SCHEMA_ATTRIBUTE] = schema_of(url)[1]
    asyncio.run(_run_on_new_connection(url, target_metadata))


async def _run_on_new_connection(url: str, target_metadata: TargetMetadata) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on, target_metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _version_table() -> str:
    """The version table `migrate` chose, or (from the command line) the service's own."""
    chosen = context.config.get_main_option(VERSION_TABLE_OPTION)
    return chosen or version_table_of(context.script.dir)


def _run_on(connection: Connection, target_metadata: TargetMetadata) -> None:
    version_table = _version_table()
    schema: str | None = context.config.attributes.get(_SCHEMA_ATTRIBUTE)
    if connection.dialect.name == "postgresql":
        _wait_for_other_migrations(connection, version_table)
        if schema is not None:  # after the lock: replicas do not race to create it
            quoted = connection.dialect.identifier_preparer.quote_schema(schema)
            connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quoted}"))
    _adopt_legacy_version(connection, version_table, schema)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        version_table=version_table,
        version_table_schema=schema,
    )
    with context.begin_transaction():
        context.run_migrations()


def _wait_for_other_migrations(connection: Connection, version_table: str) -> None:
    """Takes a PostgreSQL advisory lock, held until this migration's transaction ends, so that
    of two replicas starting together one migrates and the other then finds the schema done
    (instead of both creating the same tables and one failing)."""
    key = zlib.crc32(version_table.encode())  # a stable number per service
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _adopt_legacy_version(
    connection: Connection, version_table: str, schema: str | None = None
) -> None:
    """Copies this service's revision from the shared `LEGACY_VERSION_TABLE` into
    `version_table` when only the former exists and holds a revision of this service, so a
    database migrated before services had their own table is not migrated again. The old
    table is left in place: an older release rolled back to still finds its revision there."""
    inspector = sa.inspect(connection)
    if inspector.has_table(version_table, schema) or not inspector.has_table(
        LEGACY_VERSION_TABLE, schema
    ):
        return
    legacy = sa.table(LEGACY_VERSION_TABLE, sa.column("version_num", sa.String(32)), schema=schema)
    heads = list(connection.scalars(sa.select(legacy.c.version_num)))
    ours = {script.revision for script in context.script.walk_revisions()}
    if not heads or not set(heads) <= ours:
        return  # another service's revision: this service's schema starts from scratch
    adopted = sa.Table(
        version_table,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), primary_key=True),
        schema=schema,
    )
    adopted.create(connection)
    connection.execute(sa.insert(adopted), [{"version_num": head} for head in heads])


def create_mesh_tables() -> None:
    """Creates mesh's outbox and inbox tables; call it from a service's first migration.

    This is schema version 1 of those tables, frozen here as migrations must be. When mesh
    changes them it adds a new operation (e.g. ``upgrade_mesh_tables_v2``) that services call
    from a new migration; ``alembic revision --autogenerate`` shows the drift when
    `mesh_metadata` is in the target metadata.
    """
    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "mesh_outbox",
        sa.Column("position", position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_mesh_outbox_sent_at_position", "mesh_outbox", ["sent_at", "position"])
    op.create_table(
        "mesh_inbox",
        sa.Column("consumer", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_mesh_inbox_handled_at", "mesh_inbox", ["handled_at"])


def drop_mesh_tables() -> None:
    """Drops mesh's outbox and inbox tables (the downgrade of `create_mesh_tables`)."""
    op.drop_table("mesh_inbox")
    op.drop_table("mesh_outbox")


def create_idempotency_table() -> None:
    """Creates mesh's idempotency table (`mesh.idempotency`); call it from a new migration.

    Version 1 of that table, frozen here as `create_mesh_tables` is.
    """
    op.create_table(
        "mesh_idempotency",
        sa.Column("caller", sa.String(255), primary_key=True),
        sa.Column("method", sa.String(255), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("attempt", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_mesh_idempotency_created_at", "mesh_idempotency", ["created_at"])


def drop_idempotency_table() -> None:
    """Drops mesh's idempotency table (the downgrade of `create_idempotency_table`)."""
    op.drop_table("mesh_idempotency")
