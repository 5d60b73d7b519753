"""Initial schema: mesh's outbox and inbox, and the users table.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mesh.db import create_mesh_tables, drop_mesh_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_mesh_tables()
    op.create_table(
        "users",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("active_email_key", sa.String(254), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("phone_number", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("address", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("delete_time", TIME, nullable=True),
        sa.Column("deleted_by", sa.String(128), nullable=False),
        sa.Column("kyc_status", sa.String(16), nullable=False),
        sa.Column("kyc_details", sa.JSON(), nullable=True),
        sa.Column("kyc_submit_time", TIME, nullable=True),
        sa.Column("kyc_review_time", TIME, nullable=True),
        sa.Column("kyc_reviewer_id", sa.String(128), nullable=False),
        sa.Column("kyc_rejection_reason", sa.String(32), nullable=True),
        sa.Column("kyc_rejection_note", sa.String(1000), nullable=False),
        # Unique among active profiles only: deleting sets the key to NULL, freeing the email.
        sa.UniqueConstraint("active_email_key", name="uq_users_active_email_key"),
    )
    op.create_index("ix_users_email_key", "users", ["email_key"])
    op.create_index("ix_users_create_time_id", "users", ["create_time", "id"])
    op.create_index("ix_users_kyc_status_create_time", "users", ["kyc_status", "create_time"])


def downgrade() -> None:
    op.drop_table("users")
    drop_mesh_tables()
