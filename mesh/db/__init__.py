"""A service's database: async engine, unit of work with outbox, migrations, mesh's tables."""

from mesh.db.engine import (
    DatabaseUnavailableError,
    create_engine,
    ping,
)
from mesh.db.migrations import (
    create_idempotency_table,
    create_mesh_tables,
    drop_idempotency_table,
    drop_mesh_tables,
    migrate,
    run_migrations,
)
from mesh.db.statements import insert_if_new
from mesh.db.tables import idempotency_table, inbox_table, mesh_metadata, outbox_table
from mesh.db.uow import UnitOfWork

__all__ = [
    "DatabaseUnavailableError",
    "UnitOfWork",
    "create_engine",
    "create_idempotency_table",
    "create_mesh_tables",
    "drop_idempotency_table",
    "drop_mesh_tables",
    "idempotency_table",
    "inbox_table",
    "insert_if_new",
    "mesh_metadata",
    "migrate",
    "outbox_table",
    "ping",
    "run_migrations",
]
