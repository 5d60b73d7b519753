"""Initial schema: mesh's outbox and inbox, templates, messages, attempts, preferences, mailbox.

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


def content_columns() -> list[sa.Column]:
    return [
        sa.Column("email_subject", sa.Text(), nullable=True),
        sa.Column("email_text_body", sa.Text(), nullable=True),
        sa.Column("email_html_body", sa.Text(), nullable=True),
        sa.Column("sms_text", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    create_mesh_tables()
    op.create_table(
        "templates",
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        *content_columns(),
        sa.Column("built_in", sa.Boolean(), nullable=False),
        sa.Column("customized", sa.Boolean(), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
    )
    op.create_table(
        "template_translations",
        sa.Column(
            "template_id",
            sa.String(63),
            sa.ForeignKey("templates.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("locale", sa.String(35), primary_key=True),
        *content_columns(),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("template_id", sa.String(63), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("suppression_reason", sa.String(16), nullable=True),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(1000), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.Column("send_time", TIME, nullable=True),
        sa.Column("next_attempt_time", TIME, nullable=True),
        sa.Column("lease_token", sa.String(32), nullable=True),
        sa.Column("lease_until", TIME, nullable=True),
        # The same event (or idempotency key) never makes a second message on a channel.
        sa.UniqueConstraint("source", "source_key", "channel", name="uq_messages_source"),
    )
    op.create_index(
        "ix_messages_state_next_attempt_time", "messages", ["state", "next_attempt_time"]
    )
    op.create_index("ix_messages_user_id_create_time", "messages", ["user_id", "create_time"])
    op.create_index("ix_messages_create_time_id", "messages", ["create_time", "id"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "message_id",
            sa.String(64),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("error", sa.String(1000), nullable=False),
        sa.Column("provider_message_id", sa.String(255), nullable=False),
        sa.Column("start_time", TIME, nullable=False),
        sa.Column("handover_time", TIME, nullable=True),
        sa.Column("end_time", TIME, nullable=True),
        sa.UniqueConstraint("message_id", "number", name="uq_delivery_attempts_message_number"),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("category", sa.String(16), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("update_time", TIME, nullable=False),
    )
    op.create_table(
        "mailbox_messages",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("sender", sa.String(254), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("receive_time", TIME, nullable=False),
    )
    op.create_index(
        "ix_mailbox_messages_receive_time_id", "mailbox_messages", ["receive_time", "id"]
    )


def downgrade() -> None:
    op.drop_table("mailbox_messages")
    op.drop_table("notification_preferences")
    op.drop_table("delivery_attempts")
    op.drop_table("messages")
    op.drop_table("template_translations")
    op.drop_table("templates")
    drop_mesh_tables()
