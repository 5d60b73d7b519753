"""The notifications service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)
_ID = sa.String(64)


def _content_columns() -> list[sa.Column]:
    """A template's content in one locale; a NULL subject / SMS text means no such channel."""
    return [
        sa.Column("email_subject", sa.Text(), nullable=True),
        sa.Column("email_text_body", sa.Text(), nullable=True),
        sa.Column("email_html_body", sa.Text(), nullable=True),
        sa.Column("sms_text", sa.Text(), nullable=True),
    ]


templates_table = sa.Table(
    "templates",
    metadata,
    sa.Column("id", sa.String(63), primary_key=True),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    *_content_columns(),
    sa.Column("built_in", sa.Boolean(), nullable=False),
    #: True once changed through the API: a newer release's built-in content no longer replaces it.
    sa.Column("customized", sa.Boolean(), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
)

#: Content of a template in locales other than the default (shipped with built-in templates).
template_translations_table = sa.Table(
    "template_translations",
    metadata,
    sa.Column(
        "template_id",
        sa.String(63),
        sa.ForeignKey("templates.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("locale", sa.String(35), primary_key=True),
    *_content_columns(),
)

#: One row per message. (source, source_key, channel) is unique: the same event or the same
#: idempotency key never produces a second message on a channel. `lease_token` and
#: `lease_until` are the sender's claim while it sends.
messages_table = sa.Table(
    "messages",
    metadata,
    sa.Column("id", _ID, primary_key=True),
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
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Column("send_time", _TIME, nullable=True),
    sa.Column("next_attempt_time", _TIME, nullable=True),
    sa.Column("lease_token", sa.String(32), nullable=True),
    sa.Column("lease_until", _TIME, nullable=True),
    sa.UniqueConstraint("source", "source_key", "channel", name="uq_messages_source"),
    sa.Index("ix_messages_state_next_attempt_time", "state", "next_attempt_time"),
    sa.Index("ix_messages_user_id_create_time", "user_id", "create_time"),
    sa.Index("ix_messages_create_time_id", "create_time", "id"),
)

delivery_attempts_table = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("message_id", _ID, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("transport", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=True),
    sa.Column("error", sa.String(1000), nullable=False),
    sa.Column("provider_message_id", sa.String(255), nullable=False),
    sa.Column("start_time", _TIME, nullable=False),
    sa.Column("handover_time", _TIME, nullable=True),
    sa.Column("end_time", _TIME, nullable=True),
    sa.UniqueConstraint("message_id", "number", name="uq_delivery_attempts_message_number"),
)

#: A user's explicit choices; pairs without a row have their default.
preferences_table = sa.Table(
    "notification_preferences",
    metadata,
    sa.Column("user_id", sa.String(128), primary_key=True),
    sa.Column("channel", sa.String(8), primary_key=True),
    sa.Column("category", sa.String(16), primary_key=True),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
)

#: What the local mailbox transport captured; one entry per message at most.
mailbox_table = sa.Table(
    "mailbox_messages",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("message_id", _ID, nullable=False, unique=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("sender", sa.String(254), nullable=False),
    sa.Column("recipient", sa.String(254), nullable=False),
    sa.Column("subject", sa.Text(), nullable=False),
    sa.Column("text_body", sa.Text(), nullable=False),
    sa.Column("html_body", sa.Text(), nullable=False),
    sa.Column("receive_time", _TIME, nullable=False),
    sa.Index("ix_mailbox_messages_receive_time_id", "receive_time", "id"),
)
