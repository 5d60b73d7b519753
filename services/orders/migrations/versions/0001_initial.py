"""Initial schema: mesh's outbox, inbox and idempotency records; products, orders, lines.

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
        "products",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("unit_price", sa.BigInteger, nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("stock", sa.BigInteger, nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_products_stock_not_negative"),
    )
    op.create_index("ix_products_create_time_id", "products", ["create_time", "id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("total_amount", sa.BigInteger, nullable=False),
        sa.Column("payment_method_id", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("due_time", TIME, nullable=True),
        sa.Column("step_attempts", sa.Integer, nullable=False),
        sa.Column("stock_reserved", sa.Boolean, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("cancel_reason", sa.String(32), nullable=False),
        sa.Column("cancel_message", sa.String(500), nullable=False),
        sa.Column("payment_id", sa.String(64), nullable=False),
        sa.Column("create_time", TIME, nullable=False),
        sa.Column("update_time", TIME, nullable=False),
    )
    op.create_index(
        "ix_orders_owner_id_create_time_id", "orders", ["owner_id", "create_time", "id"]
    )
    op.create_index("ix_orders_create_time_id", "orders", ["create_time", "id"])
    op.create_index("ix_orders_due_time", "orders", ["due_time"])
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("unit_price", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("order_lines")
    op.drop_table("orders")
    op.drop_table("products")
    drop_idempotency_table()
    drop_mesh_tables()
