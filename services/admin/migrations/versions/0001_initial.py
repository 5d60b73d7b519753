"""Initial schema: mesh's outbox, inbox and idempotency records; grants, suspensions, actions.

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
        "role_grants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("granted_by", sa.String(128), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("revoke_time", TIME, nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=False),
        sa.Column("revoke_reason", sa.String(500), nullable=False),
        # "<user>/<role>" while active, NULL once revoked: one active grant of a role per user.
        sa.Column("active_key", sa.String(200), nullable=True),
        sa.UniqueConstraint("active_key", name="uq_role_grants_active_key"),
    )
    op.create_index("ix_role_grants_create_time_id", "role_grants", ["create_time", "id"])
    op.create_index("ix_role_grants_user_id", "role_grants", ["user_id"])
    op.create_table(
        "suspensions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("suspended_by", sa.String(128), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("lift_time", TIME, nullable=True),
        sa.Column("lifted_by", sa.String(128), nullable=False),
        sa.Column("lift_reason", sa.String(500), nullable=False),
        # The user while active, NULL once lifted: one active suspension per user.
        sa.Column("active_user_id", sa.String(128), nullable=True),
        sa.UniqueConstraint("active_user_id", name="uq_suspensions_active_user_id"),
    )
    op.create_index("ix_suspensions_create_time_id", "suspensions", ["create_time", "id"])
    op.create_index("ix_suspensions_user_id", "suspensions", ["user_id"])
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("target_user_id", sa.String(128), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
    )
    op.create_index("ix_admin_actions_create_time_id", "admin_actions", ["create_time", "id"])
    op.create_index("ix_admin_actions_target_user_id", "admin_actions", ["target_user_id"])
    op.create_index("ix_admin_actions_actor_id", "admin_actions", ["actor_id"])


def downgrade() -> None:
    op.drop_table("admin_actions")
    op.drop_table("suspensions")
    op.drop_table("role_grants")
    drop_idempotency_table()
    drop_mesh_tables()
