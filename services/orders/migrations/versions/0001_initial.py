"""Initial schema: mesh's outbox, inbox and idempotency records, and the orderses table.

Revision ID: 0001
Revises:
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mesh.db import (
    create_idempotency_table,
    create_mesh_tables,
    drop_idempotency_table,
    drop_mesh_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_mesh_tables()
    create_idempotency_table()
    op.create_table(
        "orderses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
    )
    op.create_index(
        "ix_orderses_owner_id_create_time_id", "orderses", ["owner_id", "create_time", "id"]
    )


def downgrade() -> None:
    op.drop_table("orderses")
    drop_idempotency_table()
    drop_mesh_tables()
