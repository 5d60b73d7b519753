"""Initial schema: mesh's outbox and inbox, credentials, sessions, tokens, throttles, keys.

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


def _time(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_mesh_tables()
    op.create_table(
        "credentials",
        sa.Column("user_id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("signup_attempt", sa.String(36), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("credentials.user_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("last_refresh_at", nullable=True),
        _time("revoked_at", nullable=True),
        sa.Column("revocation_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_sessions_user_id_created_at", "sessions", ["user_id", "created_at"])
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column(
            "session_id",
            sa.String(36),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    op.create_table(
        "one_time_tokens",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column(
            "user_id",
            sa.String(36),
            sa.ForeignKey("credentials.user_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.String(254), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("used_at", nullable=True),
    )
    op.create_index(
        "ix_one_time_tokens_user_id_purpose",
        "one_time_tokens",
        ["user_id", "purpose", "created_at"],
    )
    op.create_table(
        "login_throttles",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(254), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _time("last_failure_at", nullable=True),
        _time("locked_until", nullable=True),
    )
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(16), nullable=True, unique=True),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        _time("created_at"),
        _time("activated_at", nullable=True),
        _time("retired_at", nullable=True),
        _time("expires_at", nullable=True),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
    op.drop_table("login_throttles")
    op.drop_table("one_time_tokens")
    op.drop_table("refresh_tokens")
    op.drop_table("sessions")
    op.drop_table("credentials")
    drop_mesh_tables()
