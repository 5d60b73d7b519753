"""Initial schema: mesh's outbox and inbox; payments, refunds, customers, webhook receipts.

Revision ID: 0001
Revises:
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

from alembic import op

from mesh.db import create_mesh_tables, drop_mesh_tables
from services.payments.orm import (
    customers_table,
    payments_table,
    refunds_table,
    webhook_receipts_table,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (payments_table, refunds_table, customers_table, webhook_receipts_table)


def upgrade() -> None:
    create_mesh_tables()
    for table in _TABLES:
        table.create(op.get_bind())


def downgrade() -> None:
    for table in reversed(_TABLES):
        table.drop(op.get_bind())
    drop_mesh_tables()
