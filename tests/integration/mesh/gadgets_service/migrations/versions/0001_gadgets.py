"""The gadgets table.

Revision ID: g0001
Revises:
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "g0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("gadgets", sa.Column("id", sa.String(36), primary_key=True))


def downgrade() -> None:
    op.drop_table("gadgets")
