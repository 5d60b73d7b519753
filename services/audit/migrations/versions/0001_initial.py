"""Initial schema: mesh's outbox, inbox and idempotency records, the audit trail, its chain
heads and the log store.

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
        "audit_entries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("chain", sa.String(64), nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("actor_user_id", sa.String(128), nullable=False),
        sa.Column("actor_service", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("occur_time", TIME, nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.UniqueConstraint("chain", "sequence", name="uq_audit_entries_chain_sequence"),
        sa.UniqueConstraint("event_id", name="uq_audit_entries_event_id"),
        sa.UniqueConstraint("service", "idempotency_key", name="uq_audit_entries_idempotency_key"),
    )
    op.create_index("ix_audit_entries_occur_time_id", "audit_entries", ["occur_time", "id"])
    op.create_index("ix_audit_entries_trace_id", "audit_entries", ["trace_id"])
    op.create_index("ix_audit_entries_subject", "audit_entries", ["subject_type", "subject_id"])
    op.create_index("ix_audit_entries_actor_user_id", "audit_entries", ["actor_user_id"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("chain", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "log_entries",
        sa.Column("insert_id", sa.String(128), primary_key=True),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("instance", sa.String(255), nullable=False),
        sa.Column("severity", sa.SmallInteger, nullable=False),
        sa.Column("logger", sa.String(255), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("time", TIME, nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("receive_time", TIME, nullable=False),
    )
    op.create_index("ix_log_entries_time_insert_id", "log_entries", ["time", "insert_id"])
    op.create_index("ix_log_entries_trace_id", "log_entries", ["trace_id"])
    op.create_index("ix_log_entries_request_id", "log_entries", ["request_id"])
    op.create_index("ix_log_entries_service_time", "log_entries", ["service", "time"])


def downgrade() -> None:
    op.drop_table("log_entries")
    op.drop_table("audit_chain_heads")
    op.drop_table("audit_entries")
    drop_idempotency_table()
    drop_mesh_tables()
