"""The payments service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)
_ID = sa.String(64)

#: One row per payment; `provider_payment_id` is unique so a webhook finds its payment.
payments_table = sa.Table(
    "payments",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("user_id", sa.String(128), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("currency_code", sa.String(3), nullable=False),
    sa.Column("description", sa.String(1000), nullable=False),
    sa.Column("payment_method_id", sa.String(255), nullable=False),
    sa.Column("metadata", sa.JSON(), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("amount_refunded", sa.BigInteger(), nullable=False),
    sa.Column("customer_id", _ID, nullable=False),
    sa.Column("provider_payment_id", sa.String(255), nullable=True, unique=True),
    sa.Column("client_secret", sa.String(255), nullable=False),
    sa.Column("failure_code", sa.String(64), nullable=False),
    sa.Column("failure_message", sa.String(1000), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Index("ix_payments_user_id_create_time", "user_id", "create_time"),
    sa.Index("ix_payments_create_time_id", "create_time", "id"),
)

refunds_table = sa.Table(
    "refunds",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("payment_id", _ID, sa.ForeignKey("payments.id"), nullable=False),
    sa.Column("user_id", sa.String(128), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("currency_code", sa.String(3), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("note", sa.String(1000), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("requested_by", sa.String(128), nullable=False),
    sa.Column("provider_refund_id", sa.String(255), nullable=True, unique=True),
    sa.Column("failure_message", sa.String(1000), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Index("ix_refunds_payment_id_create_time", "payment_id", "create_time"),
)

#: The payer's customer at the provider, created with their first payment.
customers_table = sa.Table(
    "customers",
    metadata,
    sa.Column("user_id", sa.String(128), primary_key=True),
    sa.Column("id", _ID, nullable=False, unique=True),
    sa.Column("provider_customer_id", sa.String(255), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
)

#: Each provider event once: its id is unique, redeliveries count up `delivery_count`.
webhook_receipts_table = sa.Table(
    "webhook_receipts",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("provider_event_id", sa.String(255), nullable=False, unique=True),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("payment_id", sa.String(64), nullable=False),
    sa.Column("refund_id", sa.String(64), nullable=False),
    sa.Column("error", sa.String(1000), nullable=False),
    sa.Column("delivery_count", sa.Integer(), nullable=False),
    sa.Column("receive_time", _TIME, nullable=False),
    sa.Column("process_time", _TIME, nullable=True),
)
