"""Initial schema: mesh's outbox and inbox, jobs, schedule states and webhook endpoints.

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
        "jobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("run_time", TIME, nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(2000), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("enqueued_by", sa.String(64), nullable=False),
        sa.Column("schedule_id", sa.String(64), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("start_time", TIME, nullable=True),
        sa.Column("finish_time", TIME, nullable=True),
        sa.Column("dispatch_seq", sa.Integer(), nullable=False),
        sa.Column("started_seq", sa.Integer(), nullable=False),
        sa.Column("dispatch_time", TIME, nullable=True),
        sa.UniqueConstraint("enqueued_by", "idempotency_key", name="uq_jobs_enqueued_by_key"),
    )
    op.create_index("ix_jobs_state_run_time", "jobs", ["state", "run_time"])
    op.create_index("ix_jobs_create_time_id", "jobs", ["create_time", "id"])
    op.create_index("ix_jobs_finish_time", "jobs", ["finish_time"])
    op.create_table(
        "schedule_states",
        sa.Column("schedule_id", sa.String(64), primary_key=True),
        sa.Column("last_tick", TIME, nullable=False),
        sa.Column("last_run_time", TIME, nullable=True),
        sa.Column("last_job_id", sa.String(64), nullable=False),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret_ciphertext", sa.String(255), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
    )
    op.create_index(
        "ix_webhook_endpoints_create_time_id", "webhook_endpoints", ["create_time", "id"]
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    op.drop_table("schedule_states")
    op.drop_table("jobs")
    drop_mesh_tables()
