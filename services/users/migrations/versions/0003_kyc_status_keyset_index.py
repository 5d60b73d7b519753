"""The KYC review list's index covers its whole sort key (kyc_status, create_time, id), so a
filtered page seeks straight to its keyset cursor at any depth.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_users_kyc_status_create_time_id", "users", ["kyc_status", "create_time", "id"]
    )
    op.drop_index("ix_users_kyc_status_create_time", table_name="users")


def downgrade() -> None:
    op.create_index("ix_users_kyc_status_create_time", "users", ["kyc_status", "create_time"])
    op.drop_index("ix_users_kyc_status_create_time_id", table_name="users")
