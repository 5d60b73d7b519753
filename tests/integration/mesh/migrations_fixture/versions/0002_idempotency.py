"""mesh's idempotency records (`mesh.idempotency`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

from mesh.db import create_idempotency_table, drop_idempotency_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
