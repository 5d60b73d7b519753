"""The orders service's tables (SQLite and PostgreSQL); migrations/ creates them."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TIME = sa.DateTime(timezone=True)

#: The catalogue: one row per product, with its free stock (never below zero).
products_table = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
    sa.Column("currency_code", sa.String(3), nullable=False),
    sa.Column("stock", sa.BigInteger, nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.CheckConstraint("stock >= 0", name="ck_products_stock_not_negative"),
    sa.Index("ix_products_create_time_id", "create_time", "id"),
)

#: One row per order, with the state of its checkout saga; the runner reads it by due time.
orders_table = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner_id", sa.String(128), nullable=False),
    sa.Column("currency_code", sa.String(3), nullable=False),
    sa.Column("total_amount", sa.BigInteger, nullable=False),
    sa.Column("payment_method_id", sa.String(255), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("step", sa.String(32), nullable=False),
    sa.Column("due_time", _TIME, nullable=True),
    sa.Column("step_attempts", sa.Integer, nullable=False),
    sa.Column("stock_reserved", sa.Boolean, nullable=False),
    sa.Column("cancel_requested", sa.Boolean, nullable=False),
    sa.Column("cancel_reason", sa.String(32), nullable=False),
    sa.Column("cancel_message", sa.String(500), nullable=False),
    sa.Column("payment_id", sa.String(64), nullable=False),
    sa.Column("create_time", _TIME, nullable=False),
    sa.Column("update_time", _TIME, nullable=False),
    sa.Index("ix_orders_owner_id_create_time_id", "owner_id", "create_time", "id"),
    sa.Index("ix_orders_create_time_id", "create_time", "id"),
    sa.Index("ix_orders_due_time", "due_time"),
)

#: The lines of each order, with the product's name and price when it was placed.
order_lines_table = sa.Table(
    "order_lines",
    metadata,
    sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("product_id", sa.String(64), nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)
